package conformanceui_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"smartd/server"
)

// adminToken is the in-process smartd's admin token.
const adminToken = "conformanceui-test-admin-token-01"

// smartd starts smartd in-process behind an httptest server whose URL is
// its base URL, with cfg's conformance settings; it returns the base URL.
func smartd(t *testing.T, cfg server.Config) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	cfg.DataDir, cfg.BaseURL = t.TempDir(), "http://"+ts.Listener.Addr().String()
	cfg.AdminToken, cfg.Log = adminToken, slog.New(slog.DiscardHandler)
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return ts.URL
}

// browser is a tester's browser: cookies kept, redirects not followed.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response read whole.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.base)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil) }

func (b *browser) post(path string, form url.Values) page { return b.do(http.MethodPost, path, form) }

// csrf is the csrf_token of the first form on a page.
func csrf(t *testing.T, body string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == "csrf_token" {
			return attr(n, "value")
		}
	}
	t.Fatalf("no csrf_token on the page:\n%.500s", body)
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// signIn signs b in at the conformance sign-in page.
func (b *browser) signIn(username, password string) {
	b.t.Helper()
	login := b.get("/conformance/login")
	p := b.post("/conformance/login", url.Values{"csrf_token": {csrf(b.t, login.body)}, "username": {username}, "password": {password}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/conformance/" {
		b.t.Fatalf("sign-in: %d %s\n%.500s", p.status, p.header.Get("Location"), p.body)
	}
}

// startRun posts the run form and returns the results page's path.
func (b *browser) startRun(form url.Values) string {
	b.t.Helper()
	home := b.get("/conformance/")
	form.Set("csrf_token", csrf(b.t, home.body))
	p := b.post("/conformance/runs", form)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/conformance/runs/") {
		b.t.Fatalf("start: %d %s\n%.800s", p.status, p.header.Get("Location"), p.body)
	}
	return p.header.Get("Location")
}

// waitRun polls a results page until the run ends (no Refresh header).
func (b *browser) waitRun(path string) page {
	b.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		p := b.get(path)
		if p.status != 200 {
			b.t.Fatalf("results: %d\n%.500s", p.status, p.body)
		}
		if p.header.Get("Refresh") == "" {
			return p
		}
		if time.Now().After(deadline) {
			b.t.Fatal("the run did not end")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// texts returns the text of every element with tag, in order.
func texts(t *testing.T, body, tag string) []string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == tag {
			var sb strings.Builder
			for c := range n.Descendants() {
				if c.Type == html.TextNode {
					sb.WriteString(c.Data)
				}
			}
			out = append(out, strings.Join(strings.Fields(sb.String()), " "))
		}
	}
	return out
}
