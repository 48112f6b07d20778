package authz_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"smartd/authz"
	"smartd/authz/grants"
	"smartd/server"
)

// publicRedirect is the redirect URI of the demo public app.
const publicRedirect = "http://localhost:8000/callback"

// userGrant is a grant of the demo public app as the authorization
// endpoint will make it.
func userGrant() grants.Grant {
	return grants.Grant{
		ClientID: server.DemoPublicClientID,
		User:     "Practitioner/p1",
		Scope:    "launch/patient openid fhirUser offline_access patient/*.rs",
		Context: grants.LaunchContext{
			Patient: "pat1", Encounter: "enc1", FHIRContext: json.RawMessage(`[{"reference":"Encounter/enc1"}]`),
			NeedPatientBanner: true, SMARTStyleURL: "https://ehr.example/style.json",
		},
		Offline: true,
	}
}

// publicConfig is golang.org/x/oauth2's view of the demo public app.
func publicConfig(s *testServer) *oauth2.Config {
	return &oauth2.Config{
		ClientID:    server.DemoPublicClientID,
		Endpoint:    oauth2.Endpoint{TokenURL: s.tokenURL(), AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: publicRedirect,
	}
}

// issueCode issues a code for g bound to the S256 challenge of a fresh
// verifier, which it returns.
func issueCode(t *testing.T, s *testServer, g grants.Grant, nonce string) (code, verifier string) {
	t.Helper()
	verifier = oauth2.GenerateVerifier()
	code, err := s.srv.Grants().IssueCode(g, publicRedirect, oauth2.S256ChallengeFromVerifier(verifier), nonce)
	if err != nil {
		t.Fatal(err)
	}
	return code, verifier
}

// refresh posts a refresh_token request for the demo public app.
func refresh(t *testing.T, s *testServer, token, scope string) reply {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {server.DemoPublicClientID}}
	if scope != "" {
		form.Set("scope", scope)
	}
	r := postForm(t, s.tokenURL(), form)
	checkNoStore(t, "refresh", r.Header)
	return r
}

// wantError checks an error reply's status and code.
func wantError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.Status != status || r.json(t)["error"] != code {
		t.Errorf("got %d %s, want %d %s", r.Status, r.Body, status, code)
	}
}

// verifyIDToken checks an id_token with the published JWKS: RS256, iss
// the FHIR base, aud the client_id.
func verifyIDToken(t *testing.T, s *testServer, token, clientID string) *authz.IDTokenClaims {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(do(t, "GET", s.root+"/auth/jwks", nil).Body, &set); err != nil {
		t.Fatal(err)
	}
	var c authz.IDTokenClaims
	_, err := jwt.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		keys := set.Key(kid)
		if len(keys) != 1 {
			t.Fatalf("kid %q names %d published keys", kid, len(keys))
		}
		pub, ok := keys[0].Key.(*rsa.PublicKey)
		if !ok {
			t.Fatalf("key %q is %T", kid, keys[0].Key)
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(s.fhir), jwt.WithAudience(clientID),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(s.clock.Now))
	if err != nil {
		t.Fatalf("id_token does not verify with the published JWKS: %v", err)
	}
	return &c
}

