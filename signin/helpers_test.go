package signin_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/net/html"

	"smartd/sessions"
	"smartd/signin"
	"smartd/users"
)

// fastParams keep password hashing quick in tests.
var fastParams = users.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// env is a sign-in handler over real user and session stores, with the
// events it reported.
type env struct {
	t  *testing.T
	ts *httptest.Server
	s  *sessions.Store

	mu     sync.Mutex
	events []signin.Event
}

// newEnv serves a sign-in at /base/login admitting roles (none: every
// role), with a clinician, a developer, an admin and a disabled account,
// each with the password "password-<username>".
func newEnv(t *testing.T, roles ...users.Role) *env {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "smartd.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	us, err := users.Open(db, users.Options{Params: fastParams})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*users.User{
		{Username: "dr.morgan", Role: users.Clinician, FHIRUser: "Practitioner/p1"},
		{Username: "dev", Role: users.Developer},
		{Username: "admin", Role: users.Admin},
		{Username: "dr.gone", Role: users.Clinician, FHIRUser: "Practitioner/p2", Disabled: true},
	} {
		if _, err := us.Create(u, "password-"+u.Username); err != nil {
			t.Fatal(err)
		}
	}
	ss, err := sessions.Open(db, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	e := &env{t: t, s: ss}
	h, err := signin.New(signin.Options{
		LoginPath: "/base/login", LogoutPath: "/base/logout", NextPrefix: "/base/",
		HomeFor: func(u *users.User) string {
			if u.Role == users.Developer {
				return "/base/apps/"
			}
			return ""
		},
		Roles: roles, RoleMessage: "Not for you.",
		Users: us, Sessions: ss,
		Audit: func(ev signin.Event) { e.mu.Lock(); e.events = append(e.events, ev); e.mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/base/login", h)
	mux.Handle("/base/logout", h)
	mux.HandleFunc("/base/whoami", func(w http.ResponseWriter, r *http.Request) {
		if _, u := h.Current(r); u != nil {
			io.WriteString(w, u.Username)
		}
	})
	e.ts = httptest.NewServer(mux)
	t.Cleanup(e.ts.Close)
	return e
}

// reported returns the events so far, each as "action user outcome reason".
func (e *env) reported() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.events {
		out = append(out, strings.TrimSpace(ev.Action+" "+ev.Username+" "+ev.Outcome+" "+ev.Reason))
	}
	return out
}

// browser is a cookie jar that does not follow redirects.
type browser struct {
	t *testing.T
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is one response.
type page struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

func (p page) location() string { return p.header.Get("Location") }

func (b *browser) do(method, path string, form url.Values, headers ...string) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.ts.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	doc, _ := html.Parse(strings.NewReader(string(raw)))
	return page{status: resp.StatusCode, header: resp.Header, body: string(raw), doc: doc}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil) }

// signIn loads the sign-in page with next and posts the credentials.
func (b *browser) signIn(user, password, next string) page {
	b.t.Helper()
	p := b.get("/base/login?" + url.Values{"next": {next}}.Encode())
	return b.do(http.MethodPost, "/base/login", url.Values{
		"csrf_token": {field(p.doc, "csrf_token")}, "next": {field(p.doc, "next")},
		"username": {user}, "password": {password},
	})
}

// whoami is the signed-in username, "" for nobody.
func (b *browser) whoami() string { return b.get("/base/whoami").body }

// field is the value of the first input named name.
func field(doc *html.Node, name string) string {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == name {
			return attr(n, "value")
		}
	}
	return ""
}

// alerts are the texts of the role=alert elements.
func alerts(doc *html.Node) []string {
	var out []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "role") == "alert" {
			var b strings.Builder
			for d := range n.Descendants() {
				if d.Type == html.TextNode {
					b.WriteString(d.Data)
				}
			}
			out = append(out, strings.TrimSpace(b.String()))
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
