package sessions

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LimiterOptions configures a Limiter. The zero value is valid.
type LimiterOptions struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// IPRate is the sustained rate of login attempts per client IP (IPv6
	// per /64); 0 means 10 a minute.
	IPRate rate.Limit
	// IPBurst is how many attempts an IP may make at once; 0 means 10.
	IPBurst int
	// MaxFailures is how many failures in a row lock an account; 0 means 5.
	MaxFailures int
	// Lockout is how long a locked account stays locked; 0 means 15
	// minutes. A failure count older than Lockout is forgotten.
	Lockout time.Duration
	// MaxKeys caps the IPs and the accounts tracked (each); 0 means 100,000.
	MaxKeys int
}

// Limiter throttles logins per client IP (a token bucket) and per account
// (a temporary lockout after repeated failures). It is safe for
// concurrent use and holds bounded memory: entries that carry no
// information (a full bucket, no recent failure) are evicted, and at
// MaxKeys an arbitrary entry is dropped, a locked account last.
type Limiter struct {
	opts LimiterOptions

	mu        sync.Mutex
	ips       map[netip.Prefix]*rate.Limiter
	accounts  map[string]*account
	lastSweep time.Time
}

type account struct {
	failures    int
	lastFailure time.Time
	lockedUntil time.Time
}

// NewLimiter returns a Limiter with the given options.
func NewLimiter(opts LimiterOptions) *Limiter {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.IPRate <= 0 {
		opts.IPRate = rate.Every(time.Minute / 10)
	}
	if opts.IPBurst <= 0 {
		opts.IPBurst = 10
	}
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = 5
	}
	if opts.Lockout <= 0 {
		opts.Lockout = 15 * time.Minute
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 100_000
	}
	return &Limiter{opts: opts, ips: map[netip.Prefix]*rate.Limiter{}, accounts: map[string]*account{}}
}

// ipKey groups an address by what one client can easily hold: an IPv4
// address, an IPv6 /64. ip may carry a port (a RemoteAddr). Anything
// unparseable shares one key, so junk cannot multiply buckets.
func ipKey(ip string) netip.Prefix {
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// Allow reports whether a login attempt for username from ip may go
// ahead, and if not, how long to wait (for a Retry-After header). An
// allowed attempt uses one of the IP's tokens; a locked account refuses
// without using one. Call it before checking the password.
func (l *Limiter) Allow(username, ip string) (ok bool, retryAfter time.Duration) {
	now := l.opts.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if a, ok := l.accounts[username]; ok && now.Before(a.lockedUntil) {
		return false, a.lockedUntil.Sub(now)
	}
	k := ipKey(ip)
	lim, ok := l.ips[k]
	if !ok {
		l.makeRoom(now, true)
		lim = rate.NewLimiter(l.opts.IPRate, l.opts.IPBurst)
		l.ips[k] = lim
	}
	if lim.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - lim.TokensAt(now)
	wait := time.Duration(missing / float64(l.opts.IPRate) * float64(time.Second))
	return false, max(wait, time.Second)
}

// Failure records a wrong password for username (from ip, kept for the
// caller's audit log) and reports whether it locked the account: the
// MaxFailures-th failure in a row locks it for Lockout.
func (l *Limiter) Failure(username, ip string) (locked bool) {
	now := l.opts.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[username]
	if !ok {
		l.makeRoom(now, false)
		a = &account{}
		l.accounts[username] = a
	}
	if now.Sub(a.lastFailure) >= l.opts.Lockout {
		a.failures = 0
	}
	a.failures++
	a.lastFailure = now
	if a.failures >= l.opts.MaxFailures {
		a.failures = 0
		a.lockedUntil = now.Add(l.opts.Lockout)
		return true
	}
	return false
}

// Success records a successful login: the account's failures are
// forgotten. The IP's bucket is left as it is.
func (l *Limiter) Success(username, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.accounts, username)
}

// makeRoom is called before adding an IP (ips) or an account: at the
// cap it sweeps idle entries (at most once a second, so a flood does not
// make every insert a full scan) and, if still at the cap, drops one.
func (l *Limiter) makeRoom(now time.Time, ips bool) {
	n := len(l.accounts)
	if ips {
		n = len(l.ips)
	}
	if n < l.opts.MaxKeys {
		return
	}
	if now.Sub(l.lastSweep) >= time.Second {
		l.sweep(now)
	}
	for ips && len(l.ips) >= l.opts.MaxKeys {
		for k := range l.ips {
			delete(l.ips, k)
			break
		}
	}
	if !ips && len(l.accounts) >= l.opts.MaxKeys {
		victim, found := "", false
		for u, a := range l.accounts {
			victim, found = u, true
			if !now.Before(a.lockedUntil) {
				break
			}
		}
		if found {
			delete(l.accounts, victim)
		}
	}
}

// sweep drops entries that carry no information: a full IP bucket (as a
// new one would be) and accounts neither locked nor with a recent failure.
func (l *Limiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, lim := range l.ips {
		if lim.TokensAt(now) >= float64(l.opts.IPBurst) {
			delete(l.ips, k)
		}
	}
	for u, a := range l.accounts {
		if !now.Before(a.lockedUntil) && now.Sub(a.lastFailure) >= l.opts.Lockout {
			delete(l.accounts, u)
		}
	}
}

// Len returns how many IPs and accounts are tracked, for metrics.
func (l *Limiter) Len() (ips, accounts int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ips), len(l.accounts)
}

// ClientIP is the request's peer address without its port: what the
// login throttle counts per address, and what the audit trail records.
// (X-Forwarded-For is not read: anyone can forge it.)
func ClientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
