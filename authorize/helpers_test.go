package authorize

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/net/html"

	"smartd/apps/registry"
	"smartd/authz/grants"
	"smartd/sessions"
	"smartd/users"
)

// Test fixtures: the app, its redirect URI and the FHIR base.
const (
	testClient   = "app-1"
	testRedirect = "http://localhost:9000/cb"
	testFHIRBase = "https://ehr.example/fhir"
	appHost      = "localhost:9000"
	appScope     = "launch launch/patient launch/encounter openid fhirUser offline_access online_access patient/*.rs patient/*.read user/*.rs"
)

// testUsers are the accounts of every test, with their passwords.
var testUsers = []struct {
	user     users.User
	password string
}{
	{users.User{Username: "dr.ann", DisplayName: "Dr Ann", Role: users.Clinician, FHIRUser: "Practitioner/pr-1"}, "ann-password"},
	{users.User{Username: "dr.bob", Role: users.Clinician, FHIRUser: "Practitioner/pr-2"}, "bob-password"},
	{users.User{Username: "pat", DisplayName: "Pat Lee", Role: users.Patient, FHIRUser: "Patient/pat-1"}, "pat-password"},
	{users.User{Username: "gone", Role: users.Patient, FHIRUser: "Patient/pat-2", Disabled: true}, "gone-password"},
}

// password returns a test user's password.
func password(username string) string {
	for _, u := range testUsers {
		if u.user.Username == username {
			return u.password
		}
	}
	return ""
}

// env is a Handler over real stores in a temporary bbolt file, served
// by httptest, with in-test patient, encounter and launch sources.
type env struct {
	t        *testing.T
	srv      *httptest.Server
	opts     Options
	grants   *grants.Store
	users    *users.Store
	sessions *sessions.Store
	launches *fakeLaunches

	mu     sync.Mutex
	events []AuthEvent
}

// newEnv builds an env; change options with edit before the handler is
// made.
func newEnv(t *testing.T, edit ...func(*Options)) *env {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "smartd.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	apps, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	app := &registry.App{
		ClientID: testClient, Name: "Growth Chart", RedirectURIs: []string{testRedirect}, Scope: appScope,
		GrantTypes: []string{registry.GrantAuthorizationCode, registry.GrantRefreshToken}, AuthMethod: registry.AuthNone,
	}
	if _, _, err := apps.Create(app); err != nil {
		t.Fatal(err)
	}
	us, err := users.Open(db, users.Options{Params: users.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range testUsers {
		if _, err := us.Create(&u.user, u.password); err != nil {
			t.Fatal(err)
		}
	}
	ss, err := sessions.Open(db, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	gs, err := grants.Open(db, grants.Options{SessionAlive: ss.Alive})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, grants: gs, users: us, sessions: ss, launches: newFakeLaunches()}
	e.opts = Options{
		FHIRBase: testFHIRBase, Apps: apps, Grants: gs, Users: us, Sessions: ss,
		Limiter:  sessions.NewLimiter(sessions.LimiterOptions{MaxFailures: 3}),
		Patients: fakePatients{}, Encounters: fakeEncounters{}, Launches: e.launches,
		Audit: func(ev AuthEvent) { e.mu.Lock(); e.events = append(e.events, ev); e.mu.Unlock() },
	}
	for _, f := range edit {
		f(&e.opts)
	}
	e.srv = httptest.NewServer(New(e.opts))
	t.Cleanup(e.srv.Close)
	return e
}

// auditEvents returns the audit events so far.
func (e *env) auditEvents() []AuthEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]AuthEvent(nil), e.events...)
}

