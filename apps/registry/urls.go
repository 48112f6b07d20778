package registry

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"unicode"
)

// urlProblem says why raw is not an acceptable redirect, launch or logo
// URL, or returns "". The message follows the quoted URL.
//
// Rules: absolute; https, or http on a loopback host with any port (RFC
// 8252 §7.3: loopback redirects for native apps; also convenient for
// development); no user information; no wildcard (SMART: "fixed,
// fully-specified"); no fragment unless allowFragment (RFC 6749 §3.1.2).
func urlProblem(raw string, allowFragment bool) string {
	u, p := parseAbsolute(raw, allowFragment)
	if p != "" {
		return p
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return ""
		}
		return "uses http on a host that is not loopback; use https, or http on localhost, 127.0.0.1 or [::1] (RFC 8252 §7.3)"
	}
	return fmt.Sprintf("uses the scheme %q; use https, or http on a loopback host", u.Scheme)
}

// jwksURIProblem says why raw is not an acceptable jwks_uri, or returns
// "". Without opts.AllowPrivateJWKSURI it must be https on a host that is
// not a loopback or private address literal (the fetching dialer checks
// resolved addresses again); with it, http on a loopback host is allowed
// too.
func jwksURIProblem(raw string, opts ValidateOptions) string {
	u, p := parseAbsolute(raw, false)
	if p != "" {
		return p
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
		if isPrivateHost(host) && !opts.AllowPrivateJWKSURI {
			return "is on a loopback or private address; that is allowed only in development (-allow-private-jwks-uri)"
		}
		return ""
	case "http":
		if !opts.AllowPrivateJWKSURI {
			return "must use https"
		}
		if !isLoopbackHost(host) {
			return "uses http on a host that is not loopback; use https"
		}
		return ""
	}
	return fmt.Sprintf("uses the scheme %q; use https", u.Scheme)
}

// parseAbsolute parses raw and checks what every registered URL must meet.
func parseAbsolute(raw string, allowFragment bool) (*url.URL, string) {
	switch {
	case raw == "":
		return nil, "is empty"
	case len(raw) > maxURL:
		return nil, fmt.Sprintf("is longer than %d characters", maxURL)
	case strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return nil, "contains spaces or control characters"
	case strings.Contains(raw, "*"):
		return nil, "contains a wildcard; register every URL in full"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "is not a valid URL"
	}
	switch {
	case !u.IsAbs() || u.Opaque != "" || u.Host == "":
		return nil, "is not an absolute URL (scheme://host/path)"
	case u.Hostname() == "":
		return nil, "has no host"
	case u.User != nil:
		return nil, "contains user information (user@host)"
	case !allowFragment && strings.Contains(raw, "#"):
		return nil, "has a fragment (#...), which RFC 6749 §3.1.2 forbids"
	}
	return u, ""
}

// isLoopbackHost reports whether host (without brackets or port) is one of
// the loopback names RFC 8252 §7.3 and §8.3 discuss.
func isLoopbackHost(host string) bool {
	switch strings.ToLower(host) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// isPrivateHost reports whether host names this machine or a private
// network by itself: localhost names and loopback, private, link-local or
// unspecified address literals.
func isPrivateHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast()
}
