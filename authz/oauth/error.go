package oauth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
)

// Code is an OAuth 2.0 error code.
type Code string

// The error codes of RFC 6749 §5.2 and §4.1.2.1, RFC 6750 §3.1 and RFC
// 7591 §3.2.2.
const (
	InvalidRequest          Code = "invalid_request"
	InvalidClient           Code = "invalid_client"
	InvalidGrant            Code = "invalid_grant"
	UnauthorizedClient      Code = "unauthorized_client"
	UnsupportedGrantType    Code = "unsupported_grant_type"
	InvalidScope            Code = "invalid_scope"
	AccessDenied            Code = "access_denied"
	UnsupportedResponseType Code = "unsupported_response_type"
	ServerError             Code = "server_error"
	InvalidToken            Code = "invalid_token"
	InsufficientScope       Code = "insufficient_scope"
	InvalidRedirectURI      Code = "invalid_redirect_uri"
	InvalidClientMetadata   Code = "invalid_client_metadata"
	SlowDown                Code = "slow_down"
)

// Error is an OAuth error: a code, a description that says exactly which
// check failed, and the HTTP status it is sent with.
type Error struct {
	Code        Code
	Description string
	Status      int
	// Challenge is the WWW-Authenticate scheme to send ("Basic" for a
	// client that tried HTTP Basic, "Bearer" for a bearer token).
	Challenge string
	cause     error
}

func (e *Error) Error() string {
	if e.Description == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Description
}

// Unwrap returns the internal cause, which is logged and never sent.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with the status RFC 6749 gives its code: 401 for
// invalid_client and invalid_token, 403 for insufficient_scope, 429 for
// slow_down, 500 for server_error, 400 otherwise.
func New(code Code, description string) *Error {
	status := http.StatusBadRequest
	switch code {
	case InvalidClient, InvalidToken:
		status = http.StatusUnauthorized
	case InsufficientScope:
		status = http.StatusForbidden
	case SlowDown:
		status = http.StatusTooManyRequests
	case ServerError:
		status = http.StatusInternalServerError
	}
	return &Error{Code: code, Description: description, Status: status}
}

// Internal wraps an unexpected failure as server_error; the cause is
// logged by Write, never sent.
func Internal(cause error) *Error {
	e := New(ServerError, "internal error")
	e.cause = cause
	return e
}

// As returns err as an *Error, wrapping anything else as server_error.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// NoStore sets the headers every token-endpoint response carries, errors
// included (RFC 6749 §5.1, SMART App Launch 2.2).
func NoStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// Write is the one place an OAuth error reaches the wire as JSON.
func Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e := As(err)
	if e.Status >= 500 && log != nil {
		log.ErrorContext(r.Context(), "oauth request failed", "path", r.URL.Path, "err", err)
	}
	h := w.Header()
	NoStore(h)
	if e.Challenge != "" {
		v := e.Challenge
		if e.Challenge == "Bearer" {
			v += ` error="` + string(e.Code) + `"`
			if e.Description != "" {
				v += `, error_description="` + quoteSafe(e.Description) + `"`
			}
		}
		h.Set("WWW-Authenticate", v)
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	body := map[string]string{"error": string(e.Code)}
	if e.Description != "" {
		body["error_description"] = e.Description
	}
	json.NewEncoder(w).Encode(body)
}

// Redirect sends an authorization error back to the client's redirect URI
// with error, error_description and state (RFC 6749 §4.1.2.1). Callers
// use it only once the redirect URI is known to be registered.
func Redirect(w http.ResponseWriter, r *http.Request, redirectURI, state string, err error) {
	e := As(err)
	u, perr := url.Parse(redirectURI)
	if perr != nil {
		Write(w, r, nil, Internal(perr))
		return
	}
	q := u.Query()
	q.Set("error", string(e.Code))
	if e.Description != "" {
		q.Set("error_description", e.Description)
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// quoteSafe keeps a description inside a quoted-string (RFC 7230 §3.2.6).
func quoteSafe(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\'')
		case c < 0x20 || c == 0x7f:
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
