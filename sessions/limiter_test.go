package sessions

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLimiterIPBurst(t *testing.T) {
	c := newClock()
	l := NewLimiter(LimiterOptions{Now: c.Now})
	for i := range 10 {
		if ok, _ := l.Allow(fmt.Sprintf("user%d", i), "192.0.2.7:5555"); !ok {
			t.Fatalf("attempt %d refused within the burst", i+1)
		}
	}
	ok, retry := l.Allow("user10", "192.0.2.7:6666")
	if ok || retry != 6*time.Second {
		t.Errorf("11th attempt: ok=%v retryAfter=%v, want refused for 6s", ok, retry)
	}
	if ok, _ := l.Allow("user10", "192.0.2.8"); !ok {
		t.Errorf("another IP refused")
	}
	c.Add(6 * time.Second)
	if ok, _ := l.Allow("user10", "192.0.2.7"); !ok {
		t.Errorf("refused after retryAfter")
	}
}

func TestIPKey(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"192.0.2.7", "192.0.2.7/32"},
		{"192.0.2.7:443", "192.0.2.7/32"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::ffff:192.0.2.7", "192.0.2.7/32"},
		{"junk", "invalid Prefix"},
	}
	for _, tt := range tests {
		if got := ipKey(tt.ip).String(); got != tt.want {
			t.Errorf("ipKey(%q) = %s, want %s", tt.ip, got, tt.want)
		}
	}
	if ipKey("2001:db8:1:2::1") != ipKey("2001:db8:1:2::2") || ipKey("2001:db8:1:2::1") == ipKey("2001:db8:1:3::1") {
		t.Error("IPv6 not grouped by /64")
	}
}

func TestLimiterLockout(t *testing.T) {
	c := newClock()
	l := NewLimiter(LimiterOptions{Now: c.Now, IPBurst: 1000})
	var locks []bool
	for i := range 5 {
		if ok, _ := l.Allow("alice", fmt.Sprintf("192.0.2.%d", i)); !ok {
			t.Fatalf("attempt %d refused before the lockout", i+1)
		}
		locks = append(locks, l.Failure("alice", fmt.Sprintf("192.0.2.%d", i)))
	}
	if diff := cmp.Diff([]bool{false, false, false, false, true}, locks); diff != "" {
		t.Errorf("Failure results (-want +got):\n%s", diff)
	}
	c.Add(time.Minute)
	ok, retry := l.Allow("alice", "198.51.100.1")
	if ok || retry != 14*time.Minute {
		t.Errorf("locked account: ok=%v retryAfter=%v, want refused for 14m", ok, retry)
	}
	if ok, _ := l.Allow("bob", "198.51.100.1"); !ok {
		t.Errorf("other account refused")
	}
	c.Add(14 * time.Minute)
	if ok, _ := l.Allow("alice", "198.51.100.1"); !ok {
		t.Errorf("refused after the lockout")
	}
	if l.Failure("alice", "198.51.100.1") {
		t.Errorf("first failure after the lockout locked again")
	}
}

func TestLimiterSuccessResets(t *testing.T) {
	c := newClock()
	l := NewLimiter(LimiterOptions{Now: c.Now, IPBurst: 1000})
	for range 4 {
		l.Failure("alice", "192.0.2.1")
	}
	l.Success("alice", "192.0.2.1")
	for i := range 4 {
		if l.Failure("alice", "192.0.2.1") {
			t.Fatalf("failure %d after a success locked the account", i+1)
		}
	}
	if !l.Failure("alice", "192.0.2.1") {
		t.Errorf("5th failure in a row did not lock")
	}
}

func TestLimiterOldFailuresForgotten(t *testing.T) {
	c := newClock()
	l := NewLimiter(LimiterOptions{Now: c.Now})
	for range 4 {
		l.Failure("alice", "192.0.2.1")
	}
	c.Add(15 * time.Minute)
	if l.Failure("alice", "192.0.2.1") {
		t.Errorf("a failure 15 min after four others locked the account")
	}
}

func TestLimiterMemoryCap(t *testing.T) {
	c := newClock()
	l := NewLimiter(LimiterOptions{Now: c.Now, MaxKeys: 100})
	l.Failure("victim", "192.0.2.1")
	for range 4 {
		l.Failure("victim", "192.0.2.1")
	}
	for i := range 1000 {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String()
		l.Allow(fmt.Sprintf("u%d", i), ip)
		l.Failure(fmt.Sprintf("u%d", i), ip)
		if ips, accounts := l.Len(); ips > 100 || accounts > 100 {
			t.Fatalf("after %d keys: %d IPs, %d accounts tracked, cap 100", i+1, ips, accounts)
		}
	}
	if ok, _ := l.Allow("victim", "192.0.2.9"); ok {
		t.Errorf("a flood of other accounts evicted a locked one")
	}
	// Idle entries go at the next sweep.
	c.Add(time.Hour)
	l.Allow("new", "203.0.113.1")
	l.Failure("new", "203.0.113.1")
	if ips, accounts := l.Len(); ips != 1 || accounts != 1 {
		t.Errorf("after an idle hour: %d IPs, %d accounts, want 1 and 1", ips, accounts)
	}
}
