package oauth_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/authz/oauth"
)

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		err       error
		status    int
		body      map[string]string
		challenge string
	}{
		{oauth.New(oauth.InvalidGrant, "code was already used"), 400, map[string]string{"error": "invalid_grant", "error_description": "code was already used"}, ""},
		{oauth.New(oauth.UnsupportedGrantType, ""), 400, map[string]string{"error": "unsupported_grant_type"}, ""},
		{&oauth.Error{Code: oauth.InvalidClient, Description: "bad secret", Status: 401, Challenge: "Basic"}, 401, map[string]string{"error": "invalid_client", "error_description": "bad secret"}, "Basic"},
		{&oauth.Error{Code: oauth.InvalidToken, Description: `token "x" expired`, Status: 401, Challenge: "Bearer"}, 401, map[string]string{"error": "invalid_token", "error_description": `token "x" expired`}, `Bearer error="invalid_token", error_description="token 'x' expired"`},
		{errors.New("disk on fire"), 500, map[string]string{"error": "server_error", "error_description": "internal error"}, ""},
	} {
		rec := httptest.NewRecorder()
		oauth.Write(rec, httptest.NewRequest("POST", "/token", nil), nil, tc.err)
		if rec.Code != tc.status {
			t.Errorf("%v: status %d, want %d", tc.err, rec.Code, tc.status)
		}
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.body, body); diff != "" {
			t.Errorf("%v: body (-want +got):\n%s", tc.err, diff)
		}
		if got := rec.Header().Get("WWW-Authenticate"); got != tc.challenge {
			t.Errorf("%v: WWW-Authenticate %q, want %q", tc.err, got, tc.challenge)
		}
		if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Pragma") != "no-cache" {
			t.Errorf("%v: no no-store headers: %v", tc.err, rec.Header())
		}
	}
}

func TestRedirectKeepsStateAndQuery(t *testing.T) {
	rec := httptest.NewRecorder()
	oauth.Redirect(rec, httptest.NewRequest("GET", "/authorize", nil), "https://app.example/cb?keep=1", "xyz", oauth.New(oauth.AccessDenied, "the user said no"))
	if rec.Code != http.StatusFound {
		t.Fatalf("status %d", rec.Code)
	}
	u, _ := url.Parse(rec.Header().Get("Location"))
	want := url.Values{"keep": {"1"}, "error": {"access_denied"}, "error_description": {"the user said no"}, "state": {"xyz"}}
	if diff := cmp.Diff(want, u.Query()); diff != "" {
		t.Errorf("redirect query (-want +got):\n%s", diff)
	}
}
