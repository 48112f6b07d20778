package launch

import (
	"bytes"
	"encoding/base64"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clock is a settable test clock, safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func sample() Context {
	return Context{
		ClientID: "growth-chart", Username: "dr.morgan", FHIRUser: "Practitioner/smart-practitioner-1",
		Patient: "smart-patient-1", Encounter: "enc-1",
		FHIRContext:       []FHIRContextItem{{Reference: "DocumentReference/doc-1"}},
		NeedPatientBanner: true, Intent: "reconcile-medications",
	}
}

func TestIssue(t *testing.T) {
	clk := newClock()
	s := New(Options{Now: clk.now})
	in := sample()
	in.ID, in.Created = "chosen-by-caller", time.Unix(1, 0)
	got, err := s.Issue(in)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(got.ID)
	if err != nil || len(raw) < 16 {
		t.Errorf("id %q: %d random bytes (err %v), want at least 16 of base64url", got.ID, len(raw), err)
	}
	want := sample()
	want.ID, want.Created, want.Expires = got.ID, clk.now(), clk.now().Add(Lifetime)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issued (-want +got):\n%s", diff)
	}
	peeked, err := s.Peek(got.ID, "growth-chart")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, peeked); diff != "" {
		t.Errorf("peeked (-want +got):\n%s", diff)
	}
	// The store keeps its own copy: changing what Issue or Peek returned
	// changes nothing stored.
	got.FHIRContext[0].Reference = "changed"
	peeked.FHIRContext[0].Reference = "changed"
	in.FHIRContext[0].Reference = "changed"
	again, _ := s.Peek(got.ID, "growth-chart")
	if r := again.FHIRContext[0].Reference; r != "DocumentReference/doc-1" {
		t.Errorf("stored fhirContext changed to %q through a returned value", r)
	}

	if _, err := s.Issue(Context{Patient: "p"}); !errors.Is(err, ErrNoClient) {
		t.Errorf("Issue without client: %v, want ErrNoClient", err)
	}
	bad := New(Options{Rand: bytes.NewReader(make([]byte, 10))})
	if _, err := bad.Issue(sample()); err == nil {
		t.Error("Issue with a short random source succeeded")
	}
}

func TestPeekConsumeErrors(t *testing.T) {
	clk := newClock()
	s := New(Options{Now: clk.now})
	issue := func() string {
		c, err := s.Issue(sample())
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	tests := []struct {
		name    string
		setup   func() string // returns the id to look up
		client  string
		peek    error
		consume error // of the first Consume after setup
	}{
		{"fresh", issue, "growth-chart", nil, nil},
		{"unknown", func() string { return "no-such-launch" }, "growth-chart", ErrUnknown, ErrUnknown},
		{"empty id", func() string { return "" }, "growth-chart", ErrUnknown, ErrUnknown},
		{"other app", issue, "other-app", ErrOtherApp, ErrOtherApp},
		{"empty client", issue, "", ErrOtherApp, ErrOtherApp},
		{"used", func() string {
			id := issue()
			if _, err := s.Consume(id, "growth-chart"); err != nil {
				t.Fatal(err)
			}
			return id
		}, "growth-chart", ErrUsed, ErrUsed},
		{"expired", func() string {
			id := issue()
			clk.advance(Lifetime)
			return id
		}, "growth-chart", ErrExpired, ErrUnknown}, // Consume sweeps first
		{"used, other app", func() string {
			id := issue()
			s.Consume(id, "growth-chart")
			return id
		}, "other-app", ErrOtherApp, ErrOtherApp},
		{"one tick before expiry", func() string {
			id := issue()
			clk.advance(Lifetime - time.Nanosecond)
			return id
		}, "growth-chart", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.setup()
			if _, err := s.Peek(id, tc.client); err != tc.peek {
				t.Errorf("Peek: %v, want %v", err, tc.peek)
			}
			if _, err := s.Consume(id, tc.client); err != tc.consume {
				t.Errorf("Consume: %v, want %v", err, tc.consume)
			}
			if tc.consume == nil {
				if _, err := s.Consume(id, tc.client); err != ErrUsed {
					t.Errorf("second Consume: %v, want ErrUsed", err)
				}
				if _, err := s.Peek(id, tc.client); err != ErrUsed {
					t.Errorf("Peek after Consume: %v, want ErrUsed", err)
				}
			}
		})
	}
}

