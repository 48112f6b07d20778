package authz_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/authz"
	"smartd/server"
)

// webApp is RFC 7591 metadata of a confidential-symmetric web app.
func webApp() map[string]any {
	return map[string]any{
		"client_name": "web app", "redirect_uris": []string{"https://app.example/cb"},
		"initiate_login_uri": "https://app.example/launch", "scope": "launch patient/*.rs openid fhirUser",
		"grant_types": []string{"authorization_code"}, "token_endpoint_auth_method": "client_secret_basic",
	}
}

// TestRegistrationOpen is RFC 7591 §3 under the open policy: 201 with the
// credentials shown once, and RFC 7591 §3.2.2 errors naming the field.
func TestRegistrationOpen(t *testing.T) {
	s := newTestServer(t)
	r := postJSON(t, "POST", s.registerURL(), webApp())
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	checkNoStore(t, "registration", r.Header)
	got := r.json(t)
	id, _ := got["client_id"].(string)
	if id == "" || got["client_secret"] == "" || got["registration_access_token"] == "" {
		t.Errorf("credentials missing: %v", got)
	}
	wantURI := s.registerURL() + "/" + id
	if got["registration_client_uri"] != wantURI || r.Header.Get("Location") != wantURI {
		t.Errorf("registration_client_uri %v, Location %q; want %s", got["registration_client_uri"], r.Header.Get("Location"), wantURI)
	}
	if got["client_secret_expires_at"] != float64(0) || got["initiate_login_uri"] != "https://app.example/launch" {
		t.Errorf("metadata: %v", got)
	}

	for _, tc := range []struct {
		name   string
		md     func(map[string]any)
		ctype  string
		status int
		code   string
	}{
		{"fragment in redirect URI", func(m map[string]any) { m["redirect_uris"] = []string{"https://app.example/cb#x"} }, "", 400, "invalid_redirect_uri"},
		{"http redirect URI", func(m map[string]any) { m["redirect_uris"] = []string{"http://app.example/cb"} }, "", 400, "invalid_redirect_uri"},
		{"unknown auth method", func(m map[string]any) { m["token_endpoint_auth_method"] = "tls_client_auth" }, "", 400, "invalid_client_metadata"},
		{"client_credentials with a secret", func(m map[string]any) {
			m["grant_types"] = []string{"client_credentials"}
			delete(m, "redirect_uris")
			delete(m, "initiate_login_uri")
		}, "", 400, "invalid_client_metadata"},
		{"server-assigned client_id", func(m map[string]any) { m["client_id"] = "mine" }, "", 400, "invalid_client_metadata"},
		{"no scope", func(m map[string]any) { delete(m, "scope") }, "", 400, "invalid_client_metadata"},
		{"form body", nil, "application/x-www-form-urlencoded", 400, "invalid_client_metadata"},
	} {
		md := webApp()
		if tc.md != nil {
			tc.md(md)
		}
		var r reply
		if tc.ctype != "" {
			r = do(t, "POST", s.registerURL(), strings.NewReader("client_name=x"), "Content-Type", tc.ctype)
		} else {
			r = postJSON(t, "POST", s.registerURL(), md)
		}
		body := r.json(t)
		if r.Status != tc.status || body["error"] != tc.code || body["error_description"] == "" {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.Status, r.Body, tc.status, tc.code)
		}
	}
	if r := do(t, "POST", s.registerURL(), strings.NewReader("{not json"), "Content-Type", "application/json"); r.Status != 400 || r.json(t)["error"] != "invalid_client_metadata" {
		t.Errorf("malformed JSON: %d %s", r.Status, r.Body)
	}
}

// TestRegistrationRateLimit: open registration is limited per address,
// with Retry-After.
func TestRegistrationRateLimit(t *testing.T) {
	s := newTestServer(t, func(c *server.Config) { c.RegistrationPerMinute = 2 })
	for i, want := range []int{201, 400, 429, 429} {
		md := webApp()
		if i == 1 {
			delete(md, "scope") // a failed attempt counts too
		}
		r := postJSON(t, "POST", s.registerURL(), md)
		if r.Status != want {
			t.Fatalf("request %d: %d %s, want %d", i, r.Status, r.Body, want)
		}
		if want == 429 && (r.json(t)["error"] != "slow_down" || r.Header.Get("Retry-After") == "") {
			t.Errorf("request %d: %s, Retry-After %q", i, r.Body, r.Header.Get("Retry-After"))
		}
	}
	s.clock.Add(31e9) // half a minute refills one request
	if r := postJSON(t, "POST", s.registerURL(), webApp()); r.Status != 201 {
		t.Errorf("after the refill: %d %s", r.Status, r.Body)
	}
}

