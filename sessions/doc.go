// Package sessions keeps the browser sessions of people who sign in at
// smartd's authorization endpoint, the CSRF defences of smartd's own
// forms, the security headers of its pages, and login throttling.
//
// It serves the user-facing half of the authorization code flow (RFC 6749
// §4.1; SMART App Launch 2.2, "App Launch: authorization request"): the
// login, patient picker and consent pages the authorize handlers show.
// It has no routes of its own.
//
// # Basics
//
// Store.Create starts a session for an authenticated user. Its ID, 32
// bytes from crypto/rand in base64url, is the cookie value and is never
// stored: the bucket "sessions" of smartd's bbolt file is keyed by its
// SHA-256, so a copy of the file yields no usable cookie. Each session
// carries its own random CSRF token. A session expires after Idle without
// use (default 30 minutes) or Absolute after creation (default 12 hours),
// whichever comes first; Delete ends it (logout), DeleteUser ends all of
// one user's sessions. Digest (the lowercase hex SHA-256 of an ID) names
// a session elsewhere without its secret, and Alive reports from memory
// whether the session so named is still open: the grants store asks it
// before rotating a refresh token of an online_access grant.
//
// The memory is authoritative and Get never touches the disk. New
// sessions and LastSeen (at most once a minute per session) are written
// behind in one transaction a second, so no request waits for an fsync
// (bbolt: about 0.26 ms each); Open loads the sessions back after a
// restart. Delete and DeleteUser write at once: a logout must survive a
// crash.
//
// The cookie (SetCookie) is __Host-smartd_session over https and
// smartd_session over plain http, Path=/, HttpOnly, SameSite=Lax, Secure
// over https, with a Max-Age that ends with the absolute expiry.
//
// # CSRF and framing
//
// Our own forms (login, pickers, consent) are protected twice: Protect
// applies the standard library's http.CrossOriginProtection, which
// refuses cross-origin unsafe requests by Sec-Fetch-Site or Origin, and
// each form carries the session's token in the field csrf_token, checked
// by CheckCSRF in constant time. The authorize endpoint itself must NOT
// be wrapped by Protect nor require a token: apps reach it by a
// cross-site GET or POST (SMART App Launch 2.2 allows authorize by POST,
// capability "authorize-post"), as must /token, /register, /introspect,
// /revoke and the FHIR API, which browser apps call cross-origin.
//
// PageHeaders forbids framing (X-Frame-Options, CSP frame-ancestors;
// RFC 6749 §10.13 clickjacking) except by our own origin where an
// embedded launch needs it, and forbids caching and referrers.
//
// # Login throttling
//
// Limiter bounds password guessing (RFC 6749 §10.10; the argon2id hash
// of package users costs about 70 ms a try): per client IP (IPv6 by /64)
// a token bucket, by default 10 attempts a minute with a burst of 10;
// per account, by default 5 failures in a row lock it for 15 minutes. A
// success resets the account's count. The caller writes every failure to
// the audit log; Failure reports when it starts a lockout.
//
// # Caveats
//
// A crash loses at most a second of new sessions (their users sign in
// again) and up to a minute of LastSeen, which can only make a session
// expire sooner. The CSRF token is stored in clear beside the hashed ID:
// it is useless without the session cookie. Account lockout lets anyone
// lock an account for the lockout period by failing on purpose: it is
// temporary by design. Limiter state is in memory only and per process.
package sessions
