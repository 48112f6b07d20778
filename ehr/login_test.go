package ehr_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignedOutGoesToLogin(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, path := range []string{"/ehr/", "/ehr/?name=nunez", "/ehr/patients/smart-patient-1"} {
		p := b.get(basePath + path)
		want := basePath + "/ehr/login?" + url.Values{"next": {basePath + path}}.Encode()
		if p.status != http.StatusSeeOther || p.location() != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, p.status, p.location(), want)
		}
	}
	if p := b.get(basePath + "/ehr"); p.status != http.StatusMovedPermanently || p.location() != basePath+"/ehr/" {
		t.Errorf("GET /ehr: %d to %q", p.status, p.location())
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, user, pass string
		status           int
		alert            string // "" for none
	}{
		{"clinician", "dr.morgan", "password-dr.morgan", http.StatusSeeOther, ""},
		{"wrong password", "dr.morgan", "nope", http.StatusOK, "Wrong username or password."},
		{"unknown user", "nobody", "nope-nope", http.StatusOK, "Wrong username or password."},
		{"disabled clinician", "dr.gone", "password-dr.gone", http.StatusOK, "Wrong username or password."},
		{"patient account", "jose", "password-jose", http.StatusForbidden, "Only clinician accounts can use the EHR. Sign in as a clinician."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			p := b.signIn(tc.user, tc.pass)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d\n%s", p.status, tc.status, p.body)
			}
			var alerts []string
			for _, n := range elems(p.doc, "p") {
				if attr(n, "role") == "alert" {
					alerts = append(alerts, text(n))
				}
			}
			if tc.alert == "" {
				if p.location() != basePath+"/ehr/" {
					t.Errorf("redirect to %q, want the patient list", p.location())
				}
				if got := b.get(basePath + "/ehr/"); got.status != http.StatusOK {
					t.Errorf("patient list after sign-in: %d", got.status)
				}
				return
			}
			if len(alerts) != 1 || alerts[0] != tc.alert {
				t.Errorf("alerts %q, want [%q]", alerts, tc.alert)
			}
			if got := b.get(basePath + "/ehr/"); got.status != http.StatusSeeOther {
				t.Errorf("patient list after a failed sign-in: %d, want 303 to login", got.status)
			}
		})
	}
}

func TestLoginNext(t *testing.T) {
	e := newEnv(t)
	tests := []struct{ next, want string }{
		{basePath + "/ehr/patients/smart-patient-2?encounter=x", basePath + "/ehr/patients/smart-patient-2?encounter=x"},
		{"https://evil.example/ehr/", basePath + "/ehr/"},
		{"//evil.example" + basePath + "/ehr/", basePath + "/ehr/"},
		{basePath + "/auth/authorize", basePath + "/ehr/"},
		{"", basePath + "/ehr/"},
	}
	for _, tc := range tests {
		b := e.browser()
		p := b.get(basePath + "/ehr/login?" + url.Values{"next": {tc.next}}.Encode())
		// The form carries next only when it may be followed.
		wantHidden := ""
		if tc.next == tc.want {
			wantHidden = tc.next
		}
		if got := hidden(p.doc, "next"); got != wantHidden {
			t.Errorf("next %q: form carries %q, want %q", tc.next, got, wantHidden)
		}
		p = b.post(basePath+"/ehr/login", url.Values{"csrf_token": {csrf(p.doc)}, "next": {tc.next}, "username": {"dr.morgan"}, "password": {"password-dr.morgan"}})
		if p.status != http.StatusSeeOther || p.location() != tc.want {
			t.Errorf("next %q: %d to %q, want 303 to %q", tc.next, p.status, p.location(), tc.want)
		}
		// Signed in, the login page goes straight on.
		if p := b.get(basePath + "/ehr/login"); p.status != http.StatusSeeOther || p.location() != basePath+"/ehr/" {
			t.Errorf("login page when signed in: %d to %q", p.status, p.location())
		}
	}
}

func TestLoginCSRF(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	p := b.get(basePath + "/ehr/login")
	form := url.Values{"username": {"dr.morgan"}, "password": {"password-dr.morgan"}}
	if got := b.post(basePath+"/ehr/login", form); got.status != http.StatusForbidden {
		t.Errorf("no token: %d, want 403", got.status)
	}
	form.Set("csrf_token", "forged-"+csrf(p.doc))
	if got := b.post(basePath+"/ehr/login", form); got.status != http.StatusForbidden {
		t.Errorf("wrong token: %d, want 403", got.status)
	}
	form.Set("csrf_token", csrf(p.doc))
	got := b.do(http.MethodPost, basePath+"/ehr/login", form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if got.status != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", got.status)
	}
	if got := b.post(basePath+"/ehr/login", form); got.status != http.StatusSeeOther {
		t.Errorf("right token: %d, want 303", got.status)
	}
}

func TestLoginThrottled(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	var p page
	for range 6 {
		p = b.signIn("dr.morgan", "wrong-password")
	}
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Errorf("sixth failure: %d, Retry-After %q; want 429 with Retry-After", p.status, p.header.Get("Retry-After"))
	}
	if p := b.signIn("dr.morgan", "password-dr.morgan"); p.status != http.StatusTooManyRequests {
		t.Errorf("right password while locked: %d, want 429", p.status)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	list := b.get(basePath + "/ehr/")
	var action string
	for _, f := range elems(list.doc, "form") {
		if strings.HasSuffix(attr(f, "action"), "/ehr/logout") {
			action = attr(f, "action")
		}
	}
	if action != basePath+"/ehr/logout" {
		t.Fatalf("sign-out form action %q", action)
	}
	if p := b.post(action, url.Values{}); p.status != http.StatusSeeOther || b.get(basePath+"/ehr/").status != http.StatusOK {
		t.Errorf("sign-out without the token ended the session (%d)", p.status)
	}
	p := b.post(action, url.Values{"csrf_token": {csrf(list.doc)}})
	if p.status != http.StatusSeeOther || p.location() != basePath+"/ehr/login" {
		t.Errorf("sign-out: %d to %q", p.status, p.location())
	}
	if p := b.get(basePath + "/ehr/"); p.status != http.StatusSeeOther {
		t.Errorf("patient list after sign-out: %d, want 303", p.status)
	}
}