// TestAuthorizationCode is the code exchange of a public client with real
// PKCE through golang.org/x/oauth2, then two refreshes.
func TestAuthorizationCode(t *testing.T) {
	s := newTestServer(t)
	conf := publicConfig(s)
	code, verifier := issueCode(t, s, userGrant(), "n-0S6")
	start := s.clock.Now().Truncate(time.Second)
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" {
		t.Errorf("token_type %q, refresh_token %q", tok.TokenType, tok.RefreshToken)
	}
	wantExtra := map[string]any{
		"scope": userGrant().Scope, "expires_in": float64(3600), "patient": "pat1", "encounter": "enc1",
		"fhirContext":         []any{map[string]any{"reference": "Encounter/enc1"}},
		"need_patient_banner": true, "smart_style_url": "https://ehr.example/style.json",
	}
	for k, want := range wantExtra {
		if diff := cmp.Diff(want, tok.Extra(k)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	c := verifyWithPublishedJWKS(t, s, tok.AccessToken)
	fhirUser := s.fhir + "/Practitioner/p1"
	if c.Subject != "Practitioner/p1" || c.ClientID != server.DemoPublicClientID || c.Scope != userGrant().Scope ||
		c.Patient != "pat1" || c.Encounter != "enc1" || c.FHIRUser != fhirUser || c.Grant == "" ||
		!c.ExpiresAt.Equal(start.Add(authz.DefaultUserAccessTokenLifetime)) {
		t.Errorf("access token claims %+v", c)
	}
	idToken, _ := tok.Extra("id_token").(string)
	ic := verifyIDToken(t, s, idToken, server.DemoPublicClientID)
	if ic.Subject != "Practitioner/p1" || ic.Nonce != "n-0S6" || ic.FHIRUser != fhirUser || ic.ExpiresAt == nil {
		t.Errorf("id_token claims %+v", ic)
	}

	// Refresh twice: each gives a new refresh token and ends the old one.
	rt := tok.RefreshToken
	for i := range 2 {
		r := refresh(t, s, rt, "")
		if r.Status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, r.Status, r.Body)
		}
		body := r.json(t)
		next, _ := body["refresh_token"].(string)
		if next == "" || next == rt || body["patient"] != "pat1" || body["scope"] != userGrant().Scope || body["id_token"] == nil {
			t.Fatalf("refresh %d: %s", i, r.Body)
		}
		rt = next
	}
	// Narrowing drops openid, and with it the id_token.
	r := refresh(t, s, rt, "patient/Observation.rs offline_access")
	if r.Status != http.StatusOK {
		t.Fatalf("narrowed refresh: %d %s", r.Status, r.Body)
	}
	if body := r.json(t); body["scope"] != "patient/Observation.rs offline_access" || body["id_token"] != nil {
		t.Errorf("narrowed refresh: %s", r.Body)
	}

	// golang.org/x/oauth2 refreshes an expired token by itself.
	ts := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: r.json(t)["refresh_token"].(string), Expiry: time.Unix(1, 0)})
	if got, err := ts.Token(); err != nil || got.AccessToken == "" {
		t.Errorf("oauth2 refresh: %v", err)
	}
}

// TestAuthorizationCodeErrors asserts each refusal of a code exchange
// through the *oauth2.RetrieveError of golang.org/x/oauth2.
func TestAuthorizationCodeErrors(t *testing.T) {
	s := newTestServer(t)
	conf := publicConfig(s)
	for _, tc := range []struct {
		name     string
		grant    func() grants.Grant
		exchange func(code, verifier string) []oauth2.AuthCodeOption
		redirect string
		sendCode string // instead of the issued code
		wait     time.Duration
		status   int
		code     string
		desc     string // in the error_description
	}{
		{name: "wrong verifier", exchange: func(_, _ string) []oauth2.AuthCodeOption {
			return []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.GenerateVerifier())}
		}, status: 400, code: "invalid_grant", desc: "does not match"},
		{name: "verifier equal to the challenge", exchange: func(_, v string) []oauth2.AuthCodeOption {
			return []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.S256ChallengeFromVerifier(v))}
		}, status: 400, code: "invalid_grant", desc: "equals code_challenge"},
		{name: "missing verifier", exchange: func(_, _ string) []oauth2.AuthCodeOption { return nil }, status: 400, code: "invalid_grant", desc: "code_verifier is missing"},
		{name: "mismatched redirect_uri", redirect: "http://localhost:8000/other", status: 400, code: "invalid_grant", desc: "redirect_uri"},
		{name: "expired code", wait: grants.CodeLifetime + time.Second, status: 400, code: "invalid_grant", desc: "expired"},
		{name: "code of another client", grant: func() grants.Grant {
			g := userGrant()
			g.ClientID = "another-app"
			return g
		}, status: 400, code: "invalid_grant", desc: "another client"},
		{name: "unknown code", sendCode: "not-a-code", status: 400, code: "invalid_grant", desc: "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := userGrant()
			if tc.grant != nil {
				g = tc.grant()
			}
			code, verifier := issueCode(t, s, g, "")
			opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
			if tc.exchange != nil {
				opts = tc.exchange(code, verifier)
			}
			c := *conf
			if tc.redirect != "" {
				c.RedirectURL = tc.redirect
			}
			s.clock.Add(tc.wait)
			sent := code
			if tc.sendCode != "" {
				sent = tc.sendCode
			}
			_, err := c.Exchange(context.Background(), sent, opts...)
			re := retrieveError(t, err)
			if re.Response.StatusCode != tc.status || re.ErrorCode != tc.code || !strings.Contains(re.ErrorDescription, tc.desc) {
				t.Errorf("got %d %q (%s), want %d %q", re.Response.StatusCode, re.ErrorCode, re.ErrorDescription, tc.status, tc.code)
			}
			checkNoStore(t, tc.name, re.Response.Header)
			// The first attempt consumed the code whatever its outcome.
			if tc.sendCode != "" {
				return
			}
			if _, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); retrieveError(t, err).ErrorCode != "invalid_grant" {
				t.Errorf("second attempt: %v", err)
			}
		})
	}
}

