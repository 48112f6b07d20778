package authz_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"smartd/authz"
	"smartd/server"
)

// verifyWithPublishedJWKS checks an access token the way an independent
// resource server would: the key named by kid in the JWKS that discovery
// points to, ES256, and the claims.
func verifyWithPublishedJWKS(t *testing.T, s *testServer, token string) *authz.AccessTokenClaims {
	t.Helper()
	doc := do(t, "GET", s.fhir+authz.SMARTConfigurationPath, nil).json(t)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(do(t, "GET", doc["jwks_uri"].(string), nil).Body, &set); err != nil {
		t.Fatal(err)
	}
	var c authz.AccessTokenClaims
	tok, err := jwt.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		keys := set.Key(kid)
		if len(keys) != 1 {
			t.Fatalf("kid %q names %d published keys", kid, len(keys))
		}
		pub, ok := keys[0].Key.(*ecdsa.PublicKey)
		if !ok {
			t.Fatalf("key %q is %T", kid, keys[0].Key)
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(s.fhir), jwt.WithAudience(s.fhir),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(s.clock.Now))
	if err != nil {
		t.Fatalf("access token does not verify with the published JWKS: %v", err)
	}
	if typ := tok.Header["typ"]; typ != "at+jwt" {
		t.Errorf("typ %v, want at+jwt", typ)
	}
	return &c
}

// TestClientCredentials is SMART Backend Services end to end with an
// independent client (golang.org/x/oauth2): RS384 and ES384 clients
// registered through the registration endpoint with an inline JWKS, and
// one whose keys are at a jwks_uri on 127.0.0.1.
func TestClientCredentials(t *testing.T) {
	s := newTestServer(t)
	rs, es, remote := newBackend(t, "RS384"), newBackend(t, "ES384"), newBackend(t, "ES384")
	rs.register(t, s, rs.metadata(t, "system/*.rs system/Observation.cruds"))
	es.register(t, s, es.metadata(t, "system/*.*"))
	keysServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(remote.jwks(t))
	}))
	defer keysServer.Close()
	md := remote.metadata(t, "system/Patient.rs")
	delete(md, "jwks")
	md["jwks_uri"] = keysServer.URL + "/jwks.json"
	remote.register(t, s, md)

	for _, tc := range []struct {
		name      string
		client    *backend
		scopes    []string
		wantScope string
	}{
		{"RS384 v2", rs, []string{"system/Patient.rs", "system/Observation.rs"}, "system/Patient.rs system/Observation.rs"},
		{"RS384 narrowed", rs, []string{"system/*.cruds"}, "system/*.rs system/Observation.cruds"},
		{"ES384 v1", es, []string{"system/*.read"}, "system/*.read"},
		{"ES384 openid and launch dropped", es, []string{"openid", "fhirUser", "launch", "launch/patient", "offline_access", "system/Encounter.rs", "patient/*.rs"}, "system/Encounter.rs"},
		{"jwks_uri", remote, []string{"system/Patient.rs"}, "system/Patient.rs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := s.clock.Now().Truncate(time.Second)
			tok := tc.client.token(t, s, tc.scopes...)
			if !strings.EqualFold(tok.TokenType, "bearer") || tok.RefreshToken != "" {
				t.Errorf("token_type %q, refresh_token %q", tok.TokenType, tok.RefreshToken)
			}
			if got := tok.Extra("scope"); got != tc.wantScope {
				t.Errorf("scope %q, want %q", got, tc.wantScope)
			}
			if got := tok.Extra("expires_in"); got != float64(300) {
				t.Errorf("expires_in %v, want 300", got)
			}
			c := verifyWithPublishedJWKS(t, s, tok.AccessToken)
			want := authz.AccessTokenClaims{
				RegisteredClaims: jwt.RegisteredClaims{
					Issuer: s.fhir, Subject: tc.client.id, Audience: jwt.ClaimStrings{s.fhir},
					IssuedAt: jwt.NewNumericDate(start), ExpiresAt: jwt.NewNumericDate(start.Add(5 * time.Minute)),
					ID: c.ID,
				},
				ClientID: tc.client.id,
				Scope:    tc.wantScope,
			}
			if diff := cmp.Diff(want, *c); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
			if len(c.ID) < 22 {
				t.Errorf("jti %q is too short", c.ID)
			}
		})
	}
}

