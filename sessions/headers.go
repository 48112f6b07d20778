package sessions

import "net/http"

// PageHeaders sets the security headers of an authorization page (login,
// pickers, consent). Framing is refused (X-Frame-Options: DENY, CSP
// frame-ancestors 'none'; RFC 6749 §10.13 clickjacking) unless
// allowFramingBySelf, for a page an EHR launch embeds from our own origin
// (SAMEORIGIN, 'self'). Pages are not cached (they carry CSRF tokens and
// patient names) and send no Referer (their URLs carry authorization
// request parameters).
func PageHeaders(h http.Header, allowFramingBySelf bool) {
	if allowFramingBySelf {
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", "frame-ancestors 'self'")
	} else {
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}
