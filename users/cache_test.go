package users

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// TestGetSeesEveryWrite checks that an account read (and so decoded and
// kept) before a write is read as written after it, whichever way the
// record changed, a write behind the Store's back included.
func TestGetSeesEveryWrite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, s *Store, db *bolt.DB)
		check func(t *testing.T, before, got *User, err error)
	}{
		{"Update", func(t *testing.T, s *Store, _ *bolt.DB) {
			u, _ := s.Get("jose")
			u.Disabled = true
			if _, err := s.Update(u); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, _, got *User, err error) {
			if err != nil || !got.Disabled {
				t.Errorf("Get after disabling: %+v, %v", got, err)
			}
		}},
		{"SetPassword", func(t *testing.T, s *Store, _ *bolt.DB) {
			if err := s.SetPassword("jose", "another-password"); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, before, got *User, err error) {
			if err != nil || got.PasswordHash == before.PasswordHash {
				t.Errorf("Get after SetPassword: the old hash (%v)", err)
			}
		}},
		{"Delete", func(t *testing.T, s *Store, _ *bolt.DB) {
			if err := s.Delete("jose"); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, _, got *User, err error) {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("Get after Delete: %+v, %v; want ErrNotFound", got, err)
			}
		}},
		{"a write behind the Store's back", func(t *testing.T, _ *Store, db *bolt.DB) {
			err := db.Update(func(tx *bolt.Tx) error {
				u, err := get(bucket(tx), "jose")
				if err != nil {
					return err
				}
				u.DisplayName = "Pepe"
				return put(bucket(tx), u)
			})
			if err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, _, got *User, err error) {
			if err != nil || got.DisplayName != "Pepe" {
				t.Errorf("Get after the write: %+v, %v", got, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, db := newStore(t)
			if _, err := s.Create(&User{Username: "jose", DisplayName: "José", Role: Patient, FHIRUser: "Patient/smart-patient-1"}, "jose-password"); err != nil {
				t.Fatal(err)
			}
			before, err := s.Get("jose") // decoded and kept now
			if err != nil {
				t.Fatal(err)
			}
			tc.write(t, s, db)
			got, err := s.Get("jose")
			tc.check(t, before, got, err)
		})
	}
}

// TestGetReturnsTheCallersCopy checks that changing the account Get
// returned changes nothing the next Get returns.
func TestGetReturnsTheCallersCopy(t *testing.T) {
	s, _ := newStore(t)
	stored, err := s.Create(&User{Username: "jose", Role: Patient, FHIRUser: "Patient/smart-patient-1"}, "jose-password")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // decoded, then kept
		got, err := s.Get("jose")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(stored, got); diff != "" {
			t.Fatalf("Get (-stored +got):\n%s", diff)
		}
		got.FHIRUser, got.Disabled = "Patient/someone-else", true
	}
}

// TestGetUnderConcurrentWrites reads while the account is renamed: every
// read is a name that was written, and the last write is read after.
// Run with -race.
func TestGetUnderConcurrentWrites(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.Create(&User{Username: "jose", DisplayName: "name -1", Role: Patient, FHIRUser: "Patient/p1"}, "jose-password"); err != nil {
		t.Fatal(err)
	}
	const writes = 40
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				u, err := s.Get("jose")
				if err != nil || !strings.HasPrefix(u.DisplayName, "name ") {
					t.Errorf("Get: %+v, %v", u, err)
					return
				}
			}
		})
	}
	for i := range writes {
		u, err := s.Get("jose")
		if err != nil {
			t.Fatal(err)
		}
		u.DisplayName = fmt.Sprint("name ", i)
		if _, err := s.Update(u); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if u, err := s.Get("jose"); err != nil || u.DisplayName != fmt.Sprint("name ", writes-1) {
		t.Errorf("Get after the writes: %+v, %v", u, err)
	}
}

// TestDecodedCacheBound checks that the cache keeps at most maxDecoded
// accounts and that an entry is used only for the bytes it came from.
func TestDecodedCacheBound(t *testing.T) {
	var c decodedCache
	for i := range maxDecoded + 10 {
		c.store(fmt.Sprint("user", i), []byte(fmt.Sprint(i)), &User{Username: fmt.Sprint("user", i)})
	}
	if n := len(c.m); n != maxDecoded {
		t.Errorf("the cache holds %d accounts, want %d", n, maxDecoded)
	}
	last := fmt.Sprint("user", maxDecoded+9)
	if u := c.lookup(last, []byte(fmt.Sprint(maxDecoded+9))); u == nil || u.Username != last {
		t.Errorf("lookup of the last account stored: %+v", u)
	}
	if u := c.lookup(last, []byte("other bytes")); u != nil {
		t.Errorf("lookup with other bytes: %+v, want nil", u)
	}
}
