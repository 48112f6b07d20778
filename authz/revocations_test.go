package authz

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTestDB(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "test.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// stored counts the records in the bucket.
func stored(t *testing.T, db *bolt.DB) int {
	t.Helper()
	n := 0
	db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketRevoked).Stats().KeyN
		return nil
	})
	return n
}

func TestRevocations(t *testing.T) {
	db := openTestDB(t)
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	r, err := OpenRevocations(db, clock)
	if err != nil {
		t.Fatal(err)
	}
	for jti, exp := range map[string]time.Time{
		"a": now.Add(time.Minute), "b": now.Add(5 * time.Minute), "old": now.Add(-time.Second), "": now.Add(time.Minute),
	} {
		if err := r.Revoke(jti, exp); err != nil {
			t.Fatal(err)
		}
	}
	for jti, want := range map[string]bool{"a": true, "b": true, "old": false, "": false, "c": false} {
		if got := r.Revoked(jti); got != want {
			t.Errorf("Revoked(%q) = %v", jti, got)
		}
	}
	if n := stored(t, db); n != 2 {
		t.Errorf("%d records stored, want 2 (nothing for an expired or empty jti)", n)
	}

	// Reopened two minutes later: a has expired and is purged, b is kept.
	now = now.Add(2 * time.Minute)
	r2, err := OpenRevocations(db, clock)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Revoked("a") || !r2.Revoked("b") || stored(t, db) != 1 {
		t.Errorf("after reopening: a %v, b %v, %d stored", r2.Revoked("a"), r2.Revoked("b"), stored(t, db))
	}
	// Revoke purges as it goes, once a minute.
	now = now.Add(4 * time.Minute)
	if err := r2.Revoke("d", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r2.Revoked("b") || stored(t, db) != 1 || len(r2.exp) != 1 {
		t.Errorf("after a purging revoke: b %v, %d stored, %d in memory", r2.Revoked("b"), stored(t, db), len(r2.exp))
	}
}

// TestRevocationsConcurrent: concurrent revocations are grouped by
// db.Batch and every one is durable.
func TestRevocationsConcurrent(t *testing.T) {
	db := openTestDB(t)
	r, err := OpenRevocations(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if err := r.Revoke(fmt.Sprintf("jti-%d", i), time.Now().Add(time.Minute)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := stored(t, db); n != 200 {
		t.Errorf("%d stored, want 200", n)
	}
	r2, err := OpenRevocations(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if !r2.Revoked(fmt.Sprintf("jti-%d", i)) {
			t.Fatalf("jti-%d lost", i)
		}
	}
}

// BenchmarkRevoke measures a revocation under concurrency, where Batch
// shares one fsync among the requests.
func BenchmarkRevoke(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r, err := OpenRevocations(db, nil)
	if err != nil {
		b.Fatal(err)
	}
	var n sync.Mutex
	i := 0
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n.Lock()
			i++
			jti := fmt.Sprintf("jti-%d", i)
			n.Unlock()
			if err := r.Revoke(jti, time.Now().Add(time.Minute)); err != nil {
				b.Error(err)
			}
		}
	})
}
