package ui

// LogoutPage is the view model of the sign-out page of the authorization
// server's own session (GET and POST <base>/auth/logout).
//
// Before signing out it shows a form that POSTs csrf_token to Action;
// afterwards (SignedOut) it confirms. With neither a User nor SignedOut
// it says that nobody is signed in.
type LogoutPage struct {
	// User is the display name of the signed-in user; empty when nobody is.
	User string
	// CSRF is the value of the hidden csrf_token field.
	CSRF string
	// Action is the URL the form posts to.
	Action string
	// SignedOut shows the confirmation instead of the form.
	SignedOut bool
}

func (p LogoutPage) title() string {
	if p.SignedOut {
		return "Signed out"
	}
	return "Sign out"
}
