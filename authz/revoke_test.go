package authz_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// revoke posts token= with the caller's credentials.
func revoke(t *testing.T, s *testServer, token, hint string, auth url.Values) reply {
	t.Helper()
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	for k, v := range auth {
		form[k] = v
	}
	return postForm(t, s.revokeURL(), form)
}

func active(t *testing.T, s *testServer, caller *backend, token string) bool {
	t.Helper()
	r := introspect(t, s, token, caller.clientAuth(t, s, s.introspectURL()))
	if r.Status != http.StatusOK {
		t.Fatalf("introspect: %d %s", r.Status, r.Body)
	}
	return r.json(t)["active"] == true
}

// TestRevocation is RFC 7009: a client revokes its own token, which then
// introspects inactive and is Revoked for the enforcement point; another
// client's token, an unknown token and a second revocation all answer
// 200 and change nothing else; the revocation survives a restart.
func TestRevocation(t *testing.T) {
	dir, clk := t.TempDir(), newClock()
	s := startServer(t, dir, clk)
	a, b := newBackend(t, "RS384"), newBackend(t, "ES384")
	a.register(t, s, a.metadata(t, "system/*.rs"))
	b.register(t, s, b.metadata(t, "system/*.rs"))
	ta, tb := a.token(t, s, "system/Patient.rs"), b.token(t, s, "system/Patient.rs")
	jti := verifyWithPublishedJWKS(t, s, ta.AccessToken).ID

	for _, tc := range []struct {
		name  string
		token string
		hint  string
		by    *backend
	}{
		{"another client's token", tb.AccessToken, "access_token", a},
		{"unknown token", "not-a-token", "", a},
		{"own token", ta.AccessToken, "access_token", a},
		{"again", ta.AccessToken, "refresh_token", a},
	} {
		r := revoke(t, s, tc.token, tc.hint, tc.by.clientAuth(t, s, s.revokeURL()))
		if r.Status != http.StatusOK || len(r.Body) != 0 {
			t.Errorf("%s: %d %s, want 200 and no body", tc.name, r.Status, r.Body)
		}
		checkNoStore(t, tc.name, r.Header)
	}
	if active(t, s, b, ta.AccessToken) {
		t.Error("the revoked token is still active")
	}
	if !s.srv.Authz().Revoked(jti) {
		t.Error("Revoked(jti) is false")
	}
	if !active(t, s, a, tb.AccessToken) {
		t.Error("another client's token was revoked")
	}
	// The revoked token no longer authenticates a caller either.
	if r := introspect(t, s, tb.AccessToken, nil, "Authorization", "Bearer "+ta.AccessToken); r.Status != http.StatusUnauthorized {
		t.Errorf("revoked bearer at introspection: %d %s", r.Status, r.Body)
	}

	// Errors: no token, no client authentication.
	if r := revoke(t, s, "", "", a.clientAuth(t, s, s.revokeURL())); r.Status != 400 || r.json(t)["error"] != "invalid_request" {
		t.Errorf("no token: %d %s", r.Status, r.Body)
	}
	if r := revoke(t, s, tb.AccessToken, "", nil); r.Status != 401 || r.json(t)["error"] != "invalid_client" {
		t.Errorf("no client: %d %s", r.Status, r.Body)
	}

	// A restart keeps the revocation until the token expires.
	s.srv.Close()
	s2 := startServer(t, dir, clk)
	if !s2.srv.Authz().Revoked(jti) || active(t, s2, b, ta.AccessToken) {
		t.Error("the revocation was lost on restart")
	}
	clk.Add(6 * time.Minute)
	if s2.srv.Authz().Revoked(jti) {
		t.Error("the revocation outlived the token")
	}
}
