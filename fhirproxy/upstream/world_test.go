package upstream_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/golang-jwt/jwt/v5"

	"smartd/authz/grants"
	"smartd/fhirproxy/upstream"
	"smartd/server"
)

// The admin tokens of the test servers, and the sample patients: A is
// the patient in the tokens' launch context.
const (
	upAdmin    = "upstream-admin-token-0123456789"
	frontAdmin = "front-admin-token-0123456789"
	patientA   = "smart-patient-1"
	patientB   = "smart-patient-2"
	redirect   = "http://localhost:8000/callback"
)

// clock is a test clock: the real time plus an offset tests advance.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// upstreamServer is a smartd in store mode with the sample patients and
// the demo clients, behind a wrapper that counts what reaches it and can
// refuse a token.
type upstreamServer struct {
	t      *testing.T
	srv    *server.Server
	url    string // its base URL
	base   string // its FHIR base
	keyPEM []byte // the demo-backend client's private key
	// tokenCalls counts token requests, fhirCalls FHIR requests, and
	// writes the FHIR requests other than GET and HEAD.
	tokenCalls, fhirCalls, writes atomic.Int64
	// refuseNext answers the next FHIR request 401, as if its token had
	// been revoked.
	refuseNext atomic.Bool
}

func newUpstream(t *testing.T, clk *clock) *upstreamServer {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	u := &upstreamServer{t: t, url: "http://" + ts.Listener.Addr().String()}
	u.base = u.url + "/fhir"
	cfg := server.Config{DataDir: t.TempDir(), BaseURL: u.url, AdminToken: upAdmin, Log: slog.New(slog.DiscardHandler)}
	if clk != nil {
		cfg.Now = clk.now
	}
	srv, err := server.New(cfg)
	if err != nil {
		ts.Close()
		t.Fatal(err)
	}
	u.srv = srv
	if u.keyPEM, err = os.ReadFile(filepath.Join(cfg.DataDir, server.DemoBackendKeyFile)); err != nil {
		t.Fatal(err)
	}
	router := srv.Handler()
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/token" {
			u.tokenCalls.Add(1)
		}
		if r.URL.Path == "/fhir" || strings.HasPrefix(r.URL.Path, "/fhir/") {
			u.fhirCalls.Add(1)
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				u.writes.Add(1)
			}
			if u.refuseNext.CompareAndSwap(true, false) {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				http.Error(w, "refused", http.StatusUnauthorized)
				return
			}
		}
		router.ServeHTTP(w, r)
	})
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return u
}

// backend returns credentials for the upstream's demo-backend client.
func (u *upstreamServer) backend() upstream.Credentials {
	u.t.Helper()
	key, err := upstream.ParseKey(u.keyPEM)
	if err != nil {
		u.t.Fatal(err)
	}
	return upstream.Credentials{ClientID: server.DemoBackendClientID, Key: key}
}

// get reads path below the upstream's FHIR base on the trusted path.
func (u *upstreamServer) get(path string) reply {
	u.t.Helper()
	return send(u.t, upAdmin, http.MethodGet, u.base+path, "")
}

// front is a second smartd, with no data of its own, whose FHIR base is
// served by an upstream.Handler over the upstream server.
type front struct {
	t    *testing.T
	srv  *server.Server
	url  string
	base string
	dir  string
	h    *upstream.Handler
}

func newFront(t *testing.T, up *upstreamServer, opts upstream.Options) *front {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	f := &front{t: t, url: "http://" + ts.Listener.Addr().String(), dir: t.TempDir()}
	f.base = f.url + "/fhir"
	srv, err := server.New(server.Config{DataDir: f.dir, BaseURL: f.url, NoSamples: true, AdminToken: frontAdmin, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		ts.Close()
		t.Fatal(err)
	}
	f.srv = srv
	if opts.Upstream == "" {
		opts.Upstream = up.base
	}
	opts.FHIR = srv.FHIR()
	if f.h, err = upstream.New(opts); err != nil {
		t.Fatal(err)
	}
	router := srv.Handler()
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if (p == "/fhir" || strings.HasPrefix(p, "/fhir/")) && !strings.HasPrefix(p, "/fhir/.well-known/") {
			f.h.ServeHTTP(w, r)
			return
		}
		router.ServeHTTP(w, r)
	})
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return f
}

