package authz_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"smartd/apps/registry"
	"smartd/server"
)

// jwtBearer is the RFC 7523 client assertion type.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clock is a settable clock shared by the server and the test's
// assertions.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testServer is smartd's real router (server.New) over a bbolt file in a
// temp dir, on a loopback port.
type testServer struct {
	t     *testing.T
	srv   *server.Server
	root  string // the server's base URL
	fhir  string // the FHIR base, the issuer
	clock *clock
	dir   string
}

// newTestServer starts a server without sample data, after applying opts
// to its config. Its clock is settable and jwks_uri on 127.0.0.1 allowed.
func newTestServer(t *testing.T, opts ...func(*server.Config)) *testServer {
	t.Helper()
	return startServer(t, t.TempDir(), newClock(), opts...)
}

func startServer(t *testing.T, dir string, clk *clock, opts ...func(*server.Config)) *testServer {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	root := "http://" + hs.Listener.Addr().String()
	cfg := server.Config{DataDir: dir, BaseURL: root, NoSamples: true, AllowPrivateJWKSURI: true, Now: clk.Now,
		Started: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), Version: "test"}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		hs.Close()
		t.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	closed := false
	stop := func() {
		if !closed {
			closed = true
			hs.Close()
			srv.Close()
		}
	}
	t.Cleanup(stop)
	return &testServer{t: t, srv: srv, root: root, fhir: root + "/fhir", clock: clk, dir: dir}
}

func (s *testServer) tokenURL() string      { return s.root + "/auth/token" }
func (s *testServer) introspectURL() string { return s.root + "/auth/introspect" }
func (s *testServer) revokeURL() string     { return s.root + "/auth/revoke" }
func (s *testServer) registerURL() string   { return s.root + "/auth/register" }

// reply is a response with its body read.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// do sends a request; header holds name, value pairs.
func do(t *testing.T, method, u string, body io.Reader, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// postForm posts a form body.
func postForm(t *testing.T, u string, form url.Values, header ...string) reply {
	t.Helper()
	header = append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)
	return do(t, "POST", u, strings.NewReader(form.Encode()), header...)
}

// postJSON posts v as JSON.
func postJSON(t *testing.T, method, u string, v any, header ...string) reply {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	header = append([]string{"Content-Type", "application/json"}, header...)
	return do(t, method, u, bytes.NewReader(b), header...)
}

// backend is a SMART Backend Services client with its private key.
type backend struct {
	alg    jwt.SigningMethod
	key    crypto.Signer
	kid    string
	id     string // client_id once registered
	regTok string // registration access token
	regURI string
}

// newBackend makes a client key for RS384 (RSA 2048) or ES384 (P-384).
func newBackend(t *testing.T, alg string) *backend {
	t.Helper()
	b := &backend{kid: alg + "-" + randomHex(4)}
	var err error
	switch alg {
	case "RS384":
		b.alg = jwt.SigningMethodRS384
		b.key, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES384":
		b.alg = jwt.SigningMethodES384
		b.key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		t.Fatalf("no key for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwks is the client's public JWK Set.
func (b *backend) jwks(t *testing.T) json.RawMessage {
	t.Helper()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: b.key.Public(), KeyID: b.kid, Algorithm: b.alg.Alg(), Use: "sig"}}}
	raw, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// metadata is a Backend Services registration with an inline JWKS.
func (b *backend) metadata(t *testing.T, allowed string) map[string]any {
	return map[string]any{
		"client_name":                "backend " + b.kid,
		"grant_types":                []string{"client_credentials"},
		"token_endpoint_auth_method": "private_key_jwt",
		"scope":                      allowed,
		"jwks":                       b.jwks(t),
	}
}

// register registers md through the real registration endpoint and
// remembers the client_id and RFC 7592 credentials.
func (b *backend) register(t *testing.T, s *testServer, md map[string]any) {
	t.Helper()
	r := postJSON(t, "POST", s.registerURL(), md)
	if r.Status != http.StatusCreated {
		t.Fatalf("registration: %d %s", r.Status, r.Body)
	}
	var got registry.Metadata
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	b.id, b.regTok, b.regURI = got.ClientID, got.RegistrationAccessToken, got.RegistrationClientURI
}

// assertion signs a client assertion as Inferno builds one
// (client_assertion_builder.rb): iss = sub = client_id, aud, exp = now +
// 5 min, a 64-hex-digit jti, header kid and typ JWT.
func (b *backend) assertion(t *testing.T, aud string, now time.Time) string {
	t.Helper()
	tok := jwt.NewWithClaims(b.alg, jwt.MapClaims{
		"iss": b.id, "sub": b.id, "aud": aud,
		"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "jti": randomHex(32),
	})
	tok.Header["kid"] = b.kid
	tok.Header["typ"] = "JWT"
	s, err := tok.SignedString(b.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// clientAuth is the form that authenticates b at an endpoint whose
// assertions name aud.
func (b *backend) clientAuth(t *testing.T, s *testServer, aud string) url.Values {
	return url.Values{"client_assertion_type": {jwtBearer}, "client_assertion": {b.assertion(t, aud, s.clock.Now())}}
}

// config is an independent golang.org/x/oauth2 client for b, sending
// the assertion in EndpointParams and, like Inferno, no client_id.
func (b *backend) config(t *testing.T, s *testServer, scopes ...string) *clientcredentials.Config {
	return &clientcredentials.Config{
		TokenURL:       s.tokenURL(),
		Scopes:         scopes,
		AuthStyle:      oauth2.AuthStyleInParams,
		EndpointParams: b.clientAuth(t, s, s.tokenURL()),
	}
}

// token gets an access token for scopes with the oauth2 client.
func (b *backend) token(t *testing.T, s *testServer, scopes ...string) *oauth2.Token {
	t.Helper()
	tok, err := b.config(t, s, scopes...).Token(context.Background())
	if err != nil {
		t.Fatalf("client_credentials for %s: %v", b.kid, err)
	}
	return tok
}

// retrieveError returns the OAuth error of a failed token request.
func retrieveError(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not an *oauth2.RetrieveError", err, err)
	}
	return re
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// checkNoStore asserts the headers of RFC 6749 §5.1.
func checkNoStore(t *testing.T, what string, h http.Header) {
	t.Helper()
	if h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" {
		t.Errorf("%s: Cache-Control %q, Pragma %q; want no-store, no-cache", what, h.Get("Cache-Control"), h.Get("Pragma"))
	}
}
