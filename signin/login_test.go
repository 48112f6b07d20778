package signin_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/users"
)

func TestSignIn(t *testing.T) {
	tests := []struct {
		name, user, pass, next string
		roles                  []users.Role
		status                 int
		location               string   // for a redirect
		alerts                 []string // for a page
		whoami                 string
		event                  string
	}{
		{"clinician to next", "dr.morgan", "password-dr.morgan", "/base/ehr/patients/p1?x=1", nil,
			http.StatusSeeOther, "/base/ehr/patients/p1?x=1", nil, "dr.morgan", "login dr.morgan success"},
		{"developer to their home", "dev", "password-dev", "", nil,
			http.StatusSeeOther, "/base/apps/", nil, "dev", "login dev success"},
		{"admin to the default home", "admin", "password-admin", "https://evil.example/base/", nil,
			http.StatusSeeOther, "/base/", nil, "admin", "login admin success"},
		{"next outside the site", "dr.morgan", "password-dr.morgan", "//evil.example/base/", nil,
			http.StatusSeeOther, "/base/", nil, "dr.morgan", "login dr.morgan success"},
		{"wrong password", "dr.morgan", "nope-nope", "", nil,
			http.StatusOK, "", []string{"Wrong username or password."}, "", "login dr.morgan failure bad credentials"},
		{"unknown user", "nobody", "nope-nope", "", nil,
			http.StatusOK, "", []string{"Wrong username or password."}, "", "login nobody failure bad credentials"},
		{"disabled account", "dr.gone", "password-dr.gone", "", nil,
			http.StatusOK, "", []string{"Wrong username or password."}, "", "login dr.gone failure account disabled"},
		{"role admitted", "dr.morgan", "password-dr.morgan", "", []users.Role{users.Clinician},
			http.StatusSeeOther, "/base/", nil, "dr.morgan", "login dr.morgan success"},
		{"role refused", "dev", "password-dev", "", []users.Role{users.Clinician},
			http.StatusForbidden, "", []string{"Not for you."}, "", "login dev failure role not allowed here"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.roles...)
			b := e.browser()
			p := b.signIn(tc.user, tc.pass, tc.next)
			if p.status != tc.status || p.location() != tc.location {
				t.Fatalf("got %d to %q, want %d to %q\n%s", p.status, p.location(), tc.status, tc.location, p.body)
			}
			if got := alerts(p.doc); !cmp.Equal(got, tc.alerts) {
				t.Errorf("alerts %q, want %q", got, tc.alerts)
			}
			if got := b.whoami(); got != tc.whoami {
				t.Errorf("signed in as %q, want %q", got, tc.whoami)
			}
			if diff := cmp.Diff([]string{tc.event}, e.reported()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSignInReplacesSession: the pre-login session's cookie does not
// survive the sign-in (no session fixation), and a signed-in visitor of
// the sign-in page goes straight on.
func TestSignInReplacesSession(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	p := b.get("/base/login")
	before := p.header.Get("Set-Cookie")
	p = b.do(http.MethodPost, "/base/login", url.Values{"csrf_token": {field(p.doc, "csrf_token")}, "username": {"dr.morgan"}, "password": {"password-dr.morgan"}})
	after := p.header.Get("Set-Cookie")
	if before == "" || after == "" || before == after {
		t.Fatalf("cookies before %q and after %q sign-in", before, after)
	}
	if p := b.get("/base/login?next=/base/x"); p.status != http.StatusSeeOther || p.location() != "/base/x" {
		t.Errorf("sign-in page when signed in: %d to %q", p.status, p.location())
	}
}

func TestSignInCSRF(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	p := b.get("/base/login")
	form := url.Values{"username": {"dr.morgan"}, "password": {"password-dr.morgan"}}
	if got := b.do(http.MethodPost, "/base/login", form); got.status != http.StatusForbidden {
		t.Errorf("no token: %d, want 403", got.status)
	}
	form.Set("csrf_token", "forged-"+field(p.doc, "csrf_token"))
	if got := b.do(http.MethodPost, "/base/login", form); got.status != http.StatusForbidden {
		t.Errorf("wrong token: %d, want 403", got.status)
	}
	form.Set("csrf_token", field(p.doc, "csrf_token"))
	if got := b.do(http.MethodPost, "/base/login", form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); got.status != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", got.status)
	}
	if b.whoami() != "" {
		t.Error("signed in by a refused form")
	}
	if got := b.do(http.MethodPost, "/base/login", form); got.status != http.StatusSeeOther {
		t.Errorf("right token: %d, want 303", got.status)
	}
}

func TestSignInThrottled(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	var p page
	for range 6 {
		p = b.signIn("dr.morgan", "wrong-password", "")
	}
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Errorf("sixth failure: %d, Retry-After %q; want 429 with Retry-After", p.status, p.header.Get("Retry-After"))
	}
	if p := b.signIn("dr.morgan", "password-dr.morgan", ""); p.status != http.StatusTooManyRequests {
		t.Errorf("right password while locked: %d, want 429", p.status)
	}
	got := e.reported()
	if n := len(got); n != 7 || got[n-1] != "login dr.morgan failure too many attempts" {
		t.Errorf("events %q", got)
	}
}

func TestSignOut(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn("dev", "password-dev", "")
	p := b.do(http.MethodPost, "/base/logout", url.Values{})
	if p.status != http.StatusSeeOther || b.whoami() != "dev" {
		t.Errorf("sign-out without the token: %d, signed in as %q; want 303 and still signed in", p.status, b.whoami())
	}
	sess := e.sessionOf(b)
	p = b.do(http.MethodPost, "/base/logout", url.Values{"csrf_token": {sess}})
	if p.status != http.StatusSeeOther || p.location() != "/base/login" || b.whoami() != "" {
		t.Errorf("sign-out: %d to %q, signed in as %q", p.status, p.location(), b.whoami())
	}
	if diff := cmp.Diff([]string{"login dev success", "logout dev success"}, e.reported()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// sessionOf returns the CSRF token of b's session.
func (e *env) sessionOf(b *browser) string {
	e.t.Helper()
	u, _ := url.Parse(e.ts.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if s, err := e.s.Get(c.Value); err == nil {
			return s.CSRFToken
		}
	}
	e.t.Fatal("no session")
	return ""
}
