package conformanceui

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"syscall"
	"time"

	"smartd/authz/clientauth"
)

// target checks a FHIR base a user asked to test: an absolute http(s)
// URL without credentials, this server's or one the operator allows
// (Options.AllowedTargets). It returns the base without a trailing slash
// and whether it is this server's.
func (h *Handler) target(raw string) (base string, ours bool, err error) {
	base = strings.TrimSuffix(strings.TrimSpace(raw), "/")
	u, perr := url.Parse(base)
	if perr != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", false, errors.New("the FHIR base must be an absolute http or https URL, without credentials, query or fragment")
	}
	if u.Path != "" && path.Clean(u.Path) != u.Path {
		return "", false, errors.New("the FHIR base must not have dot segments or doubled slashes")
	}
	if base == h.opts.FHIRBase {
		return base, true, nil
	}
	for _, allowed := range h.opts.AllowedTargets {
		if allowed == "*" || under(u, allowed) {
			return base, false, nil
		}
	}
	return "", false, fmt.Errorf("this server tests only itself (%s); its operator can allow other servers with -conformance-targets", h.opts.FHIRBase)
}

// under reports whether u is the URL allowed or below it: same scheme
// and host, and a path equal to allowed's or below it by whole segments.
func under(u *url.URL, allowed string) bool {
	a, err := url.Parse(strings.TrimSuffix(allowed, "/"))
	if err != nil || !strings.EqualFold(a.Scheme, u.Scheme) || !strings.EqualFold(a.Host, u.Host) {
		return false
	}
	return u.Path == a.Path || strings.HasPrefix(u.Path, a.Path+"/")
}

// publicOnly is a net.Dialer Control function that refuses addresses
// that are not public unicast: loopback, private, link-local, shared
// (RFC 6598), unspecified, multicast and the like. It runs on the address
// being connected to, after name resolution, so DNS rebinding cannot get
// past it. The rule is authz/clientauth's, which guards jwks_uri fetches.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return errors.New("conformanceui: not an IP address")
	}
	if kind := clientauth.NotPublic(ip); kind != "" {
		return fmt.Errorf("conformanceui: %s is %s; this server tests other servers only at public addresses", ip.Unmap(), kind)
	}
	return nil
}

// otherTransport is the transport of runs against another server: no
// proxy (it would connect past the check), timeouts, and unless
// allowPrivate only public addresses.
func otherTransport(allowPrivate bool) http.RoundTripper {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = publicOnly
	}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
}