// TestAuthorizationCodeReuse: a code presented twice revokes its grant;
// the access and refresh tokens of the first exchange stop working.
func TestAuthorizationCodeReuse(t *testing.T) {
	s := newTestServer(t)
	caller := newBackend(t, "ES384")
	caller.register(t, s, caller.metadata(t, "system/*.rs"))
	conf := publicConfig(s)
	code, verifier := issueCode(t, s, userGrant(), "")
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if !active(t, s, caller, tok.AccessToken) {
		t.Fatal("fresh access token is inactive")
	}
	_, err = conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if re := retrieveError(t, err); re.ErrorCode != "invalid_grant" {
		t.Errorf("reused code: %q", re.ErrorCode)
	}
	if active(t, s, caller, tok.AccessToken) {
		t.Error("the access token of a reused code is still active")
	}
	wantError(t, refresh(t, s, tok.RefreshToken, ""), 400, "invalid_grant")
}

// TestRefreshErrors: widening the scope is invalid_scope and leaves the
// token working; a rotated token presented again revokes the grant, so
// the newest token fails too; another client cannot use the token.
func TestRefreshErrors(t *testing.T) {
	s := newTestServer(t)
	caller := newBackend(t, "ES384")
	caller.register(t, s, caller.metadata(t, "system/*.rs"))
	code, verifier := issueCode(t, s, userGrant(), "")
	tok, err := publicConfig(s).Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rt1 := tok.RefreshToken
	wantError(t, refresh(t, s, rt1, "patient/*.cruds"), 400, "invalid_scope")
	wantError(t, refresh(t, s, rt1, "user/*.rs"), 400, "invalid_scope")
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt1}}
	wantError(t, postForm(t, s.tokenURL(), form, "Authorization", "Bearer x"), 401, "invalid_client")

	r := refresh(t, s, rt1, "")
	if r.Status != http.StatusOK {
		t.Fatalf("refresh after refusals: %d %s", r.Status, r.Body)
	}
	rt2 := r.json(t)["refresh_token"].(string)
	at2 := r.json(t)["access_token"].(string)
	wantError(t, refresh(t, s, rt1, ""), 400, "invalid_grant")
	wantError(t, refresh(t, s, rt2, ""), 400, "invalid_grant")
	if active(t, s, caller, at2) || active(t, s, caller, tok.AccessToken) {
		t.Error("access tokens of a revoked grant are still active")
	}
}

// TestRevokeRefreshToken: revoking a refresh token at the revocation
// endpoint ends it and the access tokens of its grant; another client's
// revocation does nothing.
func TestRevokeRefreshToken(t *testing.T) {
	s := newTestServer(t)
	caller := newBackend(t, "ES384")
	caller.register(t, s, caller.metadata(t, "system/*.rs"))
	code, verifier := issueCode(t, s, userGrant(), "")
	tok, err := publicConfig(s).Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if r := revoke(t, s, tok.RefreshToken, "refresh_token", caller.clientAuth(t, s, s.revokeURL())); r.Status != http.StatusOK {
		t.Fatalf("revoke by another client: %d %s", r.Status, r.Body)
	}
	if !active(t, s, caller, tok.AccessToken) {
		t.Fatal("another client's revocation ended the token")
	}
	r := revoke(t, s, tok.RefreshToken, "refresh_token", url.Values{"client_id": {server.DemoPublicClientID}})
	if r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if active(t, s, caller, tok.AccessToken) {
		t.Error("the access token of a revoked refresh token is still active")
	}
	wantError(t, refresh(t, s, tok.RefreshToken, ""), 400, "invalid_grant")
}
