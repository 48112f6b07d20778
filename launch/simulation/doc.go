// Package simulation describes launch simulation: errors that a sandbox
// smartd makes on purpose, for one launch or for every launch of an app,
// so that app developers can test their error handling (as the SMART
// reference launcher's "simulate error" options do, and beyond them).
//
// # Basics
//
// Options lists what goes wrong: the authorization endpoint answers as
// for an unknown client (RFC 6749 §4.1.2.1: an error page, no redirect)
// or redirects with invalid_scope; the code redirect carries a state the
// app did not send (RFC 6749 §10.12); the token request that redeems the
// code fails with a chosen RFC 6749 §5.2 error; access tokens live a
// chosen number of seconds (0: expired when issued); every refresh of
// the grant fails with invalid_grant as though its refresh token were
// revoked (RFC 7009); the FHIR API answers 401 invalid_token (RFC 6750
// §3.1) once an access token has made N requests; and the login and
// consent pages are skipped.
//
// Options travel with the launch (launch.Context.Simulate), then with
// the grant (grants.Grant.Simulate), so that the authorization endpoint,
// the token endpoint and the FHIR API each apply their part. Effective is
// the one rule that decides whether any applies: the server runs with
// -sandbox and the app opted in (registry.App.AllowSimulation).
//
// # Caveats
//
// Simulation weakens security on purpose (skip login signs a browser in
// without a password); it is for sandboxes only. Every simulated
// behaviour is audited with a reason that starts with ReasonPrefix.
package simulation
