package grants

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// activeWorld issues grants in every state ListActive tells apart.
type activeWorld struct {
	s     *Store
	clock *fakeClock
	// ids by name; tokens are the working refresh tokens.
	ids    map[string]string
	tokens map[string]string
}

func newActiveWorld(t *testing.T) *activeWorld {
	t.Helper()
	clock := newClock()
	w := &activeWorld{clock: clock, ids: map[string]string{}, tokens: map[string]string{}}
	w.s = newStore(t, Options{Now: clock.Now, SessionAlive: func(id string) bool { return id != "ended" }})
	grant := func(name, client, user, session string, offline bool, refresh time.Duration) {
		g := testGrant()
		g.ClientID, g.User, g.SessionID, g.Offline = client, user, session, offline
		g = redeemGrant(t, w.s, g)
		w.ids[name] = g.ID
		if refresh > 0 {
			tok, err := w.s.IssueRefresh(g.ID, refresh)
			if err != nil {
				t.Fatal(err)
			}
			w.tokens[name] = tok
		}
		clock.Advance(time.Second) // distinct Created, newest last
	}
	grant("offline", "app", "Practitioner/1", "s1", true, time.Hour)
	grant("rotated", "app", "Patient/2", "s2", true, time.Hour)
	grant("short", "app", "Practitioner/1", "s3", true, time.Minute)
	grant("online-ended", "app", "Practitioner/1", "ended", false, time.Hour)
	grant("other-app", "other", "Practitioner/1", "s4", true, time.Hour)
	if _, tok, err := w.s.RotateRefresh(w.tokens["rotated"], "app"); err != nil {
		t.Fatal(err)
	} else {
		w.tokens["rotated"] = tok
	}
	clock.Advance(5 * time.Minute) // "short" expires; the rest still hold
	grant("code-only", "app", "Practitioner/1", "s5", true, 0)
	return w
}

// names maps the listed grants back to their names, with their refresh
// token counts.
func (w *activeWorld) names(t *testing.T, f ActiveFilter) []string {
	t.Helper()
	got, err := w.s.ListActive(f)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for n, id := range w.ids {
		byID[id] = n
	}
	var out []string
	for _, a := range got {
		n := byID[a.ID]
		if a.RefreshTokens > 0 {
			n += "+refresh"
			if !a.RefreshExpires.After(w.clock.Now()) {
				n += "(expired?)"
			}
		}
		out = append(out, n)
	}
	return out
}

func TestListActive(t *testing.T) {
	w := newActiveWorld(t)
	tests := []struct {
		name string
		f    ActiveFilter
		want []string
	}{
		// short and online-ended have no working refresh token, but were
		// redeemed less than ten minutes ago: their access tokens may live.
		{"all", ActiveFilter{}, []string{"code-only", "other-app+refresh", "online-ended", "short", "rotated+refresh", "offline+refresh"}},
		{"by app", ActiveFilter{ClientID: "app"}, []string{"code-only", "online-ended", "short", "rotated+refresh", "offline+refresh"}},
		{"by user", ActiveFilter{User: "Practitioner/1"}, []string{"code-only", "other-app+refresh", "online-ended", "short", "offline+refresh"}},
		{"by app and user", ActiveFilter{ClientID: "other", User: "Patient/2"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, w.names(t, tc.f)); diff != "" {
				t.Errorf("ListActive(%+v) (-want +got):\n%s", tc.f, diff)
			}
		})
	}
	// Grants without a working refresh token drop out once their access
	// tokens are surely over.
	w.clock.Advance(tombstoneTTL)
	if got := w.names(t, ActiveFilter{ClientID: "app"}); !cmp.Equal(got, []string{"rotated+refresh", "offline+refresh"}) {
		t.Errorf("after ten minutes: %q", got)
	}
}

func TestRevoke(t *testing.T) {
	w := newActiveWorld(t)
	for _, name := range []string{"offline", "code-only"} {
		if err := w.s.Revoke(w.ids[name]); err != nil {
			t.Fatalf("Revoke(%s): %v", name, err)
		}
		if !w.s.Revoked(w.ids[name]) {
			t.Errorf("%s not revoked", name)
		}
		if err := w.s.Revoke(w.ids[name]); err != nil {
			t.Errorf("Revoke(%s) again: %v", name, err)
		}
	}
	if _, _, err := w.s.RotateRefresh(w.tokens["offline"], "app"); !errors.Is(err, ErrRevoked) {
		t.Errorf("refresh of a revoked grant: %v, want ErrRevoked", err)
	}
	if _, err := w.s.IssueRefresh(w.ids["code-only"], time.Hour); !errors.Is(err, ErrRevoked) {
		t.Errorf("IssueRefresh of a revoked grant: %v, want ErrRevoked", err)
	}
	if got := w.names(t, ActiveFilter{ClientID: "app"}); !cmp.Equal(got, []string{"online-ended", "short", "rotated+refresh"}) {
		t.Errorf("active after revoking: %q", got)
	}
	if err := w.s.Revoke("no-such-grant"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Revoke(unknown): %v, want ErrNotFound", err)
	}
	// The revocation is durable: a new Store over the file knows it.
	again, err := Open(w.s.db, Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Revoked(w.ids["offline"]) || again.Revoked(w.ids["rotated"]) {
		t.Error("revocations not as stored after reopening")
	}
}
