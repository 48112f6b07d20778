package sessions

import (
	"net/http"
	"time"
)

// Cookie names. The __Host- prefix (RFC 6265bis §4.1.3.2) makes the
// browser refuse the cookie unless it is Secure, host-only and Path=/,
// so no sibling host or plain-http response can set it.
const (
	CookieNameSecure   = "__Host-smartd_session"
	CookieNameInsecure = "smartd_session"
)

// CookieName returns the session cookie's name over https (secure) or
// plain http.
func CookieName(secure bool) string {
	if secure {
		return CookieNameSecure
	}
	return CookieNameInsecure
}

// SetCookie sends the session cookie: HttpOnly, SameSite=Lax (so that the
// cookie comes with the top-level cross-site navigation of an app's
// authorize request, but not with cross-site POSTs or subrequests),
// Secure when secure, with a Max-Age that ends at the absolute expiry.
func (s *Store) SetCookie(w http.ResponseWriter, sess *Session, secure bool) {
	maxAge := int(sess.Created.Add(s.opts.Absolute).Sub(s.opts.Now()) / time.Second)
	if maxAge <= 0 {
		maxAge = -1 // already over: delete
	}
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName(secure),
		Value:    sess.ID,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// ClearCookie tells the browser to drop the session cookie (logout,
// after Delete).
func (s *Store) ClearCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName(secure),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// FromRequest returns the session of the request's cookie, as Get does:
// ErrNotFound when there is no cookie or no such session, ErrExpired. It
// prefers the __Host- cookie; the plain one is read only when
// Options.HTTPS is unset.
func (s *Store) FromRequest(r *http.Request) (*Session, error) {
	if c, err := r.Cookie(CookieNameSecure); err == nil {
		return s.Get(c.Value)
	}
	if s.opts.HTTPS {
		return nil, ErrNotFound
	}
	if c, err := r.Cookie(CookieNameInsecure); err == nil {
		return s.Get(c.Value)
	}
	return nil, ErrNotFound
}
