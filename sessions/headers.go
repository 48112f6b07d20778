package sessions

import (
	"context"
	"io"
	"net/http"
)

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

// Page is an HTML page to write: a templ.Component, or anything that
// renders itself to a writer.
type Page interface {
	Render(ctx context.Context, w io.Writer) error
}

// WritePage writes p as an HTML page with status and the security headers
// of our pages (PageHeaders; framing by our own origin only when
// allowFramingBySelf). The error is the render's, for the caller to log:
// the status is already sent.
func WritePage(w http.ResponseWriter, r *http.Request, status int, allowFramingBySelf bool, p Page) error {
	PageHeaders(w.Header(), allowFramingBySelf)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	return p.Render(r.Context(), w)
}
