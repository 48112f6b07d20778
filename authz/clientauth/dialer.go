package clientauth

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// maxRedirects bounds the redirects followed from a jwks_uri.
const maxRedirects = 3

// Address ranges refused besides those netip classifies; never mutated.
var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")      // RFC 791: "this network"
	sharedNAT   = netip.MustParsePrefix("100.64.0.0/10")  // RFC 6598: carrier-grade NAT, some clouds' metadata
	nat64       = netip.MustParsePrefix("64:ff9b::/96")   // RFC 6052: IPv4 behind NAT64
	benchmark   = netip.MustParsePrefix("198.18.0.0/15")  // RFC 2544: device benchmarking
	ietf        = netip.MustParsePrefix("192.0.0.0/24")   // RFC 6890: IETF protocol assignments
	reserved    = netip.MustParsePrefix("240.0.0.0/4")    // RFC 1112: reserved
	discardOnly = netip.MustParsePrefix("100::/64")       // RFC 6666: discard prefix
	sixToFour   = netip.MustParsePrefix("2002::/16")      // RFC 3056: 6to4, embeds an IPv4 address
	teredo      = netip.MustParsePrefix("2001::/32")      // RFC 4380: Teredo
	docV6       = netip.MustParsePrefix("2001:db8::/32")  // RFC 3849: documentation
	siteLocal   = netip.MustParsePrefix("fec0::/10")      // RFC 3879: deprecated site-local
	v4Compat    = netip.MustParsePrefix("::/96")          // RFC 4291 §2.5.5.1: deprecated IPv4-compatible
	localNAT64  = netip.MustParsePrefix("64:ff9b:1::/48") // RFC 8215: local-use NAT64
	testNets    = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24")}
)

// addrError is a dial refused because the resolved address is not public.
type addrError struct {
	addr netip.Addr
	kind string
}

// Error names the kind of address but not the address: with open
// registration, anyone could otherwise map internal DNS names through us.
func (e *addrError) Error() string {
	return fmt.Sprintf("the host resolves to %s; smartd fetches client keys only from public addresses (the development flag -allow-private-jwks-uri lifts this)",
		e.kind)
}

// NotPublic says why ip is not a public unicast address (loopback,
// private, link-local, shared, NAT64 or 6to4 of one of those, reserved,
// documentation ...), or returns "" for a public one. It guards every
// request smartd makes to an address someone else chose: client jwks_uri
// fetches here, conformance runs against other servers.
func NotPublic(ip netip.Addr) string { return addrKind(ip) }

// addrKind says why ip is not a public unicast address, or returns "".
func addrKind(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "not an IP address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	case ip.IsMulticast():
		return "a multicast address"
	case ip.IsUnspecified():
		return "the unspecified address"
	case sharedNAT.Contains(ip):
		return "a shared (carrier-grade NAT) address"
	case nat64.Contains(ip):
		b := ip.As16()
		v4 := netip.AddrFrom4([4]byte(b[12:]))
		if k := addrKind(v4); k != "" {
			return "a NAT64 address of " + k
		}
		return ""
	case sixToFour.Contains(ip):
		b := ip.As16()
		v4 := netip.AddrFrom4([4]byte(b[2:6]))
		if k := addrKind(v4); k != "" {
			return "a 6to4 address of " + k
		}
		return ""
	case thisNetwork.Contains(ip), ietf.Contains(ip), benchmark.Contains(ip), reserved.Contains(ip),
		discardOnly.Contains(ip), teredo.Contains(ip), docV6.Contains(ip), siteLocal.Contains(ip),
		v4Compat.Contains(ip), localNAT64.Contains(ip),
		!ip.IsGlobalUnicast():
		return "a reserved address"
	}
	for _, p := range testNets {
		if p.Contains(ip) {
			return "a reserved address"
		}
	}
	return ""
}

// refusePrivate is a net.Dialer Control function: it runs after name
// resolution, on the address about to be connected to, so a name that
// resolves to a public address when checked and a private one when used
// (DNS rebinding) is still refused.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return &addrError{kind: "not an IP address"}
	}
	if k := addrKind(ip); k != "" {
		return &addrError{addr: ip.Unmap(), kind: k}
	}
	return nil
}

// newHTTPClient returns the client for jwks_uri fetches: timeouts on every
// phase, TLS 1.2 or later, no proxy (a proxy would connect on our behalf,
// past the address check), at most three redirects and only to https, and
// unless allowPrivate a dialer that refuses addresses that are not public.
func newHTTPClient(allowPrivate bool, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refusePrivate
	}
	t := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 16 << 10,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{
		Transport: t,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			switch {
			case len(via) > maxRedirects:
				return fmt.Errorf("more than %d redirects", maxRedirects)
			case !allowPrivate && req.URL.Scheme != "https":
				return errors.New("a redirect leaves https")
			}
			return nil
		},
	}
}
