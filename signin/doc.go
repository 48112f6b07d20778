// Package signin is the sign-in and sign-out of smartd's own web pages
// (the EHR view, the app registry pages, the admin pages): one
// http.Handler for
//
//	GET  {login}?next=PATH   the sign-in form (or straight to next when signed in)
//	POST {login}             username, password, csrf_token, next
//	POST {logout}            csrf_token
//
// where {login} and {logout} are the paths given in Options. It checks
// the password with users.Store.Authenticate, throttles attempts per
// account and per address with sessions.Limiter (share the authorize
// endpoint's, so attempts anywhere count together), replaces the
// pre-login session with a new one on success (no session fixation,
// OWASP Session Management Cheat Sheet, "Renew the Session ID After Any
// Privilege Level Change"), sets the session cookie, and goes on to next
// only when it is a clean path of this site below Options.NextPrefix (no
// open redirect: RFC 6749 §10.15, RFC 9700 §4.11). Every sign-in attempt
// and sign-out is reported to Options.Audit as an Event (ONC
// §170.315(d)(2) records authentication events).
//
// The session is the one the authorize endpoint reads: a user signed in
// here is signed in there too, and the other way round.
//
// # Basics
//
// One handler can admit every role, or only some (Options.Roles: the EHR
// view admits clinicians only, and refuses other accounts before giving
// them a session). Current tells a page who is signed in; LoginURL builds
// the redirect to the sign-in page. Forms carry the session's CSRF token
// (sessions.CheckCSRF) and POSTs are wrapped in sessions.Protect.
//
// # Caveats
//
// The authorize endpoint's own sign-in (package authorize) carries the
// OAuth request through its form and keeps its own handler; the rules
// and the audit reasons are the same.
package signin
