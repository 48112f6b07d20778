package authz

import (
	"fmt"
	"testing"
	"time"
)

func TestIPLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newIPLimiter(3)
	for i, want := range []bool{true, true, true, false} {
		if ok, wait := l.allow("192.0.2.1", now); ok != want || !ok && wait != 20*time.Second {
			t.Errorf("request %d: %v, wait %v", i, ok, wait)
		}
	}
	if ok, _ := l.allow("192.0.2.2", now); !ok {
		t.Error("another address shares the bucket")
	}
	if ok, _ := l.allow("192.0.2.1", now.Add(20*time.Second)); !ok {
		t.Error("no refill after 20 s")
	}
	// Full limiters are forgotten at the next sweep.
	l.allow("192.0.2.3", now.Add(10*time.Minute))
	if len(l.m) != 1 {
		t.Errorf("%d limiters kept after the sweep, want 1", len(l.m))
	}
}

func TestIPLimiterBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newIPLimiter(1)
	for i := range maxLimiters {
		l.allow(fmt.Sprintf("10.%d.%d.1", i/256, i%256), now)
	}
	if ok, _ := l.allow("192.0.2.9", now.Add(2*time.Second)); ok {
		t.Error("a new address was admitted beyond maxLimiters")
	}
	if ok, _ := l.allow("192.0.2.9", now.Add(time.Minute)); !ok || len(l.m) != 1 {
		t.Errorf("after the refill: admitted %v, %d limiters", ok, len(l.m))
	}
}

func TestClientAddr(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1:1234":             "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:9":   "2001:db8:1:2::/64",
		"[::ffff:192.0.2.1]:80":      "192.0.2.1",
		"unix-socket":                "unix-socket",
		"[::1]:8080":                 "::/64",
	} {
		if got := clientAddr(in); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
