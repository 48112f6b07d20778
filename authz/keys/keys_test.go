package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openDB opens the bbolt file at path, closing it when the test ends.
func openDB(t testing.TB, path string, readOnly bool) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newKeys opens a fresh store in a temp dir.
func newKeys(t testing.TB, opts Options) (*Keys, *bolt.DB) {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "smartd.db"), false)
	k, err := Open(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return k, db
}

// claims returns access token claims expiring after d.
func claims(now time.Time, d time.Duration) jwt.RegisteredClaims {
	return jwt.RegisteredClaims{
		Issuer:    "https://smartd.example/",
		Subject:   "Practitioner/1",
		Audience:  jwt.ClaimStrings{"https://smartd.example/fhir"},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(d)),
		ID:        "jti-1",
	}
}

// bucketEntries returns a copy of every key and value of the keys bucket.
func bucketEntries(t testing.TB, db *bolt.DB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKeys).ForEach(func(k, v []byte) error {
			out[string(k)] = bytes.Clone(v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenCreatesOnceAndReloads(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "smartd.db")
	db := openDB(t, path, false)
	k1, err := Open(db, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	list1 := k1.List()
	if len(list1) != 2 {
		t.Fatalf("first Open made %d keys, want 2: %+v", len(list1), list1)
	}
	algs := map[string]bool{}
	for _, in := range list1 {
		algs[in.Alg] = true
		if !in.Current || !in.Created.Equal(t0) || !in.Retired.IsZero() || !in.Expires.IsZero() {
			t.Errorf("new key %+v: want current, created %v, not retired", in, t0)
		}
	}
	if !algs[algES256] || !algs[algRS256] {
		t.Errorf("algorithms %v, want ES256 and RS256", algs)
	}
	entries := bucketEntries(t, db)
	at, err := k1.SignAccessToken(claims(t0, time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	// Open again on the same DB, then on a reopened file: nothing is
	// created, the same keys come back.
	k2, err := Open(db, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(entries, bucketEntries(t, db)); diff != "" {
		t.Errorf("second Open changed the bucket (-before +after):\n%s", diff)
	}
	db.Close()
	db = openDB(t, path, false)
	k3, err := Open(db, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []*Keys{k2, k3} {
		if diff := cmp.Diff(list1, k.List()); diff != "" {
			t.Errorf("reopen %d: List differs (-first +reopened):\n%s", i, diff)
		}
		if !bytes.Equal(k1.JWKS(), k.JWKS()) {
			t.Errorf("reopen %d: JWKS differs", i)
		}
		r1, r := k1.ring.Load(), k.ring.Load()
		if !r.es.signer.(*ecdsa.PrivateKey).Equal(r1.es.signer) || !r.rs.signer.(*rsa.PrivateKey).Equal(r1.rs.signer) {
			t.Errorf("reopen %d: private keys differ", i)
		}
		if _, err := k.VerifyAccessToken(at, &jwt.RegisteredClaims{}); err != nil {
			t.Errorf("reopen %d: token from the first Open: %v", i, err)
		}
	}
}

func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "smartd.db")
	// A file with no keys yet, opened read-only: nothing can be created.
	openDB(t, path, false).Close()
	ro := openDB(t, path, true)
	_, err := Open(ro, Options{})
	if !errors.Is(err, ErrNotInitialized) {
		t.Fatalf("read-only Open of an empty file: %v, want ErrNotInitialized", err)
	}
	ro.Close()

	db := openDB(t, path, false)
	k, err := Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := k.List()
	db.Close()
	rok, err := Open(openDB(t, path, true), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, rok.List()); diff != "" {
		t.Errorf("read-only List (-want +got):\n%s", diff)
	}
	if err := rok.Rotate(); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Rotate: %v, want ErrReadOnly", err)
	}
}

func TestOpenOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		ok   bool
	}{
		{"zero", Options{}, true},
		{"rsa 3072", Options{RSABits: 3072}, true},
		{"rsa 1024", Options{RSABits: 1024}, false},
		{"rsa 2047", Options{RSABits: 2047}, false},
		{"negative retention", Options{Retain: -time.Second}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, filepath.Join(t.TempDir(), "smartd.db"), false)
			k, err := Open(db, tc.opts)
			if (err == nil) != tc.ok {
				t.Fatalf("Open(%+v): %v, want ok=%v", tc.opts, err, tc.ok)
			}
			if err != nil {
				return
			}
			bits := tc.opts.RSABits
			if bits == 0 {
				bits = 2048
			}
			if got := k.ring.Load().rs.jwk.N; len(got) != (bits/8*4+2)/3 {
				t.Errorf("n has %d base64url characters, want a %d-bit modulus", len(got), bits)
			}
		})
	}
}

func TestSignLifetime(t *testing.T) {
	c := newClock()
	k, _ := newKeys(t, Options{Now: c.Now, Retain: 2 * time.Hour})
	noExp := claims(t0, time.Hour)
	noExp.ExpiresAt = nil
	for _, tc := range []struct {
		name   string
		claims jwt.Claims
		ok     bool
	}{
		{"one hour", claims(t0, time.Hour), true},
		{"exactly the retention", claims(t0, 2*time.Hour), true},
		{"beyond the retention", claims(t0, 2*time.Hour+time.Second), false},
		{"no exp", noExp, false},
		{"no exp, map claims", jwt.MapClaims{"sub": "x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, sign := range map[string]func(jwt.Claims) (string, error){
				"access": k.SignAccessToken, "id": k.SignIDToken,
			} {
				_, err := sign(tc.claims)
				if tc.ok && err != nil {
					t.Errorf("%s: %v", name, err)
				}
				if !tc.ok && !errors.Is(err, ErrLifetime) {
					t.Errorf("%s: %v, want ErrLifetime", name, err)
				}
			}
		})
	}
}
