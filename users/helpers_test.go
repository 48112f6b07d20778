package users

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// fastParams keep tests quick; the format and logic are the same.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newDB(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "smartd.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newStore returns a Store over a fresh file with fast parameters and a
// clock that advances one second per reading.
func newStore(t *testing.T) (*Store, *bolt.DB) {
	t.Helper()
	db := newDB(t)
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	s, err := Open(db, Options{Params: fastParams, Now: func() time.Time { now = now.Add(time.Second); return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}