func TestUsedRememberedUntilExpiryThenSwept(t *testing.T) {
	clk := newClock()
	s := New(Options{Now: clk.now})
	c, _ := s.Issue(sample())
	if _, err := s.Consume(c.ID, c.ClientID); err != nil {
		t.Fatal(err)
	}
	clk.advance(Lifetime - time.Second)
	s.Issue(sample()) // a write sweeps; the used id is not yet expired
	if _, err := s.Peek(c.ID, c.ClientID); err != ErrUsed {
		t.Errorf("used id before expiry: %v, want ErrUsed", err)
	}
	clk.advance(time.Second)
	if _, err := s.Peek(c.ID, c.ClientID); err != ErrExpired {
		t.Errorf("used id at expiry, before a sweep: %v, want ErrExpired", err)
	}
	s.Issue(sample())
	if _, err := s.Peek(c.ID, c.ClientID); err != ErrUnknown {
		t.Errorf("used id after the sweep: %v, want ErrUnknown", err)
	}
	if n := s.Len(); n != 2 {
		t.Errorf("Len = %d, want 2 (the two later launches)", n)
	}
}

func TestSweepBoundsMemory(t *testing.T) {
	clk := newClock()
	s := New(Options{Now: clk.now, MaxLive: 50})
	for i := range 1000 {
		if _, err := s.Issue(sample()); err != nil {
			t.Fatalf("issue %d: %v", i, err)
		}
		clk.advance(Lifetime / 40) // at most 40 alive at once
	}
	if n := s.Len(); n > 41 {
		t.Errorf("Len = %d after 1000 issues, want at most 41", n)
	}
	s.mu.Lock()
	queued := len(s.order) - s.head
	capacity := len(s.order)
	s.mu.Unlock()
	if queued != s.Len() {
		t.Errorf("queue holds %d ids, map %d", queued, s.Len())
	}
	if capacity > 200 {
		t.Errorf("queue slice length %d: popped ids are not reclaimed", capacity)
	}
}

func TestFull(t *testing.T) {
	clk := newClock()
	s := New(Options{Now: clk.now, MaxLive: 3})
	for range 3 {
		if _, err := s.Issue(sample()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Issue(sample()); !errors.Is(err, ErrFull) {
		t.Errorf("fourth Issue: %v, want ErrFull", err)
	}
	clk.advance(Lifetime)
	if _, err := s.Issue(sample()); err != nil {
		t.Errorf("Issue after the others expired: %v", err)
	}
}

func TestClockStepsBack(t *testing.T) {
	clk := newClock()
	s := New(Options{Now: clk.now})
	first, _ := s.Issue(sample())
	clk.advance(-time.Hour)
	second, _ := s.Issue(sample())
	clk.advance(time.Hour + Lifetime)
	s.Issue(sample())
	for _, id := range []string{first.ID, second.ID} {
		if _, err := s.Peek(id, "growth-chart"); err != ErrUnknown {
			t.Errorf("Peek(%s): %v, want ErrUnknown after both expired and a sweep", id[:6], err)
		}
	}
}

// TestConcurrentConsume runs with -race: of many goroutines consuming the
// same ids, exactly one wins each.
func TestConcurrentConsume(t *testing.T) {
	s := New(Options{})
	const ids, workers = 50, 8
	var issued []string
	for range ids {
		c, err := s.Issue(sample())
		if err != nil {
			t.Fatal(err)
		}
		issued = append(issued, c.ID)
	}
	var wins, used atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for _, id := range issued {
				s.Peek(id, "growth-chart")
				switch _, err := s.Consume(id, "growth-chart"); err {
				case nil:
					wins.Add(1)
				case ErrUsed:
					used.Add(1)
				default:
					t.Errorf("Consume: %v", err)
				}
				s.Issue(sample())
			}
		})
	}
	wg.Wait()
	if wins.Load() != ids || used.Load() != ids*(workers-1) {
		t.Errorf("wins %d, ErrUsed %d; want %d and %d", wins.Load(), used.Load(), ids, ids*(workers-1))
	}
}
