package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// TestStandaloneLaunchOpenIDAndRefresh: a patient's standalone launch
// with golang.org/x/oauth2 and PKCE gets an id_token that verifies
// against the published JWKS with the claims OpenID Connect and SMART ask
// for, a fhirUser that the access token can read, and a refresh token that
// rotates twice; replaying a rotated one revokes the whole grant.
func TestStandaloneLaunchOpenIDAndRefresh(t *testing.T) {
	w := newFHIRWorld(t)
	l := newLaunch(t, w.ts)
	l.conf.ClientID = matrixApp
	const scopes = "launch/patient openid fhirUser offline_access patient/*.rs"
	_, page := l.start(scopes, oauth2.SetAuthURLParam("nonce", "n-0S6_WzA2Mj"))
	_, page = l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
	resp, _ := l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
	tok := l.finish(resp)

	raw, _ := tok.Extra("id_token").(string)
	resp, err := http.Get(w.ts.URL + "/auth/jwks")
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(raw, claims, func(tk *jwt.Token) (any, error) {
		kid, _ := tk.Header["kid"].(string)
		keys := set.Key(kid)
		if len(keys) != 1 {
			return nil, fmt.Errorf("kid %q: %d keys in the JWKS", kid, len(keys))
		}
		return keys[0].Key, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(w.base), jwt.WithAudience(matrixApp), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		t.Fatalf("id_token does not verify against the JWKS: %v", err)
	}
	fhirUser := w.base + "/Patient/" + patientA
	if claims["nonce"] != "n-0S6_WzA2Mj" || claims["fhirUser"] != fhirUser || claims["sub"] == "" {
		t.Errorf("id_token claims: %v", claims)
	}
	if r := w.get(tok.AccessToken, fhirUser); r.status != http.StatusOK {
		t.Errorf("fhirUser with the access token: %d", r.status)
	}

	rt1 := tok.RefreshToken
	refresh := func(rt string) (int, string, string) {
		resp, err := http.PostForm(w.ts.URL+"/auth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {matrixApp}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			RefreshToken string `json:"refresh_token"`
			Error        string `json:"error"`
		}
		decodeJSON(t, resp.Body, &body)
		return resp.StatusCode, body.RefreshToken, body.Error
	}
	status, rt2, _ := refresh(rt1)
	if status != 200 || rt2 == "" || rt2 == rt1 {
		t.Fatalf("first rotation: %d, new token %v", status, rt2 != "")
	}
	status, rt3, _ := refresh(rt2)
	if status != 200 || rt3 == "" || rt3 == rt2 {
		t.Fatalf("second rotation: %d", status)
	}
	if status, _, code := refresh(rt1); status != http.StatusBadRequest || code != "invalid_grant" {
		t.Errorf("replaying a rotated refresh token: %d %q, want 400 invalid_grant", status, code)
	}
	if status, _, code := refresh(rt3); status != http.StatusBadRequest || code != "invalid_grant" {
		t.Errorf("the newest refresh token after a replay: %d %q, want the grant revoked", status, code)
	}
	if r := w.get(tok.AccessToken, "/Patient/"+patientA); r.status != http.StatusUnauthorized {
		t.Errorf("an access token of the revoked grant: %d, want 401", r.status)
	}
}

// TestAuthorizeRefusals: what the authorize endpoint refuses before any
// code exists, through the real router: each redirects to the app with the
// exact error and the state, and no code.
func TestAuthorizeRefusals(t *testing.T) {
	ts := launchServer(t)
	base := func() url.Values {
		return url.Values{"response_type": {"code"}, "client_id": {"demo-public"}, "redirect_uri": {"http://localhost:8000/callback"},
			"scope": {"launch/patient patient/*.rs"}, "state": {"st-1"}, "aud": {ts.URL + "/fhir"},
			"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	}
	for _, tc := range []struct {
		name     string
		edit     func(url.Values)
		wantCode string
	}{
		{"missing PKCE", func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, "invalid_request"},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"wrong aud", func(v url.Values) { v.Set("aud", "https://elsewhere.example/fhir") }, "invalid_request"},
		{"unknown scope only", func(v url.Values) { v.Set("scope", "bogus") }, "invalid_scope"},
		{"response_type token", func(v url.Values) { v.Set("response_type", "token") }, "unsupported_response_type"},
	} {
		v := base()
		tc.edit(v)
		l := newLaunch(t, ts)
		resp, _ := l.do(http.MethodGet, ts.URL+"/auth/authorize?"+v.Encode(), nil)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("error") != tc.wantCode || loc.Query().Get("state") != "st-1" || loc.Query().Has("code") {
			t.Errorf("%s: %d to %q, want a redirect with error=%s and the state", tc.name, resp.StatusCode, resp.Header.Get("Location"), tc.wantCode)
		}
	}
}
