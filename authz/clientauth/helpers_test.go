package clientauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	bolt "go.etcd.io/bbolt"

	"smartd/apps/registry"
	"smartd/authz/oauth"
)

const (
	tokenURL      = "https://smartd.example/auth/token"
	introspectURL = "https://smartd.example/auth/introspect"
)

var (
	tokenAud      = []string{tokenURL}
	introspectAud = []string{tokenURL, introspectURL}
	// t0 is the fake clock's start.
	t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
)

// clock is a settable clock, safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(t0.UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// testKeys are real keys, generated once per test binary.
type testKeys struct {
	rsa, rsa2           *rsa.PrivateKey
	ec256, ec384, ec521 *ecdsa.PrivateKey
	ec384b              *ecdsa.PrivateKey
}

var keys = sync.OnceValue(func() testKeys {
	var k testKeys
	var err error
	must := func(e error) {
		if e != nil {
			panic(e)
		}
	}
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.ec256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(err)
	k.ec384b, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(err)
	k.ec521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	must(err)
	return k
})

// public returns the public half of a private key.
func public(key any) any {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	}
	panic("unknown key type")
}

// publicJWK returns the public JWK of a private key, with kid and (if not
// empty) alg.
func publicJWK(t testing.TB, key any, kid, alg string) map[string]any {
	t.Helper()
	j, err := jwkset.NewJWKFromKey(public(key), jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: kid, ALG: jwkset.ALG(alg)},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(j.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jwksOf(t testing.TB, ks ...map[string]any) []byte {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"keys": ks})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// env is a registry and an Authenticator over a bbolt file in a temp dir.
type env struct {
	t     testing.TB
	path  string
	db    *bolt.DB
	store *registry.Store
	auth  *Authenticator
	clock *clock
	opts  Options
}

func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "smartd.db"), clock: newClock(), opts: opts}
	if e.opts.Now == nil {
		e.opts.Now = e.clock.Now
	}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *env) open() {
	e.t.Helper()
	db, err := bolt.Open(e.path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	e.store, err = registry.Open(db, registry.Options{Validate: registry.ValidateOptions{AllowPrivateJWKSURI: true}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.auth, err = New(e.store, db, e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) close() {
	if e.auth != nil {
		if err := e.auth.Close(); err != nil {
			e.t.Error(err)
		}
		e.auth = nil
	}
	if e.db != nil {
		if err := e.db.Close(); err != nil {
			e.t.Error(err)
		}
		e.db = nil
	}
}

// restart closes the Authenticator and the file, and opens both again.
func (e *env) restart() {
	e.t.Helper()
	e.close()
	e.open()
}

// register stores an app and returns its client secret, if any.
func (e *env) register(a *registry.App) string {
	e.t.Helper()
	_, cred, err := e.store.Create(a)
	if err != nil {
		e.t.Fatal(err)
	}
	return cred.ClientSecret
}

func backendApp(id string, jwks []byte, jwksURI string) *registry.App {
	return &registry.App{ClientID: id, Name: id, Scope: "system/*.rs", GrantTypes: []string{registry.GrantClientCredentials},
		AuthMethod: registry.AuthPrivateKeyJWT, JWKS: jwks, JWKSURI: jwksURI}
}

func launchApp(id, method string) *registry.App {
	return &registry.App{ClientID: id, Name: id, Scope: "launch/patient patient/*.rs", GrantTypes: []string{registry.GrantAuthorizationCode},
		RedirectURIs: []string{"https://app.example/cb"}, AuthMethod: method}
}

func newJTI() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// claims are the claims Inferno sends for clientID: exp exactly now+300 s.
func (e *env) claims(clientID string) jwt.MapClaims {
	now := e.clock.Now()
	return jwt.MapClaims{"iss": clientID, "sub": clientID, "aud": tokenURL,
		"exp": now.Add(5 * time.Minute).Unix(), "jti": newJTI()}
}

// sign signs claims with key under alg and kid; header entries are set,
// or deleted when nil.
func sign(t testing.TB, alg string, key any, kid string, c jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.GetSigningMethod(alg), c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	for k, v := range header {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func assertionForm(assertion string) url.Values {
	return url.Values{"client_assertion_type": {JWTBearer}, "client_assertion": {assertion}}
}

// basicHeader returns an Authorization header with id and secret joined
// as they are, without form-encoding.
func basicHeader(id, secret string) http.Header {
	h := http.Header{}
	r := &http.Request{Header: h}
	r.SetBasicAuth(id, secret)
	return h
}

// checkOAuth fails unless err is an *oauth.Error with this status, code
// and a description containing desc.
func checkOAuth(t testing.TB, err error, status int, code oauth.Code, desc string) *oauth.Error {
	t.Helper()
	var e *oauth.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want an *oauth.Error", err, err)
	}
	if e.Status != status || e.Code != code || !strings.Contains(e.Description, desc) {
		t.Errorf("error = %d %s %q, want %d %s containing %q", e.Status, e.Code, e.Description, status, code, desc)
	}
	return e
}

// jwksServer serves a JWKS on 127.0.0.1 and counts its fetches.
type jwksServer struct {
	*httptest.Server
	fetches atomic.Int64

	mu           sync.Mutex
	body         []byte
	cacheControl string
	delay        time.Duration
	accept       string
}

func newJWKSServer(t testing.TB, body []byte) *jwksServer {
	s := &jwksServer{body: body}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(w http.ResponseWriter, r *http.Request) {
	s.fetches.Add(1)
	s.mu.Lock()
	body, cc, delay := s.body, s.cacheControl, s.delay
	s.accept = r.Header.Get("Accept")
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if cc != "" {
		w.Header().Set("Cache-Control", cc)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (s *jwksServer) set(body []byte, cacheControl string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if body != nil {
		s.body = body
	}
	s.cacheControl = cacheControl
}

func (s *jwksServer) setDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

func (s *jwksServer) url() string { return s.URL + "/jwks.json" }

// authenticate calls Authenticate with a background context.
func (e *env) authenticate(form url.Values, header http.Header, aud []string) (*registry.App, error) {
	return e.auth.Authenticate(context.Background(), form, header, aud)
}
