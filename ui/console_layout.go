package ui

import "net/http"

// ConsoleNav is the header of the app registry and admin pages: the
// signed-in account, the sections it may open and the sign-out form.
type ConsoleNav struct {
	// User is the signed-in account's display name; empty hides the
	// links and the sign-out form.
	User string
	// Role is the account's role, shown beside the name.
	Role string
	// Links are the sections; the current one is marked aria-current.
	Links []ConsoleLink
	// LogoutAction is the URL the sign-out form posts to.
	LogoutAction string
	// CSRF is the session's token, posted by the sign-out form.
	CSRF string
}

// ConsoleLink is one section of the console header.
type ConsoleLink struct {
	Label, URL string
	// Current marks the section the page belongs to.
	Current bool
}

// ConsoleErrorPage is the view model of an error inside the console (no
// such app, a role that may not open the page, an expired form).
type ConsoleErrorPage struct {
	Nav ConsoleNav
	// Title is the heading and page title; empty uses the status text.
	Title string
	// Message is one plain sentence saying what went wrong.
	Message string
	// Status is the HTTP status the handler sends.
	Status int
	// BackURL is where "Back" goes; empty shows no link.
	BackURL string
}

func (p ConsoleErrorPage) title() string {
	if p.Title != "" {
		return p.Title
	}
	if t := http.StatusText(p.Status); t != "" {
		return t
	}
	return "Something went wrong"
}

// ConfirmPage asks before something that cannot be undone (deleting an
// app or an account): one POST form with a danger button, and a way back.
type ConfirmPage struct {
	Nav ConsoleNav
	// Title is the heading and page title ("Delete Growth Chart?").
	Title string
	// Message says what will happen, in one or two plain sentences.
	Message string
	// Button is the label of the submit button ("Delete app").
	Button string
	// Action is the URL the form posts to, with the session's CSRF token.
	Action, CSRF string
	// CancelURL is where "Cancel" goes.
	CancelURL string
}

// FieldErrors are the problems of a form, by field name; "" holds the
// problems that belong to no one field.
type FieldErrors map[string][]string

// count is the number of problems.
func (e FieldErrors) count() int {
	n := 0
	for _, v := range e {
		n += len(v)
	}
	return n
}

// summary is the sentence above a form with problems.
func (e FieldErrors) summary() string {
	if e.count() == 1 {
		return "There is a problem with this form: see the field marked below."
	}
	return "There are problems with this form: see the fields marked below."
}