// TestClientCredentialsErrors asserts each failure through the
// *oauth2.RetrieveError the independent client returns.
func TestClientCredentialsErrors(t *testing.T) {
	s := newTestServer(t)
	b, stranger := newBackend(t, "ES384"), newBackend(t, "RS384")
	b.register(t, s, b.metadata(t, "system/Observation.rs"))
	stranger.id = "no-such-client"
	// A symmetric client registered for authorization_code only.
	r := postJSON(t, "POST", s.registerURL(), map[string]any{
		"client_name": "web app", "redirect_uris": []string{"https://app.example/cb"}, "scope": "system/*.rs",
		"token_endpoint_auth_method": "client_secret_basic",
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	web := r.json(t)

	for _, tc := range []struct {
		name   string
		config func() *clientcredentials.Config
		status int
		code   string
	}{
		{"nothing grantable", func() *clientcredentials.Config { return b.config(t, s, "system/Patient.rs", "openid") }, 400, "invalid_scope"},
		{"user scopes only", func() *clientcredentials.Config { return b.config(t, s, "user/Observation.rs") }, 400, "invalid_scope"},
		{"no scope", func() *clientcredentials.Config { return b.config(t, s) }, 400, "invalid_request"},
		{"malformed scope", func() *clientcredentials.Config { return b.config(t, s, "system/Observation.rs\x01") }, 400, "invalid_scope"},
		{"unknown client", func() *clientcredentials.Config { return stranger.config(t, s, "system/Observation.rs") }, 401, "invalid_client"},
		{"assertion for another audience", func() *clientcredentials.Config {
			c := b.config(t, s, "system/Observation.rs")
			c.EndpointParams.Set("client_assertion", b.assertion(t, s.introspectURL(), s.clock.Now()))
			return c
		}, 401, "invalid_client"},
		{"bad assertion type", func() *clientcredentials.Config {
			c := b.config(t, s, "system/Observation.rs")
			c.EndpointParams.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
			return c
		}, 400, "invalid_request"},
		{"not a grant type", func() *clientcredentials.Config {
			c := b.config(t, s, "system/Observation.rs")
			c.EndpointParams.Set("grant_type", "not_a_grant_type")
			return c
		}, 400, "unsupported_grant_type"},
		{"backend client not registered for authorization_code", func() *clientcredentials.Config {
			c := b.config(t, s, "system/Observation.rs")
			c.EndpointParams.Set("grant_type", "authorization_code")
			return c
		}, 400, "unauthorized_client"},
		{"client not registered for client_credentials", func() *clientcredentials.Config {
			return &clientcredentials.Config{ClientID: web["client_id"].(string), ClientSecret: web["client_secret"].(string),
				TokenURL: s.tokenURL(), Scopes: []string{"system/*.rs"}, AuthStyle: oauth2.AuthStyleInHeader}
		}, 400, "unauthorized_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.config().Token(context.Background())
			re := retrieveError(t, err)
			if re.Response.StatusCode != tc.status || re.ErrorCode != tc.code {
				t.Errorf("%d %s (%s), want %d %s", re.Response.StatusCode, re.ErrorCode, re.ErrorDescription, tc.status, tc.code)
			}
			if re.ErrorDescription == "" {
				t.Error("no error_description")
			}
			checkNoStore(t, tc.name, re.Response.Header)
		})
	}
}

// TestTokenEndpointHTTP covers what an OAuth client library never sends:
// a missing grant_type, the wrong method or body, repeated parameters;
// and the headers of a success.
func TestTokenEndpointHTTP(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "RS384")
	b.register(t, s, b.metadata(t, "system/*.rs"))

	form := b.clientAuth(t, s, s.tokenURL())
	form.Set("grant_type", "client_credentials")
	form.Set("scope", "system/Patient.rs")
	ok := postForm(t, s.tokenURL(), form)
	if ok.Status != http.StatusOK || ok.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("token: %d %v %s", ok.Status, ok.Header, ok.Body)
	}
	checkNoStore(t, "success", ok.Header)
	body := ok.json(t)
	if _, has := body["refresh_token"]; has || body["token_type"] != "bearer" || body["expires_in"] != float64(300) {
		t.Errorf("response %v", body)
	}

	for _, tc := range []struct {
		name   string
		method string
		body   string
		ctype  string
		status int
		code   string
	}{
		{"no grant_type", "POST", "scope=system%2FPatient.rs", "application/x-www-form-urlencoded", 400, "unsupported_grant_type"},
		{"empty grant_type", "POST", "grant_type=", "application/x-www-form-urlencoded", 400, "unsupported_grant_type"},
		{"not_a_grant_type", "POST", "grant_type=not_a_grant_type", "application/x-www-form-urlencoded", 400, "unsupported_grant_type"},
		{"repeated grant_type", "POST", "grant_type=client_credentials&grant_type=client_credentials", "application/x-www-form-urlencoded", 400, "invalid_request"},
		{"JSON body", "POST", `{"grant_type":"client_credentials"}`, "application/json", 400, "invalid_request"},
		{"GET", "GET", "", "", 405, "invalid_request"},
		{"no client credentials", "POST", "grant_type=client_credentials&scope=system%2FPatient.rs", "application/x-www-form-urlencoded", 401, "invalid_client"},
		{"huge body", "POST", "grant_type=client_credentials&x=" + strings.Repeat("a", 70<<10), "application/x-www-form-urlencoded", 413, "invalid_request"},
	} {
		r := do(t, tc.method, s.tokenURL(), strings.NewReader(tc.body), "Content-Type", tc.ctype)
		if got := r.json(t)["error"]; r.Status != tc.status || got != tc.code {
			t.Errorf("%s: %d %v, want exactly %d %s (%s)", tc.name, r.Status, got, tc.status, tc.code, r.Body)
		}
		checkNoStore(t, tc.name, r.Header)
	}
	if r := do(t, "GET", s.tokenURL(), nil); r.Header.Get("Allow") != "POST" {
		t.Errorf("405 Allow %q, want POST", r.Header.Get("Allow"))
	}
}