// patientToken is an access token of the front's demo public app for
// scopes, with patient in launch context: a code issued as the
// authorization endpoint would after consent, redeemed at the real token
// endpoint with PKCE.
func (f *front) patientToken(patient, scopes string) string {
	f.t.Helper()
	verifier := oauth2.GenerateVerifier()
	g := grants.Grant{ClientID: server.DemoPublicClientID, User: "Practitioner/smart-practitioner-1", Scope: scopes,
		Context: grants.LaunchContext{Patient: patient}}
	code, err := f.srv.Grants().IssueCode(g, redirect, oauth2.S256ChallengeFromVerifier(verifier), "")
	if err != nil {
		f.t.Fatal(err)
	}
	conf := &oauth2.Config{ClientID: server.DemoPublicClientID, RedirectURL: redirect,
		Endpoint: oauth2.Endpoint{TokenURL: f.url + "/auth/token", AuthStyle: oauth2.AuthStyleInParams}}
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		f.t.Fatal(err)
	}
	return tok.AccessToken
}

// backendToken is a client_credentials token of the front's own
// demo-backend client (system/*.rs).
func (f *front) backendToken() string {
	f.t.Helper()
	pemBytes, err := os.ReadFile(filepath.Join(f.dir, server.DemoBackendKeyFile))
	if err != nil {
		f.t.Fatal(err)
	}
	creds := upstream.Credentials{ClientID: server.DemoBackendClientID}
	if creds.Key, err = upstream.ParseKey(pemBytes); err != nil {
		f.t.Fatal(err)
	}
	kid := thumbprint(f.t, creds.Key.Public())
	tokenURL := f.url + "/auth/token"
	a := jwt.NewWithClaims(jwt.SigningMethodES384, jwt.RegisteredClaims{
		Issuer: creds.ClientID, Subject: creds.ClientID, Audience: jwt.ClaimStrings{tokenURL},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(4 * time.Minute)), ID: rand.Text(),
	})
	a.Header["kid"] = kid
	signed, err := a.SignedString(creds.Key)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"client_credentials"}, "scope": {"system/*.rs"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {signed}})
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if json.Unmarshal(b, &out); resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		f.t.Fatalf("client_credentials at the front: %d %s", resp.StatusCode, b)
	}
	return out.AccessToken
}

// do sends a FHIR request to the front: path below its base, or an
// absolute URL; headers are name, value pairs.
func (f *front) do(token, method, path, body string, headers ...string) reply {
	f.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = f.base + path
	}
	return send(f.t, token, method, u, body, headers...)
}

func (f *front) get(token, path string) reply { return f.do(token, http.MethodGet, path, "") }

// reply is a FHIR response.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func send(t *testing.T, token, method, u, body string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	json.Unmarshal(b, &r.body)
	return r
}

// refs lists "Type/id" of a bundle's entries, or of a resource.
func (r reply) refs() []string {
	if r.body["resourceType"] != "Bundle" {
		if id, ok := r.body["id"].(string); ok {
			return []string{r.body["resourceType"].(string) + "/" + id}
		}
		return nil
	}
	var out []string
	entries, _ := r.body["entry"].([]any)
	for _, e := range entries {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		if search, _ := e.(map[string]any)["search"].(map[string]any); res == nil || search["mode"] == "outcome" {
			continue
		}
		id, _ := res["id"].(string)
		out = append(out, res["resourceType"].(string)+"/"+id)
	}
	return out
}

// link is a bundle's link of relation rel, "" when there is none.
func (r reply) link(rel string) string {
	links, _ := r.body["link"].([]any)
	for _, l := range links {
		if m := l.(map[string]any); m["relation"] == rel {
			return m["url"].(string)
		}
	}
	return ""
}

// issue is the code and diagnostics of an OperationOutcome's first issue.
func (r reply) issue() (code, diagnostics string) {
	issues, _ := r.body["issue"].([]any)
	if r.body["resourceType"] != "OperationOutcome" || len(issues) == 0 {
		return "", ""
	}
	m := issues[0].(map[string]any)
	code, _ = m["code"].(string)
	diagnostics, _ = m["diagnostics"].(string)
	return code, diagnostics
}

// httptestClosedURL is the URL of a server that is no longer listening.
func httptestClosedURL(t *testing.T) string {
	ts := httptest.NewServer(http.NotFoundHandler())
	u := ts.URL + "/fhir"
	ts.Close()
	return u
}
