// Package registrypages serves the app registry's web pages, where a
// developer registers and manages their SMART apps (SMART App Launch 2.2,
// "Register App with EHR"; RFC 7591 for the metadata) and sees why a
// launch of theirs failed:
//
//	GET  /apps/                       My apps (an admin: every app, with its owner)
//	GET  /apps/new, POST /apps/new    register: the form, then the client_id and, once, the secret
//	GET  /apps/{client_id}            the app, and its recent activity from the audit trail (?cursor= older)
//	GET  /apps/{client_id}/edit, POST edit
//	POST /apps/{client_id}/secret     issue a new client secret, shown once
//	GET  /apps/{client_id}/delete, POST delete (after a confirmation page)
//
// (below the base URL's path). The form validates exactly as the
// registration API does, by the same code (registry.App.Validate through
// registry.Store), and shows each problem next to its field with the
// form refilled. A confidential-asymmetric app gives a JWKS URL, an
// inline JWKS, or a PEM public key or certificate (pasted or uploaded),
// which registry.ParsePEMKey turns into a JWKS.
//
// # Who may do what
//
// Developers (users.Developer) see and change only the apps they
// registered (registry.App.Owner); another's app is "not found", as one
// that does not exist. Admins (users.Admin) see and change every app.
// Other accounts get 403; nobody signed in goes to the sign-in page
// (package signin). Every form carries the session's CSRF token and every
// POST is wrapped in sessions.Protect.
//
// # Activity
//
// An app's page lists its newest audit records (audit.Filter{ClientID}):
// authorizations, token requests and FHIR requests, each with its outcome
// and, for a refusal, the reason (the failed client assertion check, the
// scope that was missing), so that a developer can see why a launch
// failed.
//
// # Caveats
//
// A client secret is shown in the response to the POST that issued it and
// never again: reloading that page asks the browser to post again. An app
// whose client_id is "new" is shadowed by the registration form's path.
package registrypages
