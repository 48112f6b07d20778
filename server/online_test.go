package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smartd/server"
	"smartd/sessions"
)

// refresh redeems a refresh token at the token endpoint as the demo
// public app and returns the status, the new refresh token and the
// OAuth error code.
func (l *launch) refresh(rt string) (status int, newRT, errCode string) {
	l.t.Helper()
	resp, err := http.PostForm(l.ts.URL+"/auth/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {server.DemoPublicClientID},
	})
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		RefreshToken string `json:"refresh_token"`
		Error        string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		l.t.Fatal(err)
	}
	return resp.StatusCode, body.RefreshToken, body.Error
}

// sessionID is the browser's session cookie.
func (l *launch) sessionID() string {
	l.t.Helper()
	u, _ := url.Parse(l.ts.URL)
	for _, c := range l.client.Jar.Cookies(u) {
		if c.Name == sessions.CookieNameInsecure {
			return c.Value
		}
	}
	l.t.Fatal("no session cookie")
	return ""
}

// authorizeAs runs a standalone launch as jose, allowing every scope.
func (l *launch) authorizeAs(scopes string) string {
	l.t.Helper()
	_, page := l.start(scopes)
	_, page = l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
	resp, _ := l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
	tok := l.finish(resp)
	if got := tok.Extra("scope"); got != scopes {
		l.t.Fatalf("scope %v, want %s", got, scopes)
	}
	if tok.RefreshToken == "" {
		l.t.Fatal("no refresh token")
	}
	return tok.RefreshToken
}

// TestOnlineAccessEndsWithSession: an online_access refresh token stops
// working when the user's session ends (SMART App Launch 2.2, "Scopes for
// requesting a refresh token"); an offline_access one does not.
func TestOnlineAccessEndsWithSession(t *testing.T) {
	tests := []struct {
		access      string
		afterLogout int
		wantErr     string
	}{
		{"online_access", http.StatusBadRequest, "invalid_grant"},
		{"offline_access", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.access, func(t *testing.T) {
			ts, srv := launchServerWith(t)
			l := newLaunch(t, ts)
			rt := l.authorizeAs("launch/patient openid fhirUser patient/*.rs " + tt.access)
			status, rt, code := l.refresh(rt)
			if status != http.StatusOK || rt == "" {
				t.Fatalf("refresh while logged in: %d %s, want 200 with a refresh token", status, code)
			}
			if err := srv.Sessions().Delete(l.sessionID()); err != nil {
				t.Fatal(err)
			}
			status, _, code = l.refresh(rt)
			if status != tt.afterLogout || code != tt.wantErr {
				t.Errorf("refresh after logout: %d %q, want %d %q", status, code, tt.afterLogout, tt.wantErr)
			}
		})
	}
}

// TestOnlineAccessOtherSession: ending another session of the same user
// leaves the grant alone.
func TestOnlineAccessOtherSession(t *testing.T) {
	ts, srv := launchServerWith(t)
	first, second := newLaunch(t, ts), newLaunch(t, ts)
	rt := first.authorizeAs("launch/patient openid patient/*.rs online_access")
	second.authorizeAs("launch/patient openid patient/*.rs online_access")
	if strings.EqualFold(first.sessionID(), second.sessionID()) {
		t.Fatal("two browsers share a session")
	}
	if err := srv.Sessions().Delete(second.sessionID()); err != nil {
		t.Fatal(err)
	}
	if status, _, code := first.refresh(rt); status != http.StatusOK {
		t.Errorf("refresh after the other session ended: %d %s, want 200", status, code)
	}
}
