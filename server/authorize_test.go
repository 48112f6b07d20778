package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/oauth2"

	"smartd/server"
)

// launch is one browser going through the standalone launch.
type launch struct {
	t        testing.TB
	ts       *httptest.Server
	client   *http.Client
	conf     *oauth2.Config
	verifier string
	state    string
}

// launchServer starts a server with the demo apps, users and samples.
func launchServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts, _ := launchServerWith(t)
	return ts
}

// launchServerWith is launchServer, also returning the server.
func launchServerWith(t *testing.T) (*httptest.Server, *server.Server) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: "http://" + ts.Listener.Addr().String(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, srv
}

// newLaunch returns a browser with a cookie jar that stops at redirects
// to the app.
func newLaunch(t testing.TB, ts *httptest.Server) *launch {
	jar, _ := cookiejar.New(nil)
	l := &launch{t: t, ts: ts, verifier: oauth2.GenerateVerifier(), state: "state-" + oauth2.GenerateVerifier()}
	l.client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == "localhost:8000" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	l.conf = &oauth2.Config{
		ClientID: server.DemoPublicClientID, RedirectURL: "http://localhost:8000/callback",
		Endpoint: oauth2.Endpoint{AuthURL: ts.URL + "/auth/authorize", TokenURL: ts.URL + "/auth/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	return l
}

// start GETs the authorize URL for scopes.
func (l *launch) start(scopes string, extra ...oauth2.AuthCodeOption) (*http.Response, string) {
	l.conf.Scopes = strings.Fields(scopes)
	opts := append([]oauth2.AuthCodeOption{oauth2.SetAuthURLParam("aud", l.ts.URL+"/fhir"), oauth2.S256ChallengeOption(l.verifier)}, extra...)
	return l.do(http.MethodGet, l.conf.AuthCodeURL(l.state, opts...), nil)
}

func (l *launch) do(method, u string, form url.Values) (*http.Response, string) {
	l.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		l.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := l.client.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// submit posts the page's form whose action ends in action, with its
// fields as rendered (checked boxes only) overridden by set.
func (l *launch) submit(page, action string, set url.Values) (*http.Response, string) {
	l.t.Helper()
	form, target := formFields(l.t, page, action)
	for k, v := range set {
		form[k] = v
	}
	return l.do(http.MethodPost, l.ts.URL+target, form)
}

// formFields returns the fields and action of the first POST form whose
// action ends in suffix.
func formFields(t testing.TB, page, suffix string) (url.Values, string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var found *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && strings.HasSuffix(attr(n, "action"), suffix) && strings.EqualFold(attr(n, "method"), "post") {
			found = n
			break
		}
	}
	if found == nil {
		t.Fatalf("no POST form to %s in:\n%s", suffix, page)
	}
	vals := url.Values{}
	for n := range found.Descendants() {
		if n.Type != html.ElementNode || n.Data != "input" || attr(n, "name") == "" {
			continue
		}
		if typ := attr(n, "type"); (typ == "checkbox" || typ == "radio") && !hasAttr(n, "checked") || typ == "submit" {
			continue
		}
		vals.Add(attr(n, "name"), attr(n, "value"))
	}
	return vals, attr(found, "action")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// finish checks the redirect to the app and exchanges its code.
func (l *launch) finish(resp *http.Response) *oauth2.Token {
	l.t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Host != "localhost:8000" {
		l.t.Fatalf("got %d to %q, want a redirect to the app", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := loc.Query().Get("state"); got != l.state {
		l.t.Fatalf("state %q, want %q", got, l.state)
	}
	tok, err := l.conf.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(l.verifier))
	if err != nil {
		l.t.Fatal(err)
	}
	return tok
}

func TestStandaloneLaunch(t *testing.T) {
	ts := launchServer(t)
	tests := []struct {
		name, user, password, scopes, pick, wantPatient, wantName string
	}{
		{"patient user", "jose", "jose-demo-2026", "launch/patient openid fhirUser patient/*.rs", "", "smart-patient-1", "José Antonio Ñúñez"},
		{"clinician picks", "dr.morgan", "morgan-demo-2026", "launch/patient openid fhirUser patient/*.rs offline_access", "smart-patient-2", "smart-patient-2", "Aoife Grace O&#39;Connor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLaunch(t, ts)
			_, page := l.start(tt.scopes)
			resp, page := l.submit(page, "/auth/login", url.Values{"username": {tt.user}, "password": {tt.password}})
			if tt.pick != "" {
				if !strings.Contains(page, tt.pick) {
					t.Fatalf("picker does not list %s:\n%s", tt.pick, page)
				}
				resp, page = l.submit(page, "/auth/pick-patient", url.Values{"patient": {tt.pick}})
			}
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "/auth/consent") {
				t.Fatalf("got %d, want the consent page:\n%s", resp.StatusCode, page)
			}
			if !strings.Contains(page, "records of "+tt.wantName) {
				t.Errorf("the consent page does not name the patient %q", tt.wantName)
			}
			tok := l.finish(func() *http.Response {
				r, _ := l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
				return r
			}())
			if got := tok.Extra("patient"); got != tt.wantPatient {
				t.Errorf("patient %v, want %s", got, tt.wantPatient)
			}
			if got := tok.Extra("scope"); got != tt.scopes {
				t.Errorf("scope %v, want %s", got, tt.scopes)
			}
		})
	}
}

func TestStandaloneLaunchRefusals(t *testing.T) {
	ts := launchServer(t)
	scopes := "launch/patient openid fhirUser patient/*.rs"
	t.Run("wrong password", func(t *testing.T) {
		l := newLaunch(t, ts)
		_, page := l.start(scopes)
		resp, page := l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"nope-nope-nope"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Wrong username or password") || !strings.Contains(page, "/auth/login") {
			t.Errorf("got %d, want the login page with an error:\n%s", resp.StatusCode, page)
		}
	})
	t.Run("deny", func(t *testing.T) {
		l := newLaunch(t, ts)
		_, page := l.start(scopes)
		_, page = l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
		resp, _ := l.submit(page, "/auth/consent", url.Values{"decision": {"deny"}})
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != l.state {
			t.Errorf("got %d to %q, want access_denied with the state", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("bad redirect_uri", func(t *testing.T) {
		l := newLaunch(t, ts)
		l.conf.RedirectURL = "http://localhost:8000/elsewhere"
		resp, page := l.start(scopes)
		if resp.StatusCode != http.StatusBadRequest || resp.Request.URL.Host == "localhost:8000" || !strings.Contains(page, "redirect_uri") {
			t.Errorf("got %d at %s, want an error page with 400:\n%s", resp.StatusCode, resp.Request.URL, page)
		}
	})
	t.Run("consent without CSRF token", func(t *testing.T) {
		l := newLaunch(t, ts)
		_, page := l.start(scopes)
		_, page = l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
		form, action := formFields(t, page, "/auth/consent")
		form.Del("csrf_token")
		form.Set("decision", "allow")
		if resp, _ := l.do(http.MethodPost, ts.URL+action, form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("got %d, want 403", resp.StatusCode)
		}
	})
	t.Run("unknown EHR launch", func(t *testing.T) {
		l := newLaunch(t, ts)
		resp, _ := l.start("launch openid patient/*.rs", oauth2.SetAuthURLParam("launch", "abc"))
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if loc == nil || loc.Query().Get("error") != "invalid_request" || !strings.Contains(loc.Query().Get("error_description"), "launch id is unknown") {
			t.Errorf("got %d to %q, want invalid_request", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// registerApp registers a public app for the demo redirect URI with
// scope, by dynamic registration (RFC 7591), and returns its client_id.
func registerApp(t *testing.T, ts *httptest.Server, scope string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"client_name": "Encounter app", "redirect_uris": []string{"http://localhost:8000/callback"},
		"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"},
		"scope": scope,
	})
	resp, err := http.Post(ts.URL+"/auth/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated || out.ClientID == "" {
		t.Fatalf("register: %d %v %+v", resp.StatusCode, err, out)
	}
	return out.ClientID
}

// encounterButtons returns the value and text of each encounter button.
func encounterButtons(t *testing.T, page string) (ids, texts []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "button" && attr(n, "name") == "encounter" && attr(n, "value") != "" {
			var b strings.Builder
			for d := range n.Descendants() {
				if d.Type == html.TextNode {
					b.WriteString(d.Data + " ")
				}
			}
			ids, texts = append(ids, attr(n, "value")), append(texts, strings.Join(strings.Fields(b.String()), " "))
		}
	}
	return ids, texts
}

// TestStandaloneLaunchEncounter: a clinician picks a patient, then one of
// that patient's encounters (newest first, searchable by type), and the
// token response carries both.
func TestStandaloneLaunchEncounter(t *testing.T) {
	ts, srv := launchServerWith(t)
	const scopes = "launch/patient launch/encounter openid fhirUser user/*.rs patient/*.rs"
	l := newLaunch(t, ts)
	l.conf.ClientID = registerApp(t, ts, scopes)
	_, page := l.start(scopes)
	_, page = l.submit(page, "/auth/login", url.Values{"username": {"dr.morgan"}, "password": {"morgan-demo-2026"}})
	resp, page := l.submit(page, "/auth/pick-patient", url.Values{"patient": {"smart-patient-1"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "/auth/pick-encounter") {
		t.Fatalf("got %d, want the encounter picker:\n%s", resp.StatusCode, page)
	}
	ids, texts := encounterButtons(t, page)
	if len(ids) < 2 {
		t.Fatalf("encounters %q, want the patient's", texts)
	}
	for i := 1; i < len(texts); i++ {
		if a, b := dateOf(texts[i-1]), dateOf(texts[i]); a == "" || a < b {
			t.Errorf("encounters not newest first: %q", texts)
		}
	}
	q, _ := formFields(t, page, "/auth/pick-encounter")
	q.Del("csrf_token")
	q.Set("type", "emergency")
	_, page = l.do(http.MethodGet, ts.URL+"/auth/pick-encounter?"+q.Encode(), nil)
	emerIDs, emerTexts := encounterButtons(t, page)
	if len(emerIDs) == 0 || len(emerIDs) >= len(ids) {
		t.Fatalf("type=emergency lists %q of %d", emerTexts, len(ids))
	}
	for _, s := range emerTexts {
		if !strings.Contains(strings.ToLower(s), "emergency") {
			t.Errorf("type=emergency lists %q", s)
		}
	}
	for _, tt := range []struct {
		param, value string
		want         func(text string) bool
	}{
		{"class", "EMER", func(s string) bool { return strings.Contains(s, "Emergency") }},
		{"status", "finished", func(s string) bool { return strings.Contains(s, "Finished") }},
		{"date", dateOf(texts[len(texts)-1]), func(s string) bool { return dateOf(s) == dateOf(texts[len(texts)-1]) }},
	} {
		q, _ := formFields(t, page, "/auth/pick-encounter")
		q.Del("csrf_token")
		q.Set(tt.param, tt.value)
		_, found := l.do(http.MethodGet, ts.URL+"/auth/pick-encounter?"+q.Encode(), nil)
		if _, got := encounterButtons(t, found); len(got) == 0 || !everyOne(got, tt.want) {
			t.Errorf("%s=%s lists %q", tt.param, tt.value, got)
		}
	}
	pick := emerIDs[0]
	enc, err := srv.Store().Read("Encounter", pick)
	if err != nil || !strings.Contains(string(enc.JSON), `"Patient/smart-patient-1"`) {
		t.Fatalf("picked %s: %v %s", pick, err, enc.JSON)
	}
	_, page = l.submit(page, "/auth/pick-encounter", url.Values{"encounter": {pick}})
	resp, _ = l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
	tok := l.finish(resp)
	if tok.Extra("patient") != "smart-patient-1" || tok.Extra("encounter") != pick || tok.Extra("scope") != scopes {
		t.Errorf("token context patient=%v encounter=%v scope=%v, want smart-patient-1, %s, %s", tok.Extra("patient"), tok.Extra("encounter"), tok.Extra("scope"), pick, scopes)
	}
}

// everyOne reports whether ok holds for every string.
func everyOne(ss []string, ok func(string) bool) bool {
	for _, s := range ss {
		if !ok(s) {
			return false
		}
	}
	return true
}

// dateOf is the first YYYY-MM-DD in an encounter button's text.
func dateOf(s string) string {
	for f := range strings.FieldsSeq(s) {
		if len(f) == 10 && f[4] == '-' && f[7] == '-' {
			return f
		}
	}
	return ""
}

// TestConsentNarrowingEndToEnd: a patient unticks a category and resource
// types on the consent page; the token response's scope says exactly
// what is left (the ONC granular-selection and limited-access tests).
func TestConsentNarrowingEndToEnd(t *testing.T) {
	const (
		obs   = "http://terminology.hl7.org/CodeSystem/observation-category|"
		usc   = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category|"
		prefx = "patient/Observation.rs?category="
	)
	tests := []struct {
		name, scopes string
		keep         func(part string) bool
		want         string
	}{
		{"untick vital signs", "launch/patient openid fhirUser patient/Observation.rs patient/Patient.rs",
			func(p string) bool { return p != prefx+obs+"vital-signs" },
			"launch/patient openid fhirUser " + prefx + obs + "laboratory " + prefx + obs + "social-history " + prefx + usc + "sdoh " +
				prefx + obs + "survey " + prefx + obs + "exam " + prefx + obs + "imaging " + prefx + obs + "procedure " +
				prefx + obs + "therapy " + prefx + obs + "activity patient/Patient.rs"},
		{"keep two types of a v1 wildcard", "launch/patient openid patient/*.read",
			func(p string) bool { return p == "patient/Patient.read" || p == "patient/Condition.read" },
			"launch/patient openid patient/Patient.read patient/Condition.read"},
	}
	ts := launchServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLaunch(t, ts)
			_, page := l.start(tt.scopes)
			_, page = l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
			form, _ := formFields(t, page, "/auth/consent")
			var kept []string
			for _, p := range form["narrow"] {
				if tt.keep(p) {
					kept = append(kept, p)
				}
			}
			if len(kept) == len(form["narrow"]) {
				t.Fatalf("nothing to untick among %q", form["narrow"])
			}
			resp, _ := l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}, "narrow": kept})
			if got := l.finish(resp).Extra("scope"); got != tt.want {
				t.Errorf("scope\n%v, want\n%s", got, tt.want)
			}
		})
	}
}

// TestLogoutEndsOnlineAccess: signing out through the logout page ends
// the session, and with it the online_access grant (SMART App Launch 2.2,
// "Scopes for requesting a refresh token").
func TestLogoutEndsOnlineAccess(t *testing.T) {
	ts := launchServer(t)
	l := newLaunch(t, ts)
	rt := l.authorizeAs("launch/patient openid fhirUser patient/*.rs online_access")
	status, rt, code := l.refresh(rt)
	if status != http.StatusOK {
		t.Fatalf("refresh while signed in: %d %s", status, code)
	}
	_, page := l.do(http.MethodGet, ts.URL+"/auth/logout", nil)
	resp, page := l.submit(page, "/auth/logout", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "You are signed out") {
		t.Fatalf("logout: %d:\n%s", resp.StatusCode, page)
	}
	if status, _, code = l.refresh(rt); status != http.StatusBadRequest || code != "invalid_grant" {
		t.Errorf("refresh after logout: %d %q, want 400 invalid_grant", status, code)
	}
}
