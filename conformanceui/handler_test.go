package conformanceui_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/conformance"
	"smartd/server"
)

// TestSignInRequired: every page but sign-in sends an anonymous browser
// to the sign-in page; a wrong password shows the form again; a sign-in
// without its CSRF token is refused.
func TestSignInRequired(t *testing.T) {
	base := smartd(t, server.Config{})
	b := newBrowser(t, base)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/conformance/"}, {http.MethodGet, "/conformance/runs/abc"},
		{http.MethodGet, "/conformance/runs/abc/junit.xml"}, {http.MethodPost, "/conformance/runs"},
	} {
		var form url.Values
		if tc.method == http.MethodPost {
			form = url.Values{"fhir_base": {base + "/fhir"}}
		}
		p := b.do(tc.method, tc.path, form)
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/conformance/login" {
			t.Errorf("%s %s: %d %q", tc.method, tc.path, p.status, p.header.Get("Location"))
		}
	}
	login := b.get("/conformance/login")
	p := b.post("/conformance/login", url.Values{"csrf_token": {csrf(t, login.body)}, "username": {"jose"}, "password": {"wrong-password"}})
	if p.status != 200 || !strings.Contains(p.body, "Wrong username or password.") {
		t.Errorf("wrong password: %d\n%.300s", p.status, p.body)
	}
	if p := b.post("/conformance/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}}); p.status != http.StatusForbidden {
		t.Errorf("sign-in without csrf_token: %d", p.status)
	}
}

// TestRunAgainstOurs: a signed-in patient runs the suite against this
// server in admin mode; the results page lists every group and "0
// failed", the JUnit download agrees, the home page lists the run, and
// another user cannot see it.
func TestRunAgainstOurs(t *testing.T) {
	base := smartd(t, server.Config{})
	patient := newBrowser(t, base)
	patient.signIn("jose", "jose-demo-2026")
	if home := patient.get("/conformance/"); strings.Contains(home.body, `name="use_admin"`) {
		t.Errorf("a patient is offered admin mode")
	}
	home := patient.get("/conformance/")
	if p := patient.post("/conformance/runs", url.Values{"csrf_token": {csrf(t, home.body)}, "fhir_base": {base + "/fhir"}, "use_admin": {"on"}}); p.status != http.StatusForbidden {
		t.Errorf("a patient's admin-mode run: %d, want 403", p.status)
	}
	b := newBrowser(t, base)
	b.signIn("dev", "dev-demo-2026")
	home = b.get("/conformance/")
	if !strings.Contains(home.body, `value="`+base+`/fhir"`) || !strings.Contains(home.body, `name="use_admin"`) {
		t.Errorf("the form does not offer this server and admin mode:\n%.1500s", home.body)
	}
	run := b.startRun(url.Values{"fhir_base": {base + "/fhir"}, "use_admin": {"on"}})
	p := b.waitRun(run)
	want := fmt.Sprintf("%d passed, 0 failed, 1 skipped", len(conformance.Checks())-1)
	if status := texts(t, p.body, "strong"); len(status) == 0 || status[0] != want {
		t.Errorf("summary %q, want %q", status, want)
	}
	var groups []string
	for _, c := range conformance.Checks() {
		if !slices.Contains(groups, c.Group) {
			groups = append(groups, c.Group)
		}
	}
	if diff := cmp.Diff(groups, texts(t, p.body, "h2")); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	junit := b.get(run + "/junit.xml")
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(junit.body), &suites); err != nil || suites.Tests != len(conformance.Checks()) || suites.Failures != 0 ||
		!strings.HasPrefix(junit.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("junit: %v %+v %q", err, suites, junit.header.Get("Content-Disposition"))
	}
	if report := b.get(run + "/report.html"); report.status != 200 || !strings.Contains(report.body, "<!doctype html>") {
		t.Errorf("html report: %d %.100s", report.status, report.body)
	}
	if home := b.get("/conformance/"); !strings.Contains(home.body, run) {
		t.Errorf("the home page does not list the run %s", run)
	}
	other := newBrowser(t, base)
	other.signIn("dr.morgan", "morgan-demo-2026")
	for _, path := range []string{run, run + "/junit.xml", run + "/report.html"} {
		if p := other.get(path); p.status != http.StatusNotFound {
			t.Errorf("another user got %s: %d", path, p.status)
		}
	}
}

