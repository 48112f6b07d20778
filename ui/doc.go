// Package ui holds the server-rendered pages a person sees during the
// interactive half of SMART App Launch 2.2 (app-launch.html, "Obtain
// authorization code"; scopes-and-launch-context.html for the patient and
// encounter launch context): sign-in, the patient and encounter pickers,
// the consent screen, sign-out, and the error page shown when an
// authorize request cannot be redirected back to the app (RFC 6749
// §4.1.2.1).
//
// The pages are github.com/a-h/templ components (*.templ, generated into
// *_templ.go with `go tool templ generate`). Each takes one plain view-model
// struct; the package has no handlers and no routes. Every form posts a
// hidden csrf_token and carries the authorize request along in hidden
// fields. Pages work without JavaScript and load no external assets: the
// one stylesheet is embedded and served by [Static].
package ui
