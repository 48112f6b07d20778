package registry

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGetSeesEveryWrite checks that an app looked up (and so cached)
// before a write is looked up as written after it, for every method that
// writes.
func TestGetSeesEveryWrite(t *testing.T) {
	renamed := func(name string) func(*testing.T, *App, *App, error) {
		return func(t *testing.T, _, got *App, err error) {
			if err != nil || got.Name != name {
				t.Errorf("Get: %v, %v; want the app named %q", got, err, name)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, s *Store)
		check func(t *testing.T, before, got *App, err error)
	}{
		{"Update", func(t *testing.T, s *Store) {
			a := symmetricApp()
			a.Name = "Renamed"
			if _, _, err := s.Update(a); err != nil {
				t.Fatal(err)
			}
		}, renamed("Renamed")},
		{"Reregister", func(t *testing.T, s *Store) {
			cur, _ := s.Get("cardiac-risk")
			md := cur.Metadata()
			md.ClientName = "Re-registered"
			md.ClientIDIssuedAt, md.ClientSecretExpiresAt = 0, nil
			if _, _, err := s.Reregister("cardiac-risk", md); err != nil {
				t.Fatal(err)
			}
		}, renamed("Re-registered")},
		{"RotateSecret", func(t *testing.T, s *Store) {
			if _, err := s.RotateSecret("cardiac-risk"); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, before, got *App, err error) {
			if err != nil || bytes.Equal(got.SecretHash, before.SecretHash) {
				t.Errorf("Get after RotateSecret: the old secret hash (%v)", err)
			}
		}},
		{"Delete", func(t *testing.T, s *Store) {
			if err := s.Delete("cardiac-risk"); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, _, got *App, err error) {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("Get after Delete: %v, %v; want ErrNotFound", got, err)
			}
		}},
		{"Import with replace", func(t *testing.T, s *Store) {
			a := symmetricApp()
			a.Name = "Imported"
			other, _ := newStoreWith(t, a)
			var buf bytes.Buffer
			if err := other.Export(&buf); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Import(&buf, ImportOptions{Replace: true}); err != nil {
				t.Fatal(err)
			}
		}, renamed("Imported")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, before := newStoreWith(t, symmetricApp())
			if got, err := s.Get(before.ClientID); err != nil || got.Name != before.Name { // cached now
				t.Fatalf("Get before the write: %v, %v", got, err)
			}
			tc.write(t, s)
			got, err := s.Get(before.ClientID)
			tc.check(t, before, got, err)
		})
	}
}

// newStoreWith returns a Store holding a and the stored copy of a.
func newStoreWith(t *testing.T, a *App) (*Store, *App) {
	t.Helper()
	s, _, _ := newStore(t, Options{})
	stored, _, err := s.Create(a)
	if err != nil {
		t.Fatal(err)
	}
	return s, stored
}

// TestGetReturnsTheCallersCopy checks that changing an app Get returned
// changes neither the store nor what the next Get returns.
func TestGetReturnsTheCallersCopy(t *testing.T) {
	s, stored := newStoreWith(t, publicApp())
	for range 2 { // a miss, then a hit
		got, err := s.Get(stored.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(stored, got); diff != "" {
			t.Fatalf("Get (-stored +got):\n%s", diff)
		}
		got.Name = "changed"
		got.RedirectURIs[0] = "https://evil.example/cb"
		got.GrantTypes = append(got.GrantTypes[:0], GrantClientCredentials)
	}
}

// TestGetUnderConcurrentWrites reads while another goroutine renames the
// app: every read is one of the names written, and once the writes are
// done Get returns the last. Run with -race.
func TestGetUnderConcurrentWrites(t *testing.T) {
	s, stored := newStoreWith(t, symmetricApp())
	const writes = 50
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				a, err := s.Get(stored.ClientID)
				if err != nil {
					t.Error(err)
					return
				}
				if a.Name != stored.Name && !bytes.HasPrefix([]byte(a.Name), []byte("name ")) {
					t.Errorf("Get read name %q", a.Name)
					return
				}
			}
		})
	}
	for i := range writes {
		a := symmetricApp()
		a.Name = fmt.Sprint("name ", i)
		if _, _, err := s.Update(a); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	got, err := s.Get(stored.ClientID)
	if err != nil || got.Name != fmt.Sprint("name ", writes-1) {
		t.Errorf("Get after the writes: %v, %v; want name %d", got.Name, err, writes-1)
	}
}

// TestAppCache checks the cache's own rules: a lookup that read the
// bucket before a write does not cache what it read, and the cache holds
// at most maxCachedApps apps.
func TestAppCache(t *testing.T) {
	var c appCache
	_, gen, ok := c.get("a")
	if ok {
		t.Fatal("an empty cache had an app")
	}
	c.clear() // a write committed while "a" was being read
	c.put(&App{ClientID: "a"}, gen)
	if _, _, ok := c.get("a"); ok {
		t.Error("an app read before a write was cached")
	}
	_, gen, _ = c.get("a")
	c.put(&App{ClientID: "a", Name: "now"}, gen)
	if a, _, ok := c.get("a"); !ok || a.Name != "now" {
		t.Errorf("get after put: %v, %v", a, ok)
	}
	for i := range maxCachedApps + 10 {
		_, gen, _ := c.get("")
		c.put(&App{ClientID: fmt.Sprint("app-", i)}, gen)
	}
	if n := len(c.apps); n != maxCachedApps {
		t.Errorf("the cache holds %d apps, want %d", n, maxCachedApps)
	}
	if _, _, ok := c.get(fmt.Sprint("app-", maxCachedApps+9)); !ok {
		t.Error("the last app put is not cached")
	}
}