// browser is one user agent: a cookie jar, and a PKCE verifier and state
// for its authorization request. It does not follow redirects to the app.
type browser struct {
	t        *testing.T
	e        *env
	client   *http.Client
	verifier string
	state    string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: e.t, e: e, verifier: strings.Repeat("v", 50), state: "state-123"}
	b.client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == appHost {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

// params are the authorize parameters for scopes, with extra added.
func (b *browser) params(scopes string, extra ...string) url.Values {
	sum := sha256.Sum256([]byte(b.verifier))
	v := url.Values{
		"response_type": {"code"}, "client_id": {testClient}, "redirect_uri": {testRedirect},
		"scope": {scopes}, "state": {b.state}, "aud": {testFHIRBase},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// start GETs authorize for scopes with extra parameters (name, value, ...).
func (b *browser) start(scopes string, extra ...string) (*http.Response, string) {
	return b.do(http.MethodGet, b.e.srv.URL+AuthorizePath+"?"+b.params(scopes, extra...).Encode(), nil)
}

// do sends a request (a form when form is not nil) and reads the body.
func (b *browser) do(method, u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// submit posts the page's POST form whose action ends in action, as
// rendered (ticked boxes only), with set overriding fields.
func (b *browser) submit(page, action string, set url.Values) (*http.Response, string) {
	b.t.Helper()
	form := formFields(b.t, page, action)
	for k, v := range set {
		form[k] = v
	}
	return b.do(http.MethodPost, b.e.srv.URL+action, form)
}

// login signs in on a login page.
func (b *browser) login(page, username string) (*http.Response, string) {
	b.t.Helper()
	return b.submit(page, LoginPath, url.Values{"username": {username}, "password": {password(username)}})
}

// allow approves a consent page as rendered.
func (b *browser) allow(page string) *http.Response {
	b.t.Helper()
	resp, _ := b.submit(page, ConsentPath, url.Values{"decision": {"allow"}})
	return resp
}

// redeem checks that resp redirects to the app with the state and a
// code, and redeems the code at the grants store.
func (b *browser) redeem(resp *http.Response) grants.Grant {
	b.t.Helper()
	q := appRedirect(b.t, resp)
	if q.Get("state") != b.state || q.Get("code") == "" {
		b.t.Fatalf("redirect %v, want a code and state %q", q, b.state)
	}
	g, err := b.e.grants.RedeemCode(q.Get("code"), testClient, testRedirect, b.verifier)
	if err != nil {
		b.t.Fatal(err)
	}
	return g
}

// appRedirect returns the query of resp's redirect to the app.
func appRedirect(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Host != appHost {
		t.Fatalf("got %d to %q, want a redirect to the app", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

// wantError checks that resp redirects to the app with error code, the
// state, and a description containing desc.
func wantError(t *testing.T, resp *http.Response, code, desc string) {
	t.Helper()
	q := appRedirect(t, resp)
	if q.Get("error") != code || !strings.Contains(q.Get("error_description"), desc) || q.Get("state") != "state-123" || q.Get("code") != "" {
		t.Errorf("redirect %v, want error=%s with %q and the state", q, code, desc)
	}
}

// formFields returns the fields of the first POST form whose action ends
// in suffix.
func formFields(t *testing.T, page, suffix string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "form" || !strings.HasSuffix(attr(n, "action"), suffix) || !strings.EqualFold(attr(n, "method"), "post") {
			continue
		}
		vals := url.Values{}
		for in := range n.Descendants() {
			if in.Type != html.ElementNode || in.Data != "input" || attr(in, "name") == "" {
				continue
			}
			if typ := attr(in, "type"); typ == "checkbox" && !hasAttr(in, "checked") || typ == "submit" {
				continue
			}
			vals.Add(attr(in, "name"), attr(in, "value"))
		}
		return vals
	}
	t.Fatalf("no POST form to %s in:\n%s", suffix, page)
	return nil
}

// buttonValues lists the values of the buttons named name.
func buttonValues(t *testing.T, page, name string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "button" && attr(n, "name") == name {
			out = append(out, attr(n, "value"))
		}
	}
	return out
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

// page reports which page body is, by the action of its first POST form
// ("" for none).
func page(body string) string {
	for _, p := range []string{LoginPath, PickPatientPath, PickEncounterPath, ConsentPath, LogoutPath} {
		if strings.Contains(body, `method="post" action="`+p+`"`) {
			return p
		}
	}
	return ""
}
