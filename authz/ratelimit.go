package authz

import (
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimiters bounds the per-address limiters kept at once.
const maxLimiters = 10000

// ipLimiter is one token bucket per client address, for open
// registration. A limiter that has refilled to its burst behaves like a
// new one, so sweeping forgets exactly those and memory stays bounded by
// the addresses active within one refill period.
type ipLimiter struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	m         map[string]*rate.Limiter
	lastSweep time.Time
}

// newIPLimiter allows perMinute requests a minute per address, with a
// burst of the same size.
func newIPLimiter(perMinute int) *ipLimiter {
	return &ipLimiter{limit: rate.Limit(float64(perMinute) / 60), burst: perMinute, m: make(map[string]*rate.Limiter)}
}

// allow reports whether addr may make a request at now and, if not, how
// long it should wait.
func (l *ipLimiter) allow(addr string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	since := now.Sub(l.lastSweep)
	if since >= time.Minute || len(l.m) >= maxLimiters && since >= time.Second {
		l.sweep(now)
	}
	lim := l.m[addr]
	if lim == nil {
		if len(l.m) >= maxLimiters {
			// Too many addresses at once: refuse newcomers rather than
			// grow without bound.
			return false, time.Second
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.m[addr] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets the limiters that are full again.
func (l *ipLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, lim := range l.m {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.m, k)
		}
	}
}

// clientAddr is the rate-limit key of a request: its remote IP, or the
// /64 prefix of an IPv6 address (one subscriber's usual allocation).
func clientAddr(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
