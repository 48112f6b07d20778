package conformance

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCapabilityProblems(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"authorization_endpoint": "https://as/a", "issuer": "https://as/fhir", "jwks_uri": "https://as/jwks",
			"grant_types_supported": []any{"authorization_code", "refresh_token"},
			"capabilities":          []any{"launch-standalone", "sso-openid-connect", "permission-offline", "permission-v2"},
			"scopes_supported":      []any{"patient/*.rs", "openid"},
		}
	}
	tests := []struct {
		name string
		edit func(m map[string]any)
		want []string
	}{
		{"consistent", func(map[string]any) {}, nil},
		{"no authorization_endpoint", func(m map[string]any) { delete(m, "authorization_endpoint") },
			[]string{"a launch capability is advertised without authorization_endpoint"}},
		{"no issuer or jwks", func(m map[string]any) { delete(m, "issuer"); delete(m, "jwks_uri") },
			[]string{"sso-openid-connect is advertised without issuer", "sso-openid-connect is advertised without jwks_uri"}},
		{"no refresh grant", func(m map[string]any) { m["grant_types_supported"] = []any{"authorization_code"} },
			[]string{"permission-offline is advertised but grant_types_supported lacks refresh_token"}},
		{"a v1 scope without permission-v1", func(m map[string]any) { m["scopes_supported"] = []any{"patient/*.read", "user/*.*"} },
			[]string{`scopes_supported lists the v1 scope "patient/*.read" without permission-v1`}},
		{"custom capability", func(m map[string]any) {
			m["capabilities"] = append(m["capabilities"].([]any), "launch-magic", "https://vendor.example/cap")
		}, []string{`capability "launch-magic" is neither defined by SMART nor a full URI`}},
		{"EHR context without EHR launch", func(m map[string]any) {
			m["capabilities"] = append(m["capabilities"].([]any), "context-banner")
		}, []string{"context-banner is advertised without launch-ehr"}},
		{"symmetric without secrets", func(m map[string]any) {
			m["capabilities"] = append(m["capabilities"].([]any), "client-confidential-symmetric")
			m["token_endpoint_auth_methods_supported"] = []any{"private_key_jwt"}
		}, []string{"client-confidential-symmetric is advertised but token_endpoint_auth_methods_supported has neither client_secret_basic nor client_secret_post"}},
	}
	for _, tt := range tests {
		m := base()
		tt.edit(m)
		if diff := cmp.Diff(tt.want, capabilityProblems(m)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestScopeVersionAndCovering(t *testing.T) {
	for s, want := range map[string]string{
		"patient/*.read": "v1", "user/Observation.write": "v1", "system/*.*": "v1", "patient/*.rs": "v2",
		"patient/Observation.rs?category=vital-signs": "v2", "system/Patient.cruds": "v2", "openid": "", "patient/*.x": "",
		"launch/patient": "", "patient/*.?a=b": "",
	} {
		if got := scopeVersion(s); got != want {
			t.Errorf("scopeVersion(%q) = %q, want %q", s, got, want)
		}
	}
	for _, tt := range []struct{ granted, typ, want string }{
		{"system/Patient.rs", "Observation", ""},
		{"system/Patient.rs system/Observation.c", "Observation", ""},
		{"system/*.write", "Observation", ""},
		{"system/*.read", "Observation", "system/*.read"},
		{"patient/*.rs system/Observation.s?category=x", "Observation", "system/Observation.s?category=x"},
		{"user/*.rs", "Observation", ""},
	} {
		if got := covering(tt.granted, "system", tt.typ); got != tt.want {
			t.Errorf("covering(%q, %s) = %q, want %q", tt.granted, tt.typ, got, tt.want)
		}
	}
}

func TestNarrower(t *testing.T) {
	for _, tt := range []struct{ granted, want, dropped string }{
		{"launch/patient openid fhirUser offline_access patient/*.rs", "launch/patient offline_access patient/*.rs", "openid fhirUser"},
		{"offline_access patient/*.rs patient/Observation.rs", "offline_access patient/*.rs", "patient/Observation.rs"},
		{"offline_access", "offline_access", ""},
		{"openid", "openid", ""},
	} {
		got, dropped := narrower(tt.granted)
		if got != tt.want || strings.Join(dropped, " ") != tt.dropped {
			t.Errorf("narrower(%q) = %q, %q; want %q, %q", tt.granted, got, dropped, tt.want, tt.dropped)
		}
	}
	if !subset("a b", "b c a") || subset("a d", "a b") || !subset("", "a") {
		t.Errorf("subset")
	}
}

func TestHeaderHas(t *testing.T) {
	for _, tt := range []struct {
		values []string
		want   bool
	}{
		{[]string{"no-store"}, true}, {[]string{"private, No-Store"}, true}, {[]string{"max-age=0", "no-store"}, true},
		{[]string{"no-store-ish"}, false}, {nil, false}, {[]string{"no-cache"}, false},
	} {
		if got := headerHas(tt.values, "no-store"); got != tt.want {
			t.Errorf("headerHas(%q) = %v", tt.values, got)
		}
	}
}

func TestFHIRUserRef(t *testing.T) {
	for in, want := range map[string][2]string{
		"Practitioner/pr1": {"Practitioner", "pr1"}, "https://ehr.example/fhir/Patient/p1": {"Patient", "p1"},
		"p1": {"", ""}, "/fhir/RelatedPerson/r": {"RelatedPerson", "r"},
	} {
		if typ, id := fhirUserRef(in); typ != want[0] || id != want[1] {
			t.Errorf("fhirUserRef(%q) = %q %q", in, typ, id)
		}
	}
}
