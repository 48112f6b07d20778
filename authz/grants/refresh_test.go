package grants

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRotateRefresh(t *testing.T) {
	clock := newClock()
	s := newStore(t, Options{Now: clock.Now})
	g := redeemGrant(t, s, testGrant())
	t0, err := s.IssueRefresh(g.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(50 * time.Minute)
	got, t1, err := s.RotateRefresh(t0, "app")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(g, got); diff != "" {
		t.Errorf("grant (-want +got):\n%s", diff)
	}
	clock.Advance(50 * time.Minute) // t0's hour is over; t1's is not
	_, t2, err := s.RotateRefresh(t1, "app")
	if err != nil {
		t.Fatal(err)
	}
	if t0 == t1 || t1 == t2 || len(t2) != 43 {
		t.Fatalf("tokens not fresh: %q %q %q", t0, t1, t2)
	}
	if s.Revoked(g.ID) {
		t.Fatal("grant revoked by normal rotation")
	}
	// Reusing a rotated token revokes the grant, the newest token included.
	if _, _, err := s.RotateRefresh(t0, "app"); !errors.Is(err, ErrRefreshReused) {
		t.Fatalf("reuse: err = %v, want ErrRefreshReused", err)
	}
	if !s.Revoked(g.ID) {
		t.Error("grant not revoked after reuse")
	}
	if _, _, err := s.RotateRefresh(t2, "app"); !errors.Is(err, ErrRevoked) {
		t.Errorf("newest token after reuse: err = %v, want ErrRevoked", err)
	}
	if _, err := s.IssueRefresh(g.ID, time.Hour); !errors.Is(err, ErrRevoked) {
		t.Errorf("IssueRefresh after reuse: err = %v, want ErrRevoked", err)
	}
}

func TestRotateRefreshRefusals(t *testing.T) {
	tests := []struct {
		name   string
		grant  func(*Grant)
		alive  bool
		wait   time.Duration
		token  string
		client string
		want   error
	}{
		{name: "unknown", token: "nope", client: "app", alive: true, want: ErrNotFound},
		{name: "other client", client: "other", alive: true, want: ErrClientMismatch},
		{name: "expired", client: "app", alive: true, wait: time.Hour, want: ErrExpired},
		{name: "grant expiry caps the token", grant: func(g *Grant) { g.Expires = newClock().Now().Add(time.Minute) }, client: "app", alive: true, wait: time.Minute, want: ErrExpired},
		{name: "online_access, session ended", grant: func(g *Grant) { g.Offline = false }, client: "app", want: ErrSessionEnded},
		{name: "offline_access outlives the session", client: "app"},
		{name: "online_access, session open", grant: func(g *Grant) { g.Offline = false }, client: "app", alive: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			s := newStore(t, Options{Now: clock.Now, SessionAlive: func(id string) bool { return tt.alive && id == "sess-1" }})
			g := testGrant()
			if tt.grant != nil {
				tt.grant(&g)
			}
			g = redeemGrant(t, s, g)
			token, err := s.IssueRefresh(g.ID, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if tt.token != "" {
				token = tt.token
			}
			clock.Advance(tt.wait)
			_, _, err = s.RotateRefresh(token, tt.client)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if s.Revoked(g.ID) {
				t.Error("a refusal revoked the grant")
			}
		})
	}
}

func TestRevokeRefresh(t *testing.T) {
	s := newStore(t, Options{})
	g := redeemGrant(t, s, testGrant())
	t0, err := s.IssueRefresh(g.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t1, err := s.IssueRefresh(g.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeRefresh(t0, "other"); !errors.Is(err, ErrClientMismatch) {
		t.Fatalf("other client: err = %v, want ErrClientMismatch", err)
	}
	if err := s.RevokeRefresh("nope", "app"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: err = %v, want ErrNotFound", err)
	}
	if s.Revoked(g.ID) {
		t.Fatal("refused revocations revoked the grant")
	}
	if err := s.RevokeRefresh(t0, "app"); err != nil {
		t.Fatal(err)
	}
	if !s.Revoked(g.ID) {
		t.Error("grant not revoked")
	}
	if _, _, err := s.RotateRefresh(t1, "app"); !errors.Is(err, ErrRevoked) {
		t.Errorf("sibling token: err = %v, want ErrRevoked", err)
	}
}

func TestRefreshSurvivesRestart(t *testing.T) {
	clock := newClock()
	dir := t.TempDir()
	db := openDB(t, dir)
	s, err := Open(db, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	g := redeemGrant(t, s, testGrant())
	live, err := s.IssueRefresh(g.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	g2 := redeemGrant(t, s, testGrant())
	dead, err := s.IssueRefresh(g2.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeRefresh(dead, "app"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openDB(t, dir)
	defer db.Close()
	s, err = Open(db, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Revoked(g2.ID) || s.Revoked(g.ID) {
		t.Errorf("after restart Revoked = %v, %v; want false, true", s.Revoked(g.ID), s.Revoked(g2.ID))
	}
	got, next, err := s.RotateRefresh(live, "app")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(g, got); diff != "" {
		t.Errorf("grant after restart (-want +got):\n%s", diff)
	}
	// The grant is read from bbolt for a new token too.
	if _, err := s.IssueRefresh(g.ID, time.Hour); err != nil {
		t.Errorf("IssueRefresh after restart: %v", err)
	}
	if _, _, err := s.RotateRefresh(next, "app"); err != nil {
		t.Errorf("rotating again: %v", err)
	}
}
