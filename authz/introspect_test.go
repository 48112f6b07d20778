package authz_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// introspect posts token= with the caller's credentials.
func introspect(t *testing.T, s *testServer, token string, auth url.Values, header ...string) reply {
	t.Helper()
	form := url.Values{"token": {token}}
	for k, v := range auth {
		form[k] = v
	}
	return postForm(t, s.introspectURL(), form, header...)
}

// TestIntrospection is RFC 7662 as SMART's token-introspection.html and
// Inferno's introspection tests use it: an active token's claims, and
// exactly {"active":false} for anything else, to a caller authenticated
// as a client (assertion aud the introspection or token URL) or with a
// bearer token.
func TestIntrospection(t *testing.T) {
	s := newTestServer(t)
	b, other := newBackend(t, "RS384"), newBackend(t, "ES384")
	b.register(t, s, b.metadata(t, "system/*.rs"))
	other.register(t, s, other.metadata(t, "system/Observation.rs"))
	tok := b.token(t, s, "system/Patient.rs", "system/Condition.rs")
	claims := verifyWithPublishedJWKS(t, s, tok.AccessToken)
	active := map[string]any{
		"active": true, "scope": "system/Patient.rs system/Condition.rs", "client_id": b.id, "token_type": "Bearer",
		"exp": float64(claims.ExpiresAt.Unix()), "iat": float64(claims.IssuedAt.Unix()),
		"sub": b.id, "iss": s.fhir, "aud": s.fhir,
	}
	inactive := map[string]any{"active": false}
	callerToken := other.token(t, s, "system/Observation.rs").AccessToken
	// Signed by a key of ours but for another audience: a different
	// server's token looks just like this one.
	foreign, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": time.Now().Add(time.Minute).Unix()}).SignedString([]byte("k"))

	for _, tc := range []struct {
		name   string
		token  string
		auth   func() (url.Values, []string)
		status int
		want   map[string]any
	}{
		{"active, client aud introspect", tok.AccessToken, func() (url.Values, []string) { return other.clientAuth(t, s, s.introspectURL()), nil }, 200, active},
		{"active, client aud token", tok.AccessToken, func() (url.Values, []string) { return other.clientAuth(t, s, s.tokenURL()), nil }, 200, active},
		{"active, own token as bearer", tok.AccessToken, func() (url.Values, []string) { return nil, []string{"Authorization", "Bearer " + tok.AccessToken} }, 200, active},
		{"active, another client's bearer", tok.AccessToken, func() (url.Values, []string) { return nil, []string{"Authorization", "bearer " + callerToken} }, 200, active},
		{"invalid_token_value", "invalid_token_value", func() (url.Values, []string) { return other.clientAuth(t, s, s.introspectURL()), nil }, 200, inactive},
		{"foreign token", foreign, func() (url.Values, []string) { return nil, []string{"Authorization", "Bearer " + callerToken} }, 200, inactive},
		{"no credentials", tok.AccessToken, func() (url.Values, []string) { return nil, nil }, 401, map[string]any{"error": "invalid_client"}},
		{"bad bearer", tok.AccessToken, func() (url.Values, []string) { return nil, []string{"Authorization", "Bearer nope"} }, 401, map[string]any{"error": "invalid_token"}},
		{"assertion for revocation", tok.AccessToken, func() (url.Values, []string) { return other.clientAuth(t, s, s.revokeURL()), nil }, 401, map[string]any{"error": "invalid_client"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth, header := tc.auth()
			r := introspect(t, s, tc.token, auth, header...)
			got := r.json(t)
			delete(got, "error_description")
			if r.Status != tc.status {
				t.Errorf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			checkNoStore(t, tc.name, r.Header)
		})
	}
	if r := postForm(t, s.introspectURL(), other.clientAuth(t, s, s.introspectURL())); r.Status != 400 || r.json(t)["error"] != "invalid_request" {
		t.Errorf("no token: %d %s", r.Status, r.Body)
	}
}

// TestIntrospectionPublicClient: a public client proves nothing by its
// client_id, so it must use a bearer token.
func TestIntrospectionPublicClient(t *testing.T) {
	s := newTestServer(t)
	r := postJSON(t, "POST", s.registerURL(), map[string]any{
		"client_name": "browser app", "redirect_uris": []string{"https://app.example/cb"}, "scope": "patient/*.rs",
		"token_endpoint_auth_method": "none",
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	id := r.json(t)["client_id"].(string)
	got := introspect(t, s, "anything", url.Values{"client_id": {id}})
	if got.Status != http.StatusUnauthorized || got.json(t)["error"] != "invalid_client" {
		t.Errorf("public client: %d %s", got.Status, got.Body)
	}
}

// TestIntrospectionExpired: past its exp a token is inactive.
func TestIntrospectionExpired(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "ES384")
	b.register(t, s, b.metadata(t, "system/*.rs"))
	tok := b.token(t, s, "system/Patient.rs")
	if r := introspect(t, s, tok.AccessToken, b.clientAuth(t, s, s.introspectURL())); r.json(t)["active"] != true {
		t.Fatalf("fresh token: %s", r.Body)
	}
	s.clock.Add(5*time.Minute + time.Second)
	r := introspect(t, s, tok.AccessToken, b.clientAuth(t, s, s.introspectURL()))
	if diff := cmp.Diff(map[string]any{"active": false}, r.json(t)); r.Status != 200 || diff != "" {
		t.Errorf("expired token: %d (-want +got):\n%s", r.Status, diff)
	}
}