// TestRegistrationPolicies: token needs the initial access token (RFC
// 7591 §3), closed refuses.
func TestRegistrationPolicies(t *testing.T) {
	const initial = "initial-access-token-for-tests-0123456789"
	tokenSrv := newTestServer(t, func(c *server.Config) {
		c.Registration, c.RegistrationToken = authz.RegistrationToken, initial
	})
	closedSrv := newTestServer(t, func(c *server.Config) { c.Registration = authz.RegistrationClosed })
	for _, tc := range []struct {
		name      string
		s         *testServer
		header    []string
		status    int
		code      string
		challenge bool
	}{
		{"token: none", tokenSrv, nil, 401, "invalid_token", true},
		{"token: wrong", tokenSrv, []string{"Authorization", "Bearer " + initial + "x"}, 401, "invalid_token", true},
		{"token: right", tokenSrv, []string{"Authorization", "Bearer " + initial}, 201, "", false},
		{"closed", closedSrv, []string{"Authorization", "Bearer " + initial}, 403, "access_denied", false},
	} {
		r := postJSON(t, "POST", tc.s.registerURL(), webApp(), tc.header...)
		if r.Status != tc.status || tc.code != "" && r.json(t)["error"] != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.Status, r.Body, tc.status, tc.code)
		}
		if got := strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer"); got != tc.challenge {
			t.Errorf("%s: WWW-Authenticate %q", tc.name, r.Header.Get("WWW-Authenticate"))
		}
	}
	if _, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: "http://localhost:1", NoSamples: true, Registration: authz.RegistrationToken}); err == nil {
		t.Error("the token policy started without a token")
	}
}

// TestRegistrationManagement is RFC 7592: read, update and delete with
// the registration access token; an unknown client or a wrong token is
// 401.
func TestRegistrationManagement(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "ES384")
	b.register(t, s, b.metadata(t, "system/Observation.rs"))
	auth := []string{"Authorization", "Bearer " + b.regTok}

	r := do(t, "GET", b.regURI, nil, auth...)
	if r.Status != 200 {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	checkNoStore(t, "read", r.Header)
	got := r.json(t)
	if got["client_id"] != b.id || got["scope"] != "system/Observation.rs" || got["registration_client_uri"] != b.regURI {
		t.Errorf("read: %v", got)
	}
	if got["registration_access_token"] != b.regTok || got["client_secret"] != nil {
		t.Errorf("read: registration_access_token %v (RFC 7592 §3 requires the current one), client_secret %v", got["registration_access_token"], got["client_secret"])
	}

	for _, tc := range []struct {
		name, method, uri string
		header            []string
	}{
		{"no token", "GET", b.regURI, nil},
		{"wrong token", "GET", b.regURI, []string{"Authorization", "Bearer x" + b.regTok}},
		{"unknown client", "GET", s.registerURL() + "/nobody", auth},
		{"delete with wrong token", "DELETE", b.regURI, []string{"Authorization", "Bearer x"}},
	} {
		r := do(t, tc.method, tc.uri, nil, tc.header...)
		if r.Status != 401 || r.json(t)["error"] != "invalid_token" || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d %s %v", tc.name, r.Status, r.Body, r.Header)
		}
	}

	// Update: the scope widens and the new scope can be granted.
	md := b.metadata(t, "system/Observation.rs system/Patient.rs")
	md["client_id"] = b.id
	if r := postJSON(t, "PUT", b.regURI, md, auth...); r.Status != 200 || r.json(t)["scope"] != "system/Observation.rs system/Patient.rs" || r.json(t)["registration_access_token"] != b.regTok {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	if tok := b.token(t, s, "system/Patient.rs"); tok.Extra("scope") != "system/Patient.rs" {
		t.Errorf("after update, scope %v", tok.Extra("scope"))
	}
	md["client_id"] = "someone-else"
	if r := postJSON(t, "PUT", b.regURI, md, auth...); r.Status != 400 || r.json(t)["error"] != "invalid_client_metadata" {
		t.Errorf("update with another client_id: %d %s", r.Status, r.Body)
	}

	// Delete: 204, then the client is gone.
	if r := do(t, "DELETE", b.regURI, nil, auth...); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", b.regURI, nil, auth...); r.Status != 401 {
		t.Errorf("read after delete: %d", r.Status)
	}
	_, err := b.config(t, s, "system/Patient.rs").Token(context.Background())
	if re := retrieveError(t, err); re.ErrorCode != "invalid_client" {
		t.Errorf("token after delete: %v", re)
	}
	if diff := cmp.Diff("GET, HEAD, PUT, DELETE", do(t, "POST", b.regURI, nil).Header.Get("Allow")); diff != "" {
		t.Errorf("Allow: %s", diff)
	}
}
