package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/oauth2"

	"smartd/server"
	"smartd/sessions"
)

// BenchmarkAuthorizeRoundTrip measures the standalone launch as a browser
// that is already signed in goes through it, through the real router
// (server.New over a bbolt file; the handler called directly, without
// HTTP): GET /auth/authorize with a fresh PKCE verifier and state, the
// consent form posted back as rendered (every hidden field, the ticked
// scope boxes, decision=allow) for a 302 with a code, and the code
// redeemed at /auth/token by the demo public app. One session, signed in
// once through the login form, serves every goroutine. "openid" asks for
// an id_token (openid fhirUser: one RS256 signature per round trip),
// "plain" does not. The consent page is parsed with golang.org/x/net/html
// in every round trip, so ns/op includes that client-side work;
// handler-ns/op is the time spent inside the router alone, and trips/s
// the round trips per second of wall time.
func BenchmarkAuthorizeRoundTrip(b *testing.B) {
	for _, bc := range []struct{ name, scope string }{
		{"openid", "launch/patient patient/*.rs openid fhirUser"},
		{"plain", "launch/patient patient/*.rs"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rt := newRoundTripper(b)
			if err := rt.once(bc.scope); err != nil { // warm-up
				b.Fatal(err)
			}
			b.ReportAllocs()
			rt.inHandler.Store(0)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := rt.once(bc.scope); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(rt.inHandler.Load())/float64(b.N), "handler-ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "trips/s")
		})
	}
}

// benchBase is the benchmark server's base URL; nothing listens there.
const benchBase = "http://127.0.0.1:8080"

// roundTripper drives the launch against a server's handler with one
// signed-in session.
type roundTripper struct {
	h         http.Handler
	cookie    string        // "name=value" of the session
	inHandler *atomic.Int64 // nanoseconds spent in h
}

// newRoundTripper opens a server with the demo apps, users and no samples
// and signs jose in through the login form.
func newRoundTripper(b *testing.B) *roundTripper {
	b.Helper()
	srv, err := server.New(server.Config{DataDir: b.TempDir(), BaseURL: benchBase, NoSamples: true, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	rt := &roundTripper{h: srv.Handler(), inHandler: new(atomic.Int64)}
	// The pre-login session comes with the login page.
	resp, page := rt.authorizePage("launch/patient patient/*.rs", oauth2.GenerateVerifier(), "login")
	pre := sessionCookie(resp)
	if resp.StatusCode != http.StatusOK || pre == "" {
		b.Fatalf("authorize without a session: %d, cookie %q\n%s", resp.StatusCode, pre, page)
	}
	form, action, err := postForm(page, "/auth/login")
	if err != nil {
		b.Fatal(err)
	}
	form.Set("username", "jose")
	form.Set("password", "jose-demo-2026")
	rt.cookie = pre
	resp, page = rt.post(action, form)
	if rt.cookie = sessionCookie(resp); resp.StatusCode != http.StatusSeeOther || rt.cookie == "" {
		b.Fatalf("login: %d, cookie %q\n%s", resp.StatusCode, rt.cookie, page)
	}
	return rt
}

// sessionCookie returns "name=value" of the session cookie resp sets.
func sessionCookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == sessions.CookieNameInsecure && c.MaxAge >= 0 {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// serve runs one request through the handler.
func (rt *roundTripper) serve(req *http.Request) (*http.Response, string) {
	if rt.cookie != "" {
		req.Header.Set("Cookie", rt.cookie)
	}
	w := httptest.NewRecorder()
	start := time.Now()
	rt.h.ServeHTTP(w, req)
	rt.inHandler.Add(int64(time.Since(start)))
	return w.Result(), w.Body.String()
}

func (rt *roundTripper) authorizePage(scope, verifier, state string) (*http.Response, string) {
	q := url.Values{
		"response_type": {"code"}, "client_id": {server.DemoPublicClientID},
		"redirect_uri": {"http://localhost:8000/callback"}, "scope": {scope}, "state": {state},
		"aud": {benchBase + "/fhir"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"},
	}
	return rt.serve(httptest.NewRequest(http.MethodGet, benchBase+"/auth/authorize?"+q.Encode(), nil))
}

func (rt *roundTripper) post(path string, form url.Values) (*http.Response, string) {
	req := httptest.NewRequest(http.MethodPost, benchBase+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return rt.serve(req)
}

// once runs one round trip and checks what each step answers.
func (rt *roundTripper) once(scope string) error {
	verifier, state := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	resp, page := rt.authorizePage(scope, verifier, state)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("authorize: %d\n%.500s", resp.StatusCode, page)
	}
	form, action, err := postForm(page, "/auth/consent")
	if err != nil {
		return err
	}
	form.Set("decision", "allow")
	resp, page = rt.post(action, form)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("state") != state || loc.Query().Get("code") == "" {
		return fmt.Errorf("consent: %d to %q, want a code and the state\n%.500s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	rt2 := &roundTripper{h: rt.h, inHandler: rt.inHandler} // the token request carries no cookie
	resp, body := rt2.post("/auth/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "code_verifier": {verifier},
		"redirect_uri": {"http://localhost:8000/callback"}, "client_id": {server.DemoPublicClientID},
	})
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		Scope       string `json:"scope"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &tok) != nil || tok.AccessToken == "" || tok.Scope != scope {
		return fmt.Errorf("token: %d\n%.500s", resp.StatusCode, body)
	}
	if wantID := strings.Contains(" "+scope+" ", " openid "); wantID != (tok.IDToken != "") {
		return fmt.Errorf("token: id_token %q for scope %q", tok.IDToken, scope)
	}
	return nil
}

// postForm returns the fields of the first POST form whose action ends
// in suffix as a browser would submit them without its buttons: every
// named input but unticked boxes and submit buttons.
func postForm(page, suffix string) (url.Values, string, error) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil, "", err
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
			if typ := attr(in, "type"); (typ == "checkbox" || typ == "radio") && !hasAttr(in, "checked") || typ == "submit" {
				continue
			}
			vals.Add(attr(in, "name"), attr(in, "value"))
		}
		return vals, attr(n, "action"), nil
	}
	return nil, "", errors.New("no POST form to " + suffix)
}
