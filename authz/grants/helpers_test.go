package grants

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const (
	testVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 Appendix B
	testChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	testRedirect  = "https://app.example/cb"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openDB opens a bbolt file in dir.
func openDB(t testing.TB, dir string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, "grants.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// newStore opens a Store over a bbolt file in a temp dir.
func newStore(t testing.TB, opts Options) *Store {
	t.Helper()
	db := openDB(t, t.TempDir())
	t.Cleanup(func() { db.Close() })
	s, err := Open(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testGrant() Grant {
	return Grant{
		ClientID:  "app",
		User:      "Practitioner/1",
		Scope:     "launch/patient openid fhirUser offline_access patient/*.rs",
		Context:   LaunchContext{Patient: "123", NeedPatientBanner: true, FHIRContext: []byte(`[{"reference":"Encounter/9"}]`)},
		SessionID: "sess-1",
		Offline:   true,
	}
}

// redeemGrant issues and redeems a code for g.
func redeemGrant(t testing.TB, s *Store, g Grant) Grant {
	t.Helper()
	code, err := s.IssueCode(g, testRedirect, testChallenge, "n-0S6")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.RedeemCode(code, g.ClientID, testRedirect, testVerifier)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
