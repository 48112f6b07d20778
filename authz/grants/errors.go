package grants

import "errors"

// Errors of RedeemCode and RotateRefresh, to be tested with errors.Is. The
// token endpoint answers all of them with invalid_grant (RFC 6749 §5.2),
// except ErrPKCE from CheckChallenge at the authorization endpoint
// (invalid_request) and ErrInvalidScope (invalid_scope).
var (
	// ErrNotFound: the code or refresh token is unknown (never issued,
	// or forgotten long after it expired).
	ErrNotFound = errors.New("grants: unknown code or refresh token")
	// ErrExpired: the code or refresh token is past its lifetime.
	ErrExpired = errors.New("grants: code or refresh token expired")
	// ErrCodeReused: the code was redeemed before. The grant is now
	// revoked; the caller must revoke what was issued from it.
	ErrCodeReused = errors.New("grants: authorization code already used; grant revoked")
	// ErrRefreshReused: a rotated refresh token was presented again. The
	// grant and all of its refresh tokens are now revoked.
	ErrRefreshReused = errors.New("grants: refresh token already rotated; grant revoked")
	// ErrRevoked: the grant was revoked.
	ErrRevoked = errors.New("grants: grant revoked")
	// ErrClientMismatch: the code or refresh token was issued to another
	// client (RFC 6749 §4.1.3, §6).
	ErrClientMismatch = errors.New("grants: issued to another client")
	// ErrRedirectMismatch: redirect_uri differs from the authorization
	// request's (RFC 6749 §4.1.3).
	ErrRedirectMismatch = errors.New("grants: redirect_uri does not match the authorization request")
	// ErrPKCE wraps every PKCE failure (RFC 7636 §4.4.1, §4.6); the
	// message says which.
	ErrPKCE = errors.New("grants: PKCE")
	// ErrSessionEnded: the grant has online access only and its session
	// has ended.
	ErrSessionEnded = errors.New("grants: session ended (online_access)")
	// ErrInvalidScope wraps Narrow's refusals.
	ErrInvalidScope = errors.New("grants: invalid scope")
)
