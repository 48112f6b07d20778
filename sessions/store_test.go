package sessions

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

func TestCreateGetDelete(t *testing.T) {
	c := newClock()
	s, _, _ := newStore(t, c)
	sess, err := s.Create("alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.ID) != 43 || len(sess.CSRFToken) != 43 || sess.ID == sess.CSRFToken {
		t.Fatalf("id %q token %q: want two distinct 43-char base64url values", sess.ID, sess.CSRFToken)
	}
	c.Add(time.Minute)
	got, err := s.Get(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *sess
	want.LastSeen = c.Now()
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	if err := s.Delete(sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(sess.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	for _, id := range []string{"", "x", strings.Repeat("A", 43), sess.ID + "A", strings.Repeat("!", 43)} {
		if _, err := s.Get(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q): %v, want ErrNotFound", id, err)
		}
	}
}

func TestDeleteUser(t *testing.T) {
	c := newClock()
	s, _, _ := newStore(t, c)
	a1, _ := s.Create("alice")
	a2, _ := s.Create("alice")
	b, _ := s.Create("bob")
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser("alice"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a1.ID, a2.ID} {
		if _, err := s.Get(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("alice's session: %v, want ErrNotFound", err)
		}
	}
	if _, err := s.Get(b.ID); err != nil {
		t.Errorf("bob's session: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	tests := []struct {
		name  string
		steps []time.Duration // Get after each step
		want  error           // of the last Get
	}{
		{"fresh", []time.Duration{29 * time.Minute}, nil},
		{"idle", []time.Duration{30 * time.Minute}, ErrExpired},
		{"kept alive", []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute}, nil},
		{"absolute", repeat(25*time.Minute, 29), ErrExpired}, // 12h05m, used every 25 min
		{"before absolute", repeat(25*time.Minute, 28), nil}, // 11h40m
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			s, _, _ := newStore(t, c)
			sess, _ := s.Create("alice")
			var err error
			for _, d := range tt.steps {
				c.Add(d)
				_, err = s.Get(sess.ID)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Get: %v, want %v", err, tt.want)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestSurviveReopen(t *testing.T) {
	c := newClock()
	s, db, path := newStore(t, c)
	kept, _ := s.Create("alice")
	gone, _ := s.Create("bob")
	if err := s.Delete(gone.ID); err != nil {
		t.Fatal(err)
	}
	c.Add(2 * time.Minute)
	s.Get(kept.ID) // stored LastSeen is stale by more than a minute: written by Close
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openDB(t, path)
	defer db.Close()
	s, err := Open(db, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Get(kept.ID)
	if err != nil {
		t.Fatalf("after reopen: %v", err)
	}
	if got.Username != "alice" || got.CSRFToken != kept.CSRFToken || !got.Created.Equal(kept.Created) {
		t.Errorf("after reopen: %+v, want %+v", got, kept)
	}
	if _, err := s.Get(gone.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted session after reopen: %v, want ErrNotFound", err)
	}
	// LastSeen was persisted at +2 min, so the session is idle from there.
	c.Add(29 * time.Minute)
	if _, err := s.Get(kept.ID); err != nil {
		t.Errorf("29 min after last use, across a restart: %v", err)
	}
}

func TestGetDoesNotWrite(t *testing.T) {
	c := newClock()
	s, db, _ := newStore(t, c)
	sess, _ := s.Create("alice")
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	writes, stats := s.writeCount(), db.Stats()
	for range 1000 {
		c.Add(50 * time.Millisecond) // 50 s in all: under touchInterval
		if _, err := s.Get(sess.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	after := db.Stats()
	if n := s.writeCount() - writes; n != 0 {
		t.Errorf("%d write transactions for 1000 Gets within a minute, want 0", n)
	}
	if n := after.TxN - stats.TxN; n != 0 {
		t.Errorf("%d read transactions for 1000 Gets, want 0", n)
	}
	if n := after.TxStats.GetWrite() - stats.TxStats.GetWrite(); n != 0 {
		t.Errorf("%d page writes, want 0", n)
	}
	// Past a minute, one touch is written, once, for many Gets.
	for range 100 {
		c.Add(100 * time.Millisecond)
		s.Get(sess.ID)
	}
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	if n := s.writeCount() - writes; n != 1 {
		t.Errorf("%d write transactions after a minute of Gets, want 1", n)
	}
}

func TestSweep(t *testing.T) {
	c := newClock()
	s, db, _ := newStore(t, c)
	old, _ := s.Create("alice")
	s.flush()
	c.Add(20 * time.Minute)
	young, _ := s.Create("bob")
	s.flush()
	c.Add(15 * time.Minute)
	n, err := s.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("Sweep dropped %d, want 1", n)
	}
	if _, err := s.Get(old.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("swept session: %v, want ErrNotFound", err)
	}
	if _, err := s.Get(young.ID); err != nil {
		t.Errorf("live session: %v", err)
	}
	keys := 0
	db.View(func(tx *bolt.Tx) error { keys = tx.Bucket(bucketSessions).Stats().KeyN; return nil })
	if keys != 1 {
		t.Errorf("%d records on disk after Sweep, want 1", keys)
	}
	writes := s.writeCount()
	if _, err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	if n := s.writeCount() - writes; n != 0 {
		t.Errorf("a Sweep with nothing to drop committed %d transactions", n)
	}
}

func TestClosed(t *testing.T) {
	c := newClock()
	s, _, _ := newStore(t, c)
	s.Close()
	if _, err := s.Create("alice"); !errors.Is(err, ErrClosed) {
		t.Errorf("Create after Close: %v, want ErrClosed", err)
	}
}
