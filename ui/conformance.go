package ui

import "strconv"

// ConformanceFormPage is the view model of the conformance page: the form
// that starts a run of the SMART conformance suite, and the signed-in
// user's recent runs.
type ConformanceFormPage struct {
	// User is who is signed in, shown with the sign-out button.
	User string
	// CSRF is the value of the forms' hidden csrf_token field.
	CSRF string
	// Action is where the run form posts; LogoutAction signs out.
	Action, LogoutAction string
	// FHIRBase prefills the server field: this server's FHIR base, or
	// what the tester entered before an error.
	FHIRBase string
	// OurFHIRBase is this server's FHIR base, named next to the admin
	// mode choice.
	OurFHIRBase string
	// AdminMode offers "use this server's admin mode" (this server only).
	AdminMode bool
	// OtherTargets says which other servers may be tested; "" means
	// none.
	OtherTargets string
	// ClientID, PublicClientID, RedirectURI and Username refill the form
	// after an error (never the key or the password).
	ClientID, PublicClientID, RedirectURI, Username string
	// Error is a message about the last submission; empty shows none.
	Error string
	// Runs are the user's recent runs, newest first.
	Runs []ConformanceRunLink
}

// ConformanceRunLink is one run in the recent runs list.
type ConformanceRunLink struct {
	URL, Target, Started, Summary string
}

// ConformanceResultsPage is the view model of one run's results.
type ConformanceResultsPage struct {
	// Target is the FHIR base tested; Started when (formatted).
	Target, Started string
	// AdminMode says the run used this server's admin token.
	AdminMode bool
	// Running is set until the run ends; the page then says so and the
	// handler asks the browser to reload it.
	Running bool
	// Summary is "N passed, M failed, K skipped"; Failed is M.
	Summary string
	Failed  int
	// Duration is how long the run took (formatted).
	Duration string
	Groups   []ConformanceGroup
	// JUnitURL and HTMLURL download the reports; BackURL is the form.
	JUnitURL, HTMLURL, BackURL string
}

// ConformanceGroup is one scenario group's results.
type ConformanceGroup struct {
	Name                    string
	Passed, Failed, Skipped int
	Checks                  []ConformanceCheck
}

func (g ConformanceGroup) counts() string {
	return strconv.Itoa(g.Passed) + " passed, " + strconv.Itoa(g.Failed) + " failed, " + strconv.Itoa(g.Skipped) + " skipped"
}

// ConformanceCheck is one check: its status ("pass", "fail" or
// "skip"), why, the spec section, and for a failed check the HTTP
// exchanges it made.
type ConformanceCheck struct {
	Name, Status, Reason, Spec string
	Exchanges                  []ConformanceExchange
}

func (c ConformanceCheck) mark() string {
	switch c.Status {
	case "pass":
		return "✓ passed"
	case "fail":
		return "✗ failed"
	}
	return "– skipped"
}

// ConformanceExchange is one request and response, as redacted text.
type ConformanceExchange struct {
	Summary, Request, Response string
}
