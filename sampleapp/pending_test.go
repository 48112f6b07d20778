package sampleapp

import (
	"errors"
	"testing"
	"time"
)

func TestPendingTake(t *testing.T) {
	tests := []struct {
		name    string
		state   func(issued string) string
		binding string
		later   time.Duration
		want    error
	}{
		{"same browser", func(s string) string { return s }, "browser-a", time.Minute, nil},
		{"other browser", func(s string) string { return s }, "browser-b", time.Minute, errOtherBrowser},
		{"no cookie", func(s string) string { return s }, "", time.Minute, errOtherBrowser},
		{"expired", func(s string) string { return s }, "browser-a", pendingLifetime, errExpiredState},
		{"unknown state", func(string) string { return "forged" }, "browser-a", 0, errUnknownState},
		{"empty state", func(string) string { return "" }, "browser-a", 0, errUnknownState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			p := newPending(func() time.Time { return now })
			state, err := p.put(flight{binding: "browser-a", verifier: "v", iss: "https://x/fhir"})
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(tt.later)
			f, err := p.take(tt.state(state), tt.binding)
			if !errors.Is(err, tt.want) {
				t.Fatalf("take: %v, want %v", err, tt.want)
			}
			if err == nil && (f.verifier != "v" || f.iss != "https://x/fhir") {
				t.Errorf("took %+v", f)
			}
			// Whatever the outcome, the state taken is used up.
			if _, err := p.take(tt.state(state), "browser-a"); !errors.Is(err, errUnknownState) {
				t.Errorf("second take: %v, want errUnknownState", err)
			}
		})
	}
}

func TestPendingBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	p := newPending(func() time.Time { return now })
	for range maxPending {
		if _, err := p.put(flight{binding: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.put(flight{binding: "b"}); !errors.Is(err, errTooMany) {
		t.Fatalf("put over the bound: %v, want errTooMany", err)
	}
	now = now.Add(pendingLifetime) // all expire: the next put sweeps them
	if _, err := p.put(flight{binding: "b"}); err != nil {
		t.Fatalf("put after expiry: %v", err)
	}
	if len(p.m) != 1 {
		t.Errorf("%d pending after the sweep, want 1", len(p.m))
	}
}

func TestRandomTokenIsUnique(t *testing.T) {
	a, err := randomToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := randomToken()
	if len(a) != 43 || a == b {
		t.Errorf("tokens %q and %q: want two different 43-character values", a, b)
	}
}
