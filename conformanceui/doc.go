// Package conformanceui is the web page of the SMART conformance suite
// (package conformance): a signed-in user picks a server (this one by
// default), gives optional credentials or, for this server, its admin
// mode, and runs the suite on the server side; the results page shows
// each group of SMART App Launch 2.2 checks (and, against smartd, its
// vendor-extension groups) with pass, fail or skip, each failed check's
// requests and responses, and the JUnit and HTML reports to download.
//
// # Basics
//
// Handler serves, below BasePath:
//
//	GET  /conformance/                     the form and the user's recent runs
//	GET  /conformance/login, POST          sign-in (any role)
//	POST /conformance/logout               sign-out
//	POST /conformance/runs                 start a run (CSRF-checked)
//	GET  /conformance/runs/{id}            its results (the owner only)
//	GET  /conformance/runs/{id}/junit.xml  JUnit XML
//	GET  /conformance/runs/{id}/report.html  the HTML report
//
// Runs happen in a goroutine with a timeout, at most Concurrent at once
// (one by default); the last Keep runs stay in memory (a restart forgets
// them). The page reloads itself (Refresh header) until a run ends.
//
// # Caveats
//
// Running the suite makes this server send requests, so the target is
// guarded against server-side request forgery: by default only this
// server's own FHIR base may be tested; the operator lists other FHIR
// bases in Options.AllowedTargets ("*" for any: a sandbox setting), and
// for another server the suite's connections refuse loopback, private and
// link-local addresses unless AllowPrivateAddresses. The admin token is
// used only against this server, never sent elsewhere. Reports show
// URLs and response bodies (secrets redacted): a run is visible only to
// the user who started it.
package conformanceui
