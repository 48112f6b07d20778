// Package conformance is an independent SMART on FHIR conformance client:
// it runs the checks of SMART App Launch 2.2 (HL7 FHIR IG
// hl7.fhir.uv.smart-app-launch, which profiles the FHIR R4 RESTful API,
// http.html, and its security page, security.html) against any server,
// ours or another vendor's, and reports each one as passed, failed or
// skipped, with the HTTP exchanges that show why.
//
// # Basics
//
// A [Suite] is built from a [Config] (the FHIR base URL, a Backend
// Services client and its private key, a public app with its redirect URI,
// a user's name and password, and for smartd its admin token) and
// [Suite.Run] returns a [Report]. The
// checks ([Checks] lists them) are grouped into scenarios, run in order:
//
//   - discovery: the .well-known/smart-configuration document, its
//     required fields and the consistency of its capabilities, the OpenID
//     configuration, the JWKS and the CapabilityStatement's oauth-uris;
//   - backend-services: a signed client assertion gets a token, and bad
//     ones (wrong aud, expired, too far ahead, replayed jti, HS256 or none,
//     unknown kid, unknown issuer, another key) are refused;
//   - introspection and revocation of that token;
//   - fhir-access: a search in scope succeeds, one out of scope gets 403,
//     no token or a bad one gets 401;
//   - standalone-launch, token-refresh and launch-refusals: the interactive
//     launch driven through the server's own HTML forms (login, picker,
//     consent) without a browser, the token exchange, the id_token, refresh
//     with rotation, and the refusals of PKCE plain, a missing or wrong
//     verifier, a mismatched redirect_uri and a foreign aud;
//   - against smartd with Config.AdminToken, groups named "(smartd API)"
//     for its vendor extensions, which this package knows only as HTTP
//     APIs: admin-setup registers through the admin API what the
//     configuration lacks (a Backend Services client with a fresh key, a
//     public app, a patient user) and a second app; ehr-launch creates an
//     EHR launch with the launch-context API and drives it through the
//     same forms (app-launch.html, "EHR Launch"), checking the launch
//     context in the token response (patient, encounter,
//     need_patient_banner, smart_style_url, fhirContext objects) and the
//     refusal of a used, a foreign and an unknown launch id;
//     admin-cleanup removes what setup made, even after a failure or a
//     cancelled run.
//
// What the configuration does not provide is skipped with the reason. A
// [Report] prints as text ([Report.WriteText]), JUnit XML
// ([Report.WriteJUnit]) and HTML ([Report.WriteHTML]).
//
// # Caveats
//
// The package imports no other smartd package (a test enforces it), so a
// mistake shared with the server cannot make a check pass. Forms are found
// generically (a form with a password input is the login, one with an
// "Allow" button the consent, a form of choice buttons a picker); the
// field names username and password are only fallbacks. Secrets (passwords,
// tokens, assertions, codes, cookies) are redacted from the recorded
// exchanges, but the report still shows URLs and response bodies: treat it
// as internal.
package conformance
