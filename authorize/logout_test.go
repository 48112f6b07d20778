package authorize

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"smartd/authz/grants"
	"smartd/sessions"
)

// TestLogout: GET asks, POST with the session's token signs out: the
// session ends, the cookie is cleared, online access ends with it, and
// the next authorize asks for a login.
func TestLogout(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	const scopes = "launch/patient openid patient/*.rs online_access"
	g := b.redeem(b.allow(consentPage(t, b, scopes)))
	rt, err := e.grants.IssueRefresh(g.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, rt, err = e.grants.RotateRefresh(rt, testClient); err != nil {
		t.Fatalf("refresh while signed in: %v", err)
	}
	sessionID := b.cookie()

	resp, body := b.do(http.MethodGet, e.srv.URL+LogoutPath, nil)
	if resp.StatusCode != http.StatusOK || page(body) != LogoutPath || !strings.Contains(body, "Sign out?") || !strings.Contains(body, "Pat Lee") {
		t.Fatalf("GET logout: %d, want the question with a form:\n%s", resp.StatusCode, body)
	}
	if _, err := e.sessions.Get(sessionID); err != nil {
		t.Fatalf("GET ended the session: %v", err)
	}
	resp, body = b.submit(body, LogoutPath, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You are signed out") {
		t.Fatalf("POST logout: %d:\n%s", resp.StatusCode, body)
	}
	if c := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(c, sessions.CookieNameInsecure+"=;") || !strings.Contains(c, "Max-Age=0") {
		t.Errorf("Set-Cookie %q, want the cookie cleared", c)
	}
	if _, err := e.sessions.Get(sessionID); !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("session after logout: %v, want ErrNotFound", err)
	}
	if _, _, err := e.grants.RotateRefresh(rt, testClient); !errors.Is(err, grants.ErrSessionEnded) {
		t.Errorf("refresh of the online grant after logout: %v, want ErrSessionEnded", err)
	}
	if _, body := b.start(scopes); page(body) != LoginPath {
		t.Errorf("authorize after logout shows %q, want the login page", page(body))
	}
	var logouts []AuthEvent
	for _, ev := range e.auditEvents() {
		if ev.Action == ActionLogout {
			logouts = append(logouts, ev)
		}
	}
	if len(logouts) != 1 || logouts[0].Username != "pat" || logouts[0].Outcome != OutcomeSuccess {
		t.Errorf("logout audit %+v, want one success for pat", logouts)
	}
}

// TestLogoutRefusals: no sign-out without the session's token or from
// another origin, and nothing to sign out without a session.
func TestLogoutRefusals(t *testing.T) {
	e := newEnv(t)
	t.Run("not signed in", func(t *testing.T) {
		resp, body := e.browser().do(http.MethodGet, e.srv.URL+LogoutPath, nil)
		if resp.StatusCode != http.StatusOK || page(body) != "" || !strings.Contains(body, "You are not signed in") {
			t.Errorf("got %d:\n%s", resp.StatusCode, body)
		}
	})
	tests := []struct {
		name   string
		token  string
		header string
	}{
		{"no token", "", ""},
		{"forged token", "forged", ""},
		{"cross-site", "*", "cross-site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			b.redeem(b.allow(consentPage(t, b, "launch/patient openid patient/*.rs")))
			_, body := b.do(http.MethodGet, e.srv.URL+LogoutPath, nil)
			form := formFields(t, body, LogoutPath)
			if tt.token != "*" {
				form.Set(sessions.CSRFField, tt.token)
			}
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+LogoutPath, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.header != "" {
				req.Header.Set("Sec-Fetch-Site", tt.header)
			}
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("got %d, want 403", resp.StatusCode)
			}
			if _, err := e.sessions.Get(b.cookie()); err != nil {
				t.Errorf("the session ended: %v", err)
			}
		})
	}
}
