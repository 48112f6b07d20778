package authorize

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"smartd/sessions"
)

// alertText is the text of the login page's error paragraph.
func alertText(body string) string {
	_, rest, ok := strings.Cut(body, `role="alert" id="login-error">`)
	if !ok {
		return ""
	}
	text, _, _ := strings.Cut(rest, "<")
	return text
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name, username, password string
		wantPage, wantAlert      string
		wantEvent                AuthEvent
	}{
		{"success", "pat", "pat-password", ConsentPath, "",
			AuthEvent{Action: ActionLogin, Username: "pat", Outcome: OutcomeSuccess}},
		{"wrong password", "pat", "not-the-password", LoginPath, wrongCredentials,
			AuthEvent{Action: ActionLogin, Username: "pat", Outcome: OutcomeFailure, Reason: ReasonBadCredentials}},
		{"unknown user", "nobody", "pat-password", LoginPath, wrongCredentials,
			AuthEvent{Action: ActionLogin, Username: "nobody", Outcome: OutcomeFailure, Reason: ReasonBadCredentials}},
		{"disabled account", "gone", "gone-password", LoginPath, wrongCredentials,
			AuthEvent{Action: ActionLogin, Username: "gone", Outcome: OutcomeFailure, Reason: ReasonDisabled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			b := e.browser()
			resp, body := b.start("launch/patient openid patient/*.rs")
			if resp.StatusCode != http.StatusOK || page(body) != LoginPath {
				t.Fatalf("got %d, want the login page:\n%s", resp.StatusCode, body)
			}
			resp, body = b.submit(body, LoginPath, url.Values{"username": {tt.username}, "password": {tt.password}})
			if resp.StatusCode != http.StatusOK || page(body) != tt.wantPage || alertText(body) != tt.wantAlert {
				t.Errorf("got %d on %q with alert %q, want 200 on %q with %q", resp.StatusCode, page(body), alertText(body), tt.wantPage, tt.wantAlert)
			}
			events := e.auditEvents()
			if len(events) != 1 || events[0].Time.IsZero() || events[0].IP != "127.0.0.1" {
				t.Fatalf("audit events %+v, want one with a time and the IP", events)
			}
			if diff := cmp.Diff(tt.wantEvent, events[0], cmpopts.IgnoreFields(AuthEvent{}, "Time", "IP")); diff != "" {
				t.Errorf("audit event (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoginLockout: repeated failures lock the account (429 with
// Retry-After), even for the right password, and every step is audited.
func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	_, body := b.start("openid patient/*.rs")
	for range 3 {
		_, body = b.submit(body, LoginPath, url.Values{"username": {"pat"}, "password": {"wrong-password"}})
	}
	resp, body := b.login(body, "pat")
	if resp.StatusCode != http.StatusTooManyRequests || page(body) != LoginPath || !strings.Contains(alertText(body), "Too many sign-in attempts") {
		t.Fatalf("got %d with alert %q, want 429 on the login page", resp.StatusCode, alertText(body))
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s <= 0 || s > 15*60 {
		t.Errorf("Retry-After %q, want seconds up to the 15-minute lockout", resp.Header.Get("Retry-After"))
	}
	var reasons []string
	for _, ev := range e.auditEvents() {
		reasons = append(reasons, ev.Outcome+": "+ev.Reason)
	}
	want := []string{
		"failure: " + ReasonBadCredentials,
		"failure: " + ReasonBadCredentials,
		"failure: " + ReasonBadCredentials + ReasonLockedSuffix,
		"failure: " + ReasonThrottled,
	}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestLoginCSRF: the login form needs the pre-login session's token.
func TestLoginCSRF(t *testing.T) {
	e := newEnv(t)
	other := e.browser()
	_, otherPage := other.start("openid patient/*.rs")
	tests := []struct {
		name string
		set  url.Values
	}{
		{"missing", url.Values{sessions.CSRFField: nil}},
		{"another session's", url.Values{sessions.CSRFField: {formFields(t, otherPage, LoginPath).Get(sessions.CSRFField)}}},
		{"forged", url.Values{sessions.CSRFField: {"forged"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			_, body := b.start("openid patient/*.rs")
			tt.set["username"], tt.set["password"] = []string{"pat"}, []string{"pat-password"}
			if resp, body := b.submit(body, LoginPath, tt.set); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "did not come from this site") {
				t.Errorf("got %d, want the 403 page:\n%s", resp.StatusCode, body)
			}
		})
	}
}

// TestLoginNewSession: a successful login replaces the pre-login session
// (no session fixation).
func TestLoginNewSession(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	_, body := b.start("openid patient/*.rs")
	before := b.cookie()
	b.login(body, "pat")
	after := b.cookie()
	if before == "" || after == "" || before == after {
		t.Fatalf("session cookie %q then %q, want a new one", before, after)
	}
	if _, err := e.sessions.Get(before); err == nil {
		t.Error("the pre-login session is still open")
	}
}

// TestPromptLogin: prompt=login shows the login page to a signed-in
// user, once.
func TestPromptLogin(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	_, body := b.start("openid patient/*.rs")
	b.login(body, "pat")
	_, body = b.start("openid patient/*.rs", "prompt", "login")
	if page(body) != LoginPath {
		t.Fatalf("prompt=login shows %q, want the login page", page(body))
	}
	resp, body := b.login(body, "pat")
	if resp.StatusCode != http.StatusOK || page(body) != ConsentPath {
		t.Errorf("after signing in again: %d on %q, want the consent page", resp.StatusCode, page(body))
	}
}

// cookie is the browser's session cookie.
func (b *browser) cookie() string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == sessions.CookieNameInsecure {
			return c.Value
		}
	}
	return ""
}
