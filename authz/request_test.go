package authz

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smartd/authz/oauth"
)

// tokenRequestCases are token request bodies and the grant type or OAuth
// error code they decode to; FuzzParseTokenRequest starts from them.
var tokenRequestCases = []struct {
	body  string
	grant GrantType
	code  oauth.Code
	scope string
}{
	{"grant_type=client_credentials&scope=system%2FPatient.rs", GrantClientCredentials, "", "system/Patient.rs"},
	{"grant_type=client_credentials&scope=system%2FPatient.rs+openid+system%2FPatient.rs", GrantClientCredentials, "", "system/Patient.rs openid"},
	{"grant_type=authorization_code&code=x", GrantAuthorizationCode, "", ""},
	{"grant_type=refresh_token", GrantRefreshToken, "", ""},
	{"grant_type=not_a_grant_type", "", oauth.UnsupportedGrantType, ""},
	{"grant_type=", "", oauth.UnsupportedGrantType, ""},
	{"scope=system%2FPatient.rs", "", oauth.UnsupportedGrantType, ""},
	{"grant_type=Client_Credentials", "", oauth.UnsupportedGrantType, ""},
	{"grant_type=client_credentials&grant_type=refresh_token", "", oauth.InvalidRequest, ""},
	{"grant_type=client_credentials&scope=a&scope=b", "", oauth.InvalidRequest, ""},
	{"grant_type=client_credentials&scope=%22", "", oauth.InvalidScope, ""},
	{"grant_type=client_credentials&%zz", "", oauth.InvalidRequest, ""},
}

func decodeToken(body, ctype string) (*tokenRequest, error) {
	r := httptest.NewRequest("POST", "/auth/token", strings.NewReader(body))
	r.Header.Set("Content-Type", ctype)
	return parseTokenRequest(httptest.NewRecorder(), r)
}

func TestParseTokenRequest(t *testing.T) {
	for _, tc := range tokenRequestCases {
		req, err := decodeToken(tc.body, "application/x-www-form-urlencoded; charset=UTF-8")
		if tc.code != "" {
			var e *oauth.Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Status != http.StatusBadRequest {
				t.Errorf("%q: error %v, want %s", tc.body, err, tc.code)
			}
			continue
		}
		if err != nil || req.GrantType != tc.grant || req.Scope.String() != tc.scope {
			t.Errorf("%q: %+v, %v; want %s with scope %q", tc.body, req, err, tc.grant, tc.scope)
		}
	}
	for _, ct := range []string{"", "application/json", "text/plain", "multipart/form-data; boundary=x"} {
		if _, err := decodeToken("grant_type=client_credentials", ct); err == nil || oauth.As(err).Code != oauth.InvalidRequest {
			t.Errorf("Content-Type %q: %v", ct, err)
		}
	}
	// The query string carries nothing.
	r := httptest.NewRequest("POST", "/auth/token?grant_type=client_credentials", strings.NewReader(""))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := parseTokenRequest(httptest.NewRecorder(), r); oauth.As(err).Code != oauth.UnsupportedGrantType {
		t.Errorf("grant_type in the query: %v", err)
	}
}

func TestBearerToken(t *testing.T) {
	for in, want := range map[string]string{
		"Bearer abc": "abc", "bearer abc": "abc", "BEARER  abc ": "abc", "Basic abc": "", "Bearer": "", "Bearer ": "", "": "",
	} {
		h := http.Header{}
		h.Set("Authorization", in)
		if got, ok := bearerToken(h); got != want || ok != (want != "") {
			t.Errorf("bearerToken(%q) = %q, %v", in, got, ok)
		}
	}
}
