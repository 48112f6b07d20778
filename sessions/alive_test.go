package sessions

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

func TestDigest(t *testing.T) {
	for _, id := range []string{"", "abc", strings.Repeat("A", 43)} {
		sum := sha256.Sum256([]byte(id))
		if got, want := Digest(id), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("Digest(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestAlive(t *testing.T) {
	tests := []struct {
		name string
		// end does something to the session (and the clock) and returns
		// the digest to ask about.
		end  func(t *testing.T, s *Store, c *clock, sess *Session) string
		want bool
	}{
		{"live", func(_ *testing.T, _ *Store, _ *clock, sess *Session) string { return Digest(sess.ID) }, true},
		{"live, upper-case hex", func(_ *testing.T, _ *Store, _ *clock, sess *Session) string {
			return strings.ToUpper(Digest(sess.ID))
		}, true},
		{"live just before idle expiry", func(_ *testing.T, _ *Store, c *clock, sess *Session) string {
			c.Add(30*time.Minute - time.Second)
			return Digest(sess.ID)
		}, true},
		{"deleted", func(t *testing.T, s *Store, _ *clock, sess *Session) string {
			if err := s.Delete(sess.ID); err != nil {
				t.Fatal(err)
			}
			return Digest(sess.ID)
		}, false},
		{"user deleted", func(t *testing.T, s *Store, _ *clock, sess *Session) string {
			if err := s.DeleteUser("alice"); err != nil {
				t.Fatal(err)
			}
			return Digest(sess.ID)
		}, false},
		{"idle expiry", func(_ *testing.T, _ *Store, c *clock, sess *Session) string {
			c.Add(30 * time.Minute)
			return Digest(sess.ID)
		}, false},
		{"absolute expiry though used", func(t *testing.T, s *Store, c *clock, sess *Session) string {
			for range 12 * 3 {
				c.Add(20 * time.Minute)
				if _, err := s.Get(sess.ID); err != nil && c.Now().Sub(sess.Created) < 12*time.Hour {
					t.Fatal(err)
				}
			}
			return Digest(sess.ID)
		}, false},
		{"unknown digest", func(*testing.T, *Store, *clock, *Session) string { return Digest("someone else") }, false},
		{"the ID itself", func(_ *testing.T, _ *Store, _ *clock, sess *Session) string { return sess.ID }, false},
		{"empty", func(*testing.T, *Store, *clock, *Session) string { return "" }, false},
		{"not hex", func(*testing.T, *Store, *clock, *Session) string { return strings.Repeat("zz", sha256.Size) }, false},
		{"truncated", func(_ *testing.T, _ *Store, _ *clock, sess *Session) string { return Digest(sess.ID)[:62] }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			s, _, _ := newStore(t, c)
			sess, err := s.Create("alice")
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Alive(tt.end(t, s, c, sess)); got != tt.want {
				t.Errorf("Alive = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAliveDoesNotTouch: asking about a session does not keep it open.
func TestAliveDoesNotTouch(t *testing.T) {
	c := newClock()
	s, _, _ := newStore(t, c)
	sess, _ := s.Create("alice")
	for range 4 {
		c.Add(10 * time.Minute)
		s.Alive(Digest(sess.ID))
	}
	if s.Alive(Digest(sess.ID)) {
		t.Error("session alive after 40 idle minutes")
	}
}

// FuzzAlive: no string but the session's digest (in either case) names
// a live session.
func FuzzAlive(f *testing.F) {
	c := newClock()
	s, _, _ := newStore(f, c)
	sess, _ := s.Create("alice")
	want := Digest(sess.ID)
	for _, seed := range []string{want, strings.ToUpper(want), sess.ID, "", want[:62], want + "00", strings.Repeat("zz", sha256.Size)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, dig string) {
		if s.Alive(dig) && !strings.EqualFold(dig, want) {
			t.Fatalf("Alive(%q) with only %q open", dig, want)
		}
	})
}
