// Package sampleapp is a small SMART app that smartd serves itself, the
// first thing a new user launches and the subject of the end-to-end
// tests. It is a public client (no secret) that does a real launch over
// the protocol (SMART App Launch 2.2, app-launch.html): discovery from
// {iss}/.well-known/smart-configuration ("Discovery of Server
// Authorization & FHIR Endpoints"), an authorization request with PKCE
// S256 (RFC 7636 §4.2, which SMART requires), the code exchanged at the
// token endpoint ("Obtain access token"), then the patient in context and
// the latest vital signs read from the FHIR API with the access token
// (R4 patient.html, observation-vitalsigns.html).
//
// # Basics
//
// Below the base URL's path:
//
//	GET /sample-app/          start page with a "Sign in with smartd" button (standalone launch)
//	GET /sample-app/start     the standalone launch: scope launch/patient openid fhirUser patient/*.rs
//	GET /sample-app/launch    the EHR launch (?iss=&launch=): scope launch openid fhirUser patient/*.rs
//	GET /sample-app/callback  the redirect URI: code exchange, FHIR reads, the result page
//
// The app trusts one FHIR server, the one it is given as Options.FHIRBase
// (smartd's own): an EHR launch whose iss is anything else is refused
// before any request is made, so the app can be used neither as an open
// redirector (to another authorization endpoint) nor to make the server
// fetch other URLs (SSRF). The discovered endpoints must be on the same
// origin as iss.
//
// The state and the PKCE verifier stay on the server, in memory, keyed
// by the state (32 random bytes) and bound to the browser by an HttpOnly
// cookie holding another random value: a callback whose state is unknown,
// expired (10 minutes), already used or started in another browser is
// refused. The access token is used for the two reads and then dropped.
//
// The result page shows the patient's name, gender and birth date, the
// latest value of each vital sign (value, unit, date), the granted scope
// and the launch context; it shows its own patient banner unless the
// token response says need_patient_banner=false (the EHR shows one around
// the embedded app). Errors from the authorization server (access_denied
// and the others) and from the app's own checks are shown on an error
// page that says what happened.
//
// # Caveats
//
// Pending launches live in memory: a restart forgets launches in
// progress, and at most 10,000 may be pending at once. The id_token is
// not verified or shown (the app does not sign anyone in to itself). The
// pages may be framed by smartd's own origin, for the EHR's embedded
// launch.
package sampleapp
