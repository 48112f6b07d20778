package clientauth

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Bounds on how long a fetched JWKS is kept.
const (
	// defaultJWKSLifetime applies when the response says nothing.
	defaultJWKSLifetime = 5 * time.Minute
	// maxJWKSLifetime caps what a response may ask for, so that a key the
	// client removed stops working within the hour.
	maxJWKSLifetime = time.Hour
)

// freshness returns how long a JWKS response may be used, following RFC
// 9111 §4.2.1 for a private cache: no-store and no-cache mean not at all
// (it serves only the requests that waited for it); max-age, else Expires
// minus Date, less Age; 5 min when the response says nothing; at most 1 h.
// A max-age or Expires that does not parse makes the response stale, as
// RFC 9111 §4.2.1 and §5.3 ask.
func freshness(h http.Header, now time.Time) time.Duration {
	maxAge, hasMaxAge := time.Duration(0), false
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
				if err != nil || n < 0 {
					return 0
				}
				maxAge, hasMaxAge = time.Duration(min(n, int64(maxJWKSLifetime/time.Second)))*time.Second, true
			}
		}
	}
	life := defaultJWKSLifetime
	switch {
	case hasMaxAge:
		life = maxAge
	case h.Get("Expires") != "":
		exp, err := http.ParseTime(h.Get("Expires"))
		if err != nil {
			return 0
		}
		date := now
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			date = d
		}
		life = exp.Sub(date)
	}
	if age, err := strconv.ParseInt(h.Get("Age"), 10, 64); err == nil && age > 0 {
		life -= time.Duration(min(age, int64(maxJWKSLifetime/time.Second))) * time.Second
	}
	return max(0, min(life, maxJWKSLifetime))
}
