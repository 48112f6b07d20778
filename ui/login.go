package ui

// LoginPage is the view model of the sign-in page shown when an authorize
// request arrives without a signed-in user.
type LoginPage struct {
	// AppName is the display name of the app asking for access; may be empty.
	AppName string
	// AppLogoURL is the app's registered logo (logo_uri); empty shows none.
	AppLogoURL string
	// Username re-fills the username field after a failed attempt.
	Username string
	// Error is a message for the user, e.g. "Wrong username or password";
	// empty shows none.
	Error string
	// CSRF is the value of the hidden csrf_token field.
	CSRF string
	// Action is the URL the form posts to.
	Action string
	// Hidden carries the authorize request through the form, as hidden
	// fields written in key order; a "csrf_token" key is ignored.
	Hidden map[string]string
}

func (p LoginPage) title() string { return forApp("Sign in", " to continue to ", p.AppName) }
