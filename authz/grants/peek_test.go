package grants

import (
	"errors"
	"testing"
	"time"
)

func TestPeekRefresh(t *testing.T) {
	s := newStore(t, Options{Now: newClock().Now})
	g := redeemGrant(t, s, testGrant())
	tok, err := s.IssueRefresh(g.ID, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, token, client string
		want                error
	}{
		{"ok", tok, "app", nil},
		{"unknown", "nope", "app", ErrNotFound},
		{"other client", tok, "other", ErrClientMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.PeekRefresh(tc.token, tc.client)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if tc.want == nil && (got.ID != g.ID || got.Scope != g.Scope) {
				t.Errorf("grant %+v, want %+v", got, g)
			}
		})
	}
	// Peeking does not rotate: the token still rotates once.
	if _, _, err := s.RotateRefresh(tok, "app"); err != nil {
		t.Fatalf("rotate after peek: %v", err)
	}
}
