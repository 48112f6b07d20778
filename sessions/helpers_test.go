package sessions

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// clock is a fake clock safe for the background writer to read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func openDB(t testing.TB, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// newStore opens a Store over a fresh file; the returned path lets a
// test reopen it.
func newStore(t testing.TB, c *clock) (*Store, *bolt.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "smartd.db")
	db := openDB(t, path)
	s, err := Open(db, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); db.Close() })
	return s, db, path
}

func (s *Store) writeCount() int { s.flushMu.Lock(); defer s.flushMu.Unlock(); return s.writes }
