package sampleapp

import (
	"net/url"
	"testing"
)

// RFC 7636 Appendix B.
func TestChallenge(t *testing.T) {
	if got := challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("challenge = %q", got)
	}
}

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		u    string
		want bool
	}{
		{"https://ehr.example/auth/token", true},
		{"https://EHR.example/auth/authorize?x=1", true},
		{"http://ehr.example/auth/token", false},
		{"https://ehr.example:8443/auth/token", false},
		{"https://evil.example/auth/token", false},
		{"https://user@ehr.example/auth/token", false},
		{"/auth/token", false},
		{"javascript:alert(1)", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := sameOrigin(tt.u, "https://ehr.example/fhir"); got != tt.want {
			t.Errorf("sameOrigin(%q) = %v, want %v", tt.u, got, tt.want)
		}
	}
}

func TestAuthorizeURL(t *testing.T) {
	h, err := New(Options{BaseURL: "https://ehr.example/base/", FHIRBase: "https://ehr.example/base/fhir"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, endpoint, launch string
		want                   url.Values
	}{
		{"EHR launch", "https://ehr.example/base/auth/authorize", "L1", url.Values{"launch": {"L1"}}},
		{"standalone keeps the endpoint's query", "https://ehr.example/base/auth/authorize?tenant=t1", "", url.Values{"tenant": {"t1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.authorizeURL(tt.endpoint, "https://ehr.example/base/fhir", EHRScope, "S", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", tt.launch)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(got)
			want := url.Values{
				"response_type": {"code"}, "client_id": {ClientID}, "redirect_uri": {"https://ehr.example/base/sample-app/callback"},
				"scope": {EHRScope}, "state": {"S"}, "aud": {"https://ehr.example/base/fhir"},
				"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
			}
			for k, v := range tt.want {
				want[k] = v
			}
			if u.Query().Encode() != want.Encode() {
				t.Errorf("query\n got %s\nwant %s", u.Query().Encode(), want.Encode())
			}
		})
	}
}
