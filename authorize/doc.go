// Package authorize serves the browser side of the SMART authorization
// endpoint (SMART App Launch 2.2, "Obtain authorization code"; RFC 6749
// §4.1.1): <base>/auth/authorize, then the login, patient picker and
// consent pages, ending in a redirect to the app with a code.
//
// It is stateless between steps: the original authorize parameters ride
// through every form as hidden fields (prefixed ParamPrefix, so they
// cannot clash with the forms' own fields such as "scope") and are
// validated again with authz.ParseAuthorize at each step. The login form
// is protected by the CSRF token of an anonymous pre-login session
// (sessions.Create("")), replaced by a fresh session on a successful
// login (no session fixation). Only the standalone launch is served; a
// launch parameter (EHR launch) is refused with invalid_request.
package authorize
