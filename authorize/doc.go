// Package authorize serves the browser side of the SMART authorization
// endpoint (SMART App Launch 2.2, "Obtain authorization code"; RFC 6749
// §4.1.1): <base>/auth/authorize, then the login, patient picker,
// encounter picker and consent pages, ending in a redirect to the app
// with a code; and <base>/auth/logout.
//
// # Basics
//
// It is stateless between steps: the original authorize parameters ride
// through every form as hidden fields (prefixed ParamPrefix, so they
// cannot clash with the forms' own fields such as "scope") and are
// validated again with authz.ParseAuthorize at each step; the patient and
// encounter chosen so far ride as ctx.* fields and are checked again at
// each step (the user may open the patient; the encounter is the
// patient's). The login form is protected by the CSRF token of an
// anonymous pre-login session (sessions.Create("")), replaced by a fresh
// session on a successful login (no session fixation); every other form
// by the signed-in session's token and http.CrossOriginProtection.
//
// A standalone launch asking for launch/patient shows a clinician the
// patient picker (a patient user is their own patient); launch/encounter
// then shows the patient's encounters, and the user may continue without
// one. An EHR launch (the launch parameter, with the launch scope) takes
// its user, patient, encounter, fhirContext, need_patient_banner and
// intent from Options.Launches: it is peeked at every step and consumed
// only when the code is issued, so the back button or a retried login
// does not use it up.
//
// The consent page ticks every requested scope; unticking removes it.
// Resource scopes on Observation, Condition and DiagnosticReport offer
// their categories as ticked parts, and wildcard scopes the common
// resource types; unticking some parts grants one narrower scope per
// part left ticked (the ONC limited-access and granular-selection
// tests). A page approved untouched grants exactly the requested scope.
// "Remember this decision" stores the grant (users.Store.RememberConsent);
// a later request of that user and app within it skips the page, and then
// prompt=none succeeds.
//
// # Caveats
//
// Pages of an EHR launch may be framed by our own origin (the EHR view
// embeds the app, which comes here inside the frame); every other page
// refuses framing (sessions.PageHeaders).
//
// Every sign-in, failed sign-in and sign-out goes to Options.Audit; the
// login page says the same thing for an unknown user, a wrong password
// and a disabled account. Logout ends only smartd's own session: OpenID
// Connect RP-initiated logout is not offered.
//
// Launch simulation (Options.Sandbox, package simulation) makes this
// endpoint answer as for an unknown client, redirect with invalid_scope,
// send a state the app did not send, or skip the login and consent
// pages, for apps that opted in; it weakens security on purpose.
package authorize