// TestAccessTokenLifetime: the lifetime can be set lower than five
// minutes, and expires_in and exp follow it.
func TestAccessTokenLifetime(t *testing.T) {
	s := newTestServer(t, func(c *server.Config) { c.AccessTokenLifetime = 90 * time.Second })
	b := newBackend(t, "ES384")
	b.register(t, s, b.metadata(t, "system/*.rs"))
	tok := b.token(t, s, "system/Patient.rs")
	c := verifyWithPublishedJWKS(t, s, tok.AccessToken)
	if tok.Extra("expires_in") != float64(90) || c.ExpiresAt.Sub(c.IssuedAt.Time) != 90*time.Second {
		t.Errorf("expires_in %v, exp-iat %v; want 90 s", tok.Extra("expires_in"), c.ExpiresAt.Sub(c.IssuedAt.Time))
	}
	for _, d := range []time.Duration{6 * time.Minute, -time.Second} {
		_, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: "http://localhost:1", NoSamples: true, AccessTokenLifetime: d})
		if err == nil {
			t.Errorf("lifetime %v accepted", d)
		}
	}
}

// TestAssertionReplay: a client assertion is single-use (SMART
// client-confidential-asymmetric: jti replay refused).
func TestAssertionReplay(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "ES384")
	b.register(t, s, b.metadata(t, "system/*.rs"))
	form := b.clientAuth(t, s, s.tokenURL())
	form.Set("grant_type", "client_credentials")
	form.Set("scope", "system/Patient.rs")
	if r := postForm(t, s.tokenURL(), form); r.Status != http.StatusOK {
		t.Fatalf("first use: %d %s", r.Status, r.Body)
	}
	if r := postForm(t, s.tokenURL(), form); r.Status != http.StatusUnauthorized || r.json(t)["error"] != "invalid_client" {
		t.Errorf("replay: %d %s", r.Status, r.Body)
	}
}