// brokenFHIR is a tiny server whose SMART configuration is text/plain;
// it records the Authorization headers it is sent.
func brokenFHIR(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var auths []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path != "/fhir/.well-known/smart-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		json.NewEncoder(w).Encode(map[string]any{"token_endpoint": "http://" + r.Host + "/token", "capabilities": []string{}})
	}))
	t.Cleanup(ts.Close)
	return ts, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(auths)
	}
}

// TestFailedCheckExchangeViewable: against an allowed other server that
// breaks discovery, the failed check shows its request and response in a
// details element, and this server's admin token is never sent there.
func TestFailedCheckExchangeViewable(t *testing.T) {
	fake, auths := brokenFHIR(t)
	base := smartd(t, server.Config{ConformanceTargets: []string{fake.URL + "/fhir"}, AllowPrivateJWKSURI: true})
	b := newBrowser(t, base)
	b.signIn("dr.morgan", "morgan-demo-2026")
	p := b.waitRun(b.startRun(url.Values{"fhir_base": {fake.URL + "/fhir/"}, "use_admin": {"on"}}))
	if !strings.Contains(p.body, "✗ failed") || strings.Contains(p.body, "admin mode") {
		t.Errorf("no failure, or admin mode against another server:\n%.2000s", p.body)
	}
	summaries := texts(t, p.body, "summary")
	wantSummary := "GET " + fake.URL + "/fhir/.well-known/smart-configuration → 200"
	if !slices.Contains(summaries, wantSummary) {
		t.Errorf("exchange summaries %q lack %q", summaries, wantSummary)
	}
	pres := strings.Join(texts(t, p.body, "pre"), "\n")
	for _, want := range []string{"GET /fhir/.well-known/smart-configuration HTTP/1.1", "Content-Type: text/plain", `"token_endpoint"`} {
		if !strings.Contains(pres, want) {
			t.Errorf("the exchanges lack %q:\n%s", want, pres)
		}
	}
	for _, a := range auths() {
		if strings.Contains(a, adminToken) {
			t.Errorf("the admin token was sent to another server: %q", a)
		}
	}
}

// TestTargetsGuarded: a server not listed is refused before any run; a
// listed one at a loopback address is refused at connection time without
// the development flag; '*' needs -sandbox.
func TestTargetsGuarded(t *testing.T) {
	fake, auths := brokenFHIR(t)
	base := smartd(t, server.Config{ConformanceTargets: []string{fake.URL + "/fhir"}})
	b := newBrowser(t, base)
	b.signIn("jose", "jose-demo-2026")
	home := b.get("/conformance/")
	p := b.post("/conformance/runs", url.Values{"csrf_token": {csrf(t, home.body)}, "fhir_base": {"http://example.org/fhir"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "tests only itself") {
		t.Errorf("unlisted server: %d\n%.500s", p.status, p.body)
	}
	if p := b.post("/conformance/runs", url.Values{"csrf_token": {"forged"}, "fhir_base": {base + "/fhir"}}); p.status != http.StatusForbidden {
		t.Errorf("forged csrf_token: %d", p.status)
	}
	res := b.waitRun(b.startRun(url.Values{"fhir_base": {fake.URL + "/fhir"}}))
	if !strings.Contains(res.body, "is a loopback address; this server tests other servers only at public addresses") || len(auths()) != 0 {
		t.Errorf("a loopback target was reached (%d requests):\n%.1500s", len(auths()), res.body)
	}
	_, err := server.New(server.Config{DataDir: t.TempDir(), ConformanceTargets: []string{"*"}, AdminToken: adminToken, Log: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "-sandbox") {
		t.Errorf("'*' without -sandbox: %v", err)
	}
}
