package sessions

import (
	"crypto/subtle"
	"errors"
	"net/http"
)

// ErrCSRF is returned by CheckCSRF when a form's token is missing or is
// not the session's.
var ErrCSRF = errors.New("sessions: missing or wrong CSRF token")

// CSRFField is the name of the form field that carries the token.
const CSRFField = "csrf_token"

// CheckCSRF checks that the request's form field csrf_token equals the
// session's token, in constant time. Only the body is read (POST, PUT,
// PATCH forms), never the query string: a token in a URL leaks through
// logs and Referer. Use it on every form of our own pages, never on
// authorize.
func CheckCSRF(sess *Session, r *http.Request) error {
	if sess == nil || sess.CSRFToken == "" {
		return ErrCSRF
	}
	got := r.PostFormValue(CSRFField)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
		return ErrCSRF
	}
	return nil
}

// Protect refuses cross-origin requests with unsafe methods (POST, PUT,
// PATCH, DELETE) with 403, using http.CrossOriginProtection (Sec-Fetch-Site,
// else Origin against Host); GET, HEAD and OPTIONS pass. Wrap the routes
// of our own forms (login, pickers, consent) with it.
//
// Do NOT wrap authorize: apps reach it by a cross-site GET or POST
// (SMART "authorize-post"), and Protect would refuse the POST. Nor /token,
// /register, /introspect, /revoke or the FHIR API, which browser apps
// call cross-origin.
func Protect(next http.Handler) http.Handler {
	return http.NewCrossOriginProtection().Handler(next)
}
