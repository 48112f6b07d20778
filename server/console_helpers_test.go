package server_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// cbrowser is a browser on the console pages: a cookie jar that does not
// follow redirects.
type cbrowser struct {
	t  testing.TB
	ts *httptest.Server
	c  *http.Client
}

func newCBrowser(t testing.TB, ts *httptest.Server) *cbrowser {
	jar, _ := cookiejar.New(nil)
	return &cbrowser{t: t, ts: ts, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// cpage is one response of the console.
type cpage struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

func (p cpage) location() string { return p.header.Get("Location") }

func (b *cbrowser) send(req *http.Request) cpage {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	doc, _ := html.Parse(bytes.NewReader(raw))
	return cpage{status: resp.StatusCode, header: resp.Header, body: string(raw), doc: doc}
}

func (b *cbrowser) get(path string) cpage {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.ts.URL+path, nil)
	return b.send(req)
}

// post sends form to path, url-encoded, with extra headers as pairs.
func (b *cbrowser) post(path string, form url.Values, headers ...string) cpage {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.send(req)
}

// postMultipart sends form to path as multipart/form-data, with files
// (field name -> content).
func (b *cbrowser) postMultipart(path string, form url.Values, files map[string]string) cpage {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for k, content := range files {
		fw, _ := mw.CreateFormFile(k, k+".pem")
		io.WriteString(fw, content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

// signIn signs in at the shared sign-in page and returns the answer.
func (b *cbrowser) signIn(user, password string) cpage {
	b.t.Helper()
	p := b.get("/login")
	return b.post("/login", url.Values{"csrf_token": {csrfOf(p.doc)}, "username": {user}, "password": {password}})
}

// csrf returns the CSRF token of a page's forms (the sign-out form has it).
func (b *cbrowser) csrf(path string) string {
	b.t.Helper()
	p := b.get(path)
	tok := csrfOf(p.doc)
	if tok == "" {
		b.t.Fatalf("GET %s: %d, no csrf_token\n%s", path, p.status, p.body)
	}
	return tok
}

func csrfOf(doc *html.Node) string { return inputValue(doc, "csrf_token") }

// inputValue is the value of the first input named name.
func inputValue(doc *html.Node, name string) string {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == name {
			return attr(n, "value")
		}
	}
	return ""
}

// byID is the text of the element with id, "" when there is none.
func byID(doc *html.Node, id string) string {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			return nodeText(n)
		}
	}
	return ""
}

// nodeText is n's text with whitespace collapsed.
func nodeText(n *html.Node) string {
	var sb strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			sb.WriteString(d.Data)
			sb.WriteString(" ")
		}
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

// textareaValue is the content of the textarea named name.
func textareaValue(doc *html.Node, name string) string {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "textarea" && attr(n, "name") == name {
			return nodeText(n)
		}
	}
	return ""
}

// eventually polls check every 50 ms for up to 5 s: audit records reach
// the file in batches.
func eventually(t testing.TB, what string, check func() bool) {
	t.Helper()
	for range 100 {
		if check() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not after 5 s", what)
}

// tokenStatus posts a token request and returns the status and OAuth
// error code.
func tokenStatus(t testing.TB, ts *httptest.Server, form url.Values, basicUser, basicPass string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/auth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body struct {
		Error string `json:"error"`
	}
	json.Unmarshal(b, &body)
	return resp.StatusCode, body.Error
}

// testPublicKeyPEM is a fresh P-256 public key in PEM (PKIX).
func testPublicKeyPEM(t testing.TB) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
