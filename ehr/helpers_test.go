package ehr_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"smartd/apps/registry"
	"smartd/ehr"
	"smartd/fhirproxy"
	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/launch"
	"smartd/sessions"
	"smartd/testdata/bundles"
	"smartd/users"
)

// basePath puts the server below a path, as behind a proxy, so that
// every link must carry it.
const basePath = "/sandbox"

// now is the tests' clock: José (born 1971-03-14) is 54.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fastParams keep password hashing quick in tests.
var fastParams = users.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// env is an EHR over a real store loaded with the sample patients, with
// real registry, users, sessions and launch stores.
type env struct {
	t        *testing.T
	ts       *httptest.Server
	st       *store.Store
	fhir     *fhirproxy.Server
	launches *launch.Store
	fhirBase string
}

// The apps every env registers.
const (
	launchApp  = "growth"
	launchURL  = "https://app.example/launch?tenant=a%2Fb"
	backendApp = "backend"
)

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "smartd.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ts := httptest.NewUnstartedServer(nil)
	e := &env{t: t, ts: ts, st: st, fhirBase: "http://" + ts.Listener.Addr().String() + basePath + "/fhir"}
	if e.fhir, err = fhirproxy.New(st, e.fhirBase, fhirproxy.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range bundles.Names() {
		body, err := fs.ReadFile(bundles.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.fhir.Submit(body); err != nil {
			t.Fatalf("loading %s: %v", name, err)
		}
	}
	apps, err := registry.Open(st.DB(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*registry.App{
		{ClientID: launchApp, Name: "Growth Chart", RedirectURIs: []string{"https://app.example/cb"}, LaunchURL: launchURL,
			Scope: "launch openid fhirUser patient/*.rs", GrantTypes: []string{registry.GrantAuthorizationCode}, AuthMethod: registry.AuthNone},
		{ClientID: backendApp, Name: "Backend", Scope: "system/*.rs", GrantTypes: []string{registry.GrantClientCredentials},
			AuthMethod: registry.AuthPrivateKeyJWT, JWKSURI: "https://app.example/jwks.json"},
	} {
		if _, _, err := apps.Create(a); err != nil {
			t.Fatalf("registering %s: %v", a.ClientID, err)
		}
	}
	us, err := users.Open(st.DB(), users.Options{Params: fastParams})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*users.User{
		{Username: "dr.morgan", DisplayName: "Dr. Adaeze Morgan", Role: users.Clinician, FHIRUser: "Practitioner/smart-practitioner-1"},
		{Username: "jose", Role: users.Patient, FHIRUser: "Patient/smart-patient-1"},
		{Username: "dr.gone", Role: users.Clinician, FHIRUser: "Practitioner/smart-practitioner-2", Disabled: true},
	} {
		if _, err := us.Create(u, "password-"+u.Username); err != nil {
			t.Fatal(err)
		}
	}
	sess, err := sessions.Open(st.DB(), sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	e.launches = launch.New(launch.Options{})
	h, err := ehr.New(ehr.Options{
		BasePath: basePath, FHIRBase: e.fhirBase, Store: st, Apps: apps, Launches: e.launches,
		Users: us, Sessions: sess, Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return e
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	e      *env
	client *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is a response with its body and parsed document.
type page struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

// location is the redirect target.
func (p page) location() string { return p.header.Get("Location") }

func (b *browser) do(method, path string, form url.Values, hdr ...string) page {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.ts.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	doc, _ := html.Parse(strings.NewReader(string(raw)))
	return page{status: resp.StatusCode, header: resp.Header, body: string(raw), doc: doc}
}

func (b *browser) get(path string) page                   { return b.do(http.MethodGet, path, nil) }
func (b *browser) post(path string, form url.Values) page { return b.do(http.MethodPost, path, form) }

// signIn signs in through the EHR's sign-in form and returns the answer
// to the form's POST.
func (b *browser) signIn(username, password string) page {
	b.e.t.Helper()
	p := b.get(basePath + "/ehr/login")
	if p.status != http.StatusOK {
		b.e.t.Fatalf("GET login: %d", p.status)
	}
	return b.post(basePath+"/ehr/login", url.Values{
		"csrf_token": {csrf(p.doc)}, "next": {hidden(p.doc, "next")}, "username": {username}, "password": {password},
	})
}

// clinician returns a browser signed in as dr.morgan.
func (e *env) clinician() *browser {
	e.t.Helper()
	b := e.browser()
	if p := b.signIn("dr.morgan", "password-dr.morgan"); p.status != http.StatusSeeOther {
		e.t.Fatalf("sign-in: %d\n%s", p.status, p.body)
	}
	return b
}

// encounters returns the ids of a patient's encounters, newest first.
func (e *env) encounters(patient string) []string {
	e.t.Helper()
	q, err := search.Parse("Encounter", url.Values{"patient": {patient}, "_sort": {"-date"}}, true)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.st.Search(q, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, m := range res.Matches {
		ids = append(ids, m.ID)
	}
	return ids
}

// csrf is the first csrf_token field of the document.
func csrf(doc *html.Node) string { return hidden(doc, "csrf_token") }

// hidden is the value of the first input named name.
func hidden(doc *html.Node, name string) string {
	for _, in := range elems(doc, "input") {
		if attr(in, "name") == name {
			return attr(in, "value")
		}
	}
	return ""
}

// elems returns the elements with tag under n, in document order.
func elems(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
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

// text is n's text with whitespace runs collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		switch d.Type {
		case html.TextNode:
			b.WriteString(d.Data)
		case html.ElementNode:
			b.WriteString(" ")
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// texts maps text over ns.
func texts(ns []*html.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, text(n))
	}
	return out
}

// byClass returns the elements with tag whose class list has class.
func byClass(n *html.Node, tag, class string) []*html.Node {
	var out []*html.Node
	for _, e := range elems(n, tag) {
		for _, c := range strings.Fields(attr(e, "class")) {
			if c == class {
				out = append(out, e)
				break
			}
		}
	}
	return out
}
