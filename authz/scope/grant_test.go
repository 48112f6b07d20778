package scope

import "testing"

func mustParse(t testing.TB, s string) Set {
	t.Helper()
	set, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return set
}

var grantCases = []struct {
	name               string
	requested, allowed string
	supports           func(typ, param string) bool
	want               string
}{
	{name: "wildcard request narrowed to allowed type, v2 style kept",
		requested: "patient/*.rs", allowed: "patient/Observation.read", want: "patient/Observation.rs"},
	{name: "permissions intersect under wildcards",
		requested: "user/*.cruds", allowed: "user/*.rs", want: "user/*.rs"},
	{name: "v1 request stays v1 when it can",
		requested: "patient/*.*", allowed: "patient/Observation.read", want: "patient/Observation.read"},
	{name: "v1 request falls back to v2 letters",
		requested: "patient/*.read", allowed: "patient/Observation.r", want: "patient/Observation.r"},
	{name: "v1 write is cud",
		requested: "user/Observation.write", allowed: "user/*.cruds", want: "user/Observation.write"},
	{name: "allowed wildcard keeps requested type",
		requested: "patient/Condition.rs", allowed: "patient/*.cruds", want: "patient/Condition.rs"},
	{name: "no overlap in permissions",
		requested: "patient/Observation.c", allowed: "patient/*.rs", want: ""},
	{name: "different type",
		requested: "patient/Observation.rs", allowed: "patient/Condition.rs", want: ""},
	{name: "user allowance does not grant patient request",
		requested: "patient/*.read", allowed: "user/*.read", want: ""},
	{name: "patient allowance does not grant user request",
		requested: "user/*.read", allowed: "patient/*.read", want: ""},
	{name: "system only from system",
		requested: "system/*.rs user/*.rs", allowed: "system/Observation.rs user/*.r", want: "system/Observation.rs user/*.r"},
	{name: "granular request against unrestricted allowance",
		requested: "patient/Observation.rs?" + labCategory, allowed: "patient/Observation.rs",
		want: "patient/Observation.rs?" + labCategory},
	{name: "unrestricted request narrowed to allowed granular ones",
		requested: "patient/Observation.rs", allowed: "patient/Observation.rs?" + labCategory + " patient/Observation.rs?" + vitalsCategory,
		want: "patient/Observation.rs?" + labCategory + " patient/Observation.rs?" + vitalsCategory},
	{name: "wildcard request narrowed to granular",
		requested: "patient/*.read", allowed: "patient/Observation.rs?" + labCategory,
		want: "patient/Observation.read?" + labCategory},
	{name: "two different restrictions both apply",
		requested: "patient/Observation.rs?" + labCategory, allowed: "patient/Observation.rs?" + vitalsCategory,
		want: "patient/Observation.rs?" + labCategory + "&" + vitalsCategory},
	{name: "requested narrower than allowed granular",
		requested: "patient/Observation.rs?" + labCategory + "&code=http://loinc.org|1", allowed: "patient/*.rs?" + labCategory,
		want: "patient/Observation.rs?" + labCategory + "&code=http://loinc.org|1"},
	{name: "requested spelling kept when allowed spells it differently",
		requested: "patient/Observation.rs?code=http%3A%2F%2Floinc.org%7C1", allowed: "patient/Observation.rs?code=http://loinc.org|1",
		want: "patient/Observation.rs?code=http%3A%2F%2Floinc.org%7C1"},
	{name: "unsupported parameter grants nothing",
		requested: "patient/Observation.rs?code=http://loinc.org|1", allowed: "patient/*.rs",
		supports: onlyCategory, want: ""},
	{name: "unsupported allowed restriction grants nothing, never the broader scope",
		requested: "patient/Observation.rs", allowed: "patient/Observation.rs?code=http://loinc.org|1",
		supports: onlyCategory, want: ""},
	{name: "supported parameter granted",
		requested: "patient/Observation.rs?" + labCategory, allowed: "patient/*.rs",
		supports: onlyCategory, want: "patient/Observation.rs?" + labCategory},
	{name: "supports sees the wildcard type",
		requested: "patient/*.rs?_security=R", allowed: "patient/*.rs",
		supports: func(typ, p string) bool { return typ == "*" && p == "_security" }, want: "patient/*.rs?_security=R"},
	{name: "split into allowed types, merged per type",
		requested: "patient/*.rs", allowed: "patient/Observation.r patient/Condition.rs patient/Observation.s",
		want: "patient/Observation.rs patient/Condition.rs"},
	{name: "split pieces merge back into the request",
		requested: "patient/Observation.cruds", allowed: "patient/Observation.rs patient/Observation.cud",
		want: "patient/Observation.cruds"},
	{name: "covered results dropped",
		requested: "patient/*.rs", allowed: "patient/Observation.rs patient/*.rs patient/Observation.rs?" + labCategory,
		want: "patient/*.rs"},
	{name: "uncovered results kept",
		requested: "patient/*.rs", allowed: "patient/*.r patient/Observation.rs", want: "patient/*.r patient/Observation.rs"},
	{name: "uri form kept",
		requested: SMARTPrefix + "patient/*.rs", allowed: "patient/Observation.rs", want: SMARTPrefix + "patient/Observation.rs"},
	{name: "uri form allowance matches short request",
		requested: "patient/Observation.rs openid", allowed: SMARTPrefix + "patient/*.rs " + OpenIDPrefix + "openid",
		want: "patient/Observation.rs openid"},
	{name: "non-resource scopes when allowed; others never",
		requested: "launch/patient openid fhirUser offline_access online_access launch __ext patient/Observation.dus",
		allowed:   "openid fhirUser launch/patient offline_access __ext patient/Observation.dus",
		want:      "launch/patient openid fhirUser offline_access"},
	{name: "launch role granted by unrestricted launch allowance",
		requested: "launch/imagingstudy?role=http://x/r", allowed: "launch/imagingstudy", want: "launch/imagingstudy?role=http://x/r"},
	{name: "launch role not widened",
		requested: "launch/imagingstudy", allowed: "launch/imagingstudy?role=http://x/r", want: ""},
	{name: "launch role must match",
		requested: "launch/imagingstudy?role=http://x/a", allowed: "launch/imagingstudy?role=http://x/b", want: ""},
	{name: "launch type must match",
		requested: "launch/encounter launch", allowed: "launch/patient", want: ""},
	{name: "request order, not allowance order",
		requested: "fhirUser patient/Condition.rs openid patient/Observation.rs",
		allowed:   "openid patient/Observation.rs fhirUser patient/Condition.rs",
		want:      "fhirUser patient/Condition.rs openid patient/Observation.rs"},
	{name: "same result from two requests appears once",
		requested: "patient/Observation.read patient/*.read", allowed: "patient/Observation.read",
		want: "patient/Observation.read"},
	{name: "empty request", requested: "", allowed: "patient/*.rs openid", want: ""},
	{name: "empty allowance", requested: "patient/*.rs openid", allowed: "", want: ""},
}

