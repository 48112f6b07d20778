package registry

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	bolt "go.etcd.io/bbolt"
)

// testKeys are real keys, generated once per test binary (RSA generation
// is slow).
type testKeys struct {
	rsa2048, rsa2048b, rsa1024 *rsa.PrivateKey
	ec256, ec384, ec521, ec224 *ecdsa.PrivateKey
	ed                         ed25519.PrivateKey
}

var keys = sync.OnceValue(func() testKeys {
	var k testKeys
	var err error
	must := func(e error) {
		if e != nil {
			panic(e)
		}
	}
	k.rsa2048, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa2048b, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	// GenerateKey refuses keys under 1024 bits; 1024 is enough to test the floor.
	k.rsa1024, err = rsa.GenerateKey(rand.Reader, 1024)
	must(err)
	for _, c := range []struct {
		dst   **ecdsa.PrivateKey
		curve elliptic.Curve
	}{{&k.ec256, elliptic.P256()}, {&k.ec384, elliptic.P384()}, {&k.ec521, elliptic.P521()}, {&k.ec224, elliptic.P224()}} {
		*c.dst, err = ecdsa.GenerateKey(c.curve, rand.Reader)
		must(err)
	}
	_, k.ed, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	return k
})

// jwk returns key as a JWK object that can be edited before use.
func jwk(t testing.TB, key any, kid string) map[string]any {
	t.Helper()
	private := false
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		private = true
	}
	j, err := jwkset.NewJWKFromKey(key, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: kid},
		Marshal:  jwkset.JWKMarshalOptions{Private: private},
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

// set returns a JWKS of the given JWK objects.
func set(t testing.TB, ks ...map[string]any) json.RawMessage {
	t.Helper()
	if ks == nil {
		ks = []map[string]any{}
	}
	raw, err := json.Marshal(map[string]any{"keys": ks})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// with returns a copy of m with the given members set; a nil value deletes one.
func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// fieldErrors returns the problems of a *ValidationError, nil for nil,
// and fails the test for any other error.
func fieldErrors(t *testing.T, err error) []FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	return v.Errors
}

// testClock is a clock that moves only when told.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
}

// openDB opens a real bbolt file in a temporary directory.
func openDB(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "smartd.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newStore returns a Store over a fresh file, with a test clock.
func newStore(t *testing.T, opts Options) (*Store, *bolt.DB, *testClock) {
	t.Helper()
	db := openDB(t)
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.now
	}
	s, err := Open(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, db, c
}

// Sample registrations, valid as they are.

func publicApp() *App {
	return &App{
		ClientID:     "growth-chart",
		Name:         "Growth Chart",
		RedirectURIs: []string{"https://growth.example.org/callback"},
		LaunchURL:    "https://growth.example.org/launch",
		Scope:        "launch openid fhirUser patient/*.rs offline_access",
		GrantTypes:   []string{GrantAuthorizationCode, GrantRefreshToken},
		AuthMethod:   AuthNone,
		LogoURI:      "https://growth.example.org/logo.png",
		Contacts:     []string{"dev@growth.example.org"},
	}
}

func symmetricApp() *App {
	return &App{
		ClientID:     "cardiac-risk",
		Name:         "Cardiac Risk",
		RedirectURIs: []string{"https://risk.example.org/cb", "http://localhost:3000/cb"},
		Scope:        "launch/patient patient/Observation.rs",
		GrantTypes:   []string{GrantAuthorizationCode},
		AuthMethod:   AuthClientSecretBasic,
	}
}

func asymmetricApp(t testing.TB) *App {
	return &App{
		ClientID:     "inferno-asym",
		Name:         "Inferno asymmetric",
		RedirectURIs: []string{"https://inferno.example.org/custom/smart/redirect"},
		Scope:        "launch openid fhirUser user/*.rs",
		GrantTypes:   []string{GrantAuthorizationCode},
		AuthMethod:   AuthPrivateKeyJWT,
		JWKS:         set(t, jwk(t, &keys().rsa2048.PublicKey, "rs1"), jwk(t, &keys().ec384.PublicKey, "es1")),
	}
}

func backendApp() *App {
	return &App{
		ClientID:   "bulk-export",
		Name:       "Bulk export",
		Scope:      "system/*.rs",
		GrantTypes: []string{GrantClientCredentials},
		AuthMethod: AuthPrivateKeyJWT,
		JWKSURI:    "https://backend.example.org/.well-known/jwks.json",
	}
}
