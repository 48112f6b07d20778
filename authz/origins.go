package authz

import (
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"smartd/apps/registry"
)

// AppLister lists the registered apps; registry.Store satisfies it.
type AppLister interface {
	List() ([]*registry.App, error)
}

// originsMaxAge bounds how long a snapshot of the registered origins is
// used; originsMinAge is how soon an unknown origin may trigger a rebuild,
// so that a stream of foreign origins lists the apps at most once a
// second.
const (
	originsMaxAge = 30 * time.Second
	originsMinAge = time.Second
)

// Origins is the set of browser origins of the registered apps: the
// scheme, host and port of each redirect URI and launch URL (RFC 6454
// §4). An http origin on a loopback host matches whatever its port, as
// loopback redirect URIs do (RFC 8252 §7.3). The set is a snapshot,
// rebuilt after Invalidate (registration changes through this package), at
// most every 30 s, and on an unknown origin at most once a second, so that
// apps registered elsewhere (the CLI, the UI) are seen soon. It is safe
// for concurrent use.
type Origins struct {
	apps AppLister
	now  func() time.Time

	mu    sync.Mutex
	set   map[string]bool
	built time.Time
}

// NewOrigins returns the origins of apps. now is the clock; nil means
// time.Now.
func NewOrigins(apps AppLister, now func() time.Time) *Origins {
	if now == nil {
		now = time.Now
	}
	return &Origins{apps: apps, now: now}
}

// Allowed reports whether origin, an Origin header value, is the origin
// of a registered app.
func (o *Origins) Allowed(origin string) bool {
	key, ok := originKey(origin)
	if !ok {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	age := now.Sub(o.built)
	if o.set == nil || age >= originsMaxAge || age < 0 {
		o.rebuild(now)
	} else if !o.set[key] && age >= originsMinAge {
		o.rebuild(now)
	}
	return o.set[key]
}

// Invalidate makes the next Allowed rebuild the set.
func (o *Origins) Invalidate() {
	o.mu.Lock()
	o.set = nil
	o.mu.Unlock()
}

// rebuild lists the apps; on failure it keeps the old set (or an empty
// one) and tries again on the next unknown origin.
func (o *Origins) rebuild(now time.Time) {
	apps, err := o.apps.List()
	o.built = now
	if err != nil {
		if o.set == nil {
			o.set = map[string]bool{}
		}
		return
	}
	set := make(map[string]bool)
	for _, a := range apps {
		for _, u := range a.RedirectURIs {
			if k, ok := urlOrigin(u); ok {
				set[k] = true
			}
		}
		if k, ok := urlOrigin(a.LaunchURL); ok {
			set[k] = true
		}
	}
	o.set = set
}

// urlOrigin returns the origin key of an absolute http(s) URL.
func urlOrigin(raw string) (string, bool) {
	if raw == "" {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", false
	}
	return originKey(u.Scheme + "://" + u.Host)
}

// originKey normalises an origin "scheme://host[:port]": lower case, the
// default port dropped, and no port at all for http on a loopback host. It
// refuses "null", paths, user information and schemes other than http and
// https.
func originKey(origin string) (string, bool) {
	scheme, hostport, ok := strings.Cut(strings.ToLower(origin), "://")
	if !ok || scheme != "http" && scheme != "https" || hostport == "" || strings.ContainsAny(hostport, "/?#@ ") {
		return "", false
	}
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(hostport, "[") && strings.HasSuffix(hostport, "]") {
		host = hostport[1 : len(hostport)-1]
	}
	if host == "" {
		return "", false
	}
	if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		port = ""
	}
	if scheme == "http" && isLoopback(host) {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" {
		return scheme + "://" + host, true
	}
	return scheme + "://" + host + ":" + port, true
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