func onlyCategory(_, p string) bool { return p == "category" }

func TestGrant(t *testing.T) {
	for _, tc := range grantCases {
		t.Run(tc.name, func(t *testing.T) {
			got := Grant(mustParse(t, tc.requested), mustParse(t, tc.allowed), GrantOptions{Supports: tc.supports})
			if got.String() != tc.want {
				t.Errorf("Grant(%q, %q)\n got %q\nwant %q", tc.requested, tc.allowed, got.String(), tc.want)
			}
			// What Grant returns is what Parse would make of its string.
			if back := mustParse(t, got.String()); !back.Equal(got) {
				t.Errorf("Parse(Grant(...).String()) = %#v, want %#v", back, got)
			}
		})
	}
}

// TestGrantVerbatim: a request granted whole comes back as written.
func TestGrantVerbatim(t *testing.T) {
	for _, x := range []string{
		"launch/patient openid fhirUser offline_access patient/*.rs",
		"launch openid fhirUser offline_access patient/*.rs",
		"launch/patient openid fhirUser offline_access patient/*.read",
		"launch openid fhirUser online_access user/*.read patient/*.read",
		"system/*.* system/Observation.rs?" + labCategory,
		"patient/Observation.rs?code=http%3A%2F%2Floinc.org%7C1&category=a+b patient/Observation.rs",
		"patient/*.rs patient/Observation.rs patient/Observation.r",
		SMARTPrefix + "patient/*.r " + OpenIDPrefix + "openid " + SMARTPrefix + "launch/patient",
		"launch/questionnaire?role=http://example.org/roles/x%20y profile",
		"  openid   fhirUser   patient/*.cruds ",
	} {
		set := mustParse(t, x)
		want := joinTokens(x)
		if got := Grant(set, set, GrantOptions{}).String(); got != want {
			t.Errorf("Grant(%q, itself) = %q, want %q", x, got, want)
		}
	}
}

// TestGrantConsent: the user's consent is the same operation applied again.
func TestGrantConsent(t *testing.T) {
	requested := mustParse(t, "launch/patient openid fhirUser offline_access patient/*.rs")
	allowed := mustParse(t, "launch/patient openid fhirUser offline_access patient/*.cruds")
	consented := mustParse(t, "launch/patient openid fhirUser patient/Patient.rs patient/Observation.rs?"+labCategory)
	got := Grant(Grant(requested, allowed, GrantOptions{}), consented, GrantOptions{})
	want := "launch/patient openid fhirUser patient/Patient.rs patient/Observation.rs?" + labCategory
	if got.String() != want {
		t.Errorf("consented grant = %q, want %q", got, want)
	}
	// A refresh asking for a subset keeps the subset; asking for more gets
	// only what the original grant holds.
	refresh := Grant(mustParse(t, "patient/Observation.rs patient/Condition.rs openid"), got, GrantOptions{})
	if want := "patient/Observation.rs?" + labCategory + " openid"; refresh.String() != want {
		t.Errorf("refresh grant = %q, want %q", refresh, want)
	}
}

func TestGrantDoesNotAliasInputs(t *testing.T) {
	for _, tc := range []struct{ requested, allowed, want string }{
		{"patient/Observation.rs?a=1", "patient/Observation.rs?b=2", "patient/Observation.rs?a=1&b=2"},
		{"patient/Observation.rs?a=1", "patient/Observation.rs?a=1", "patient/Observation.rs?a=1"},
		{"patient/Observation.rs", "patient/Observation.rs?a=1", "patient/Observation.rs?a=1"},
	} {
		requested, allowed := mustParse(t, tc.requested), mustParse(t, tc.allowed)
		got := Grant(requested, allowed, GrantOptions{})
		if got.String() != tc.want {
			t.Fatalf("Grant(%q, %q) = %q, want %q", tc.requested, tc.allowed, got, tc.want)
		}
		got[0].Params[0] = Param{Name: "x", Value: "changed"}
		if requested.String() != tc.requested || allowed.String() != tc.allowed {
			t.Errorf("changing the grant changed the inputs: %q, %q", requested, allowed)
		}
	}
}
