package ui

// AdminGrantsPage is the view model of the active grants page: the grants
// whose tokens may still work, by user and by app, each with a Revoke
// button, and for one user the token requests the audit trail recorded.
type AdminGrantsPage struct {
	Nav ConsoleNav
	// Action is the filter form's URL (GET).
	Action string
	// Users and Apps are the filter's choices; User and ClientID the
	// chosen ones ("" for all).
	Users, Apps    []Option
	User, ClientID string
	Grants         []AdminGrantRow
	// CSRF goes with every Revoke form.
	CSRF string
	// Notice confirms what was just done ("Revoked ...").
	Notice string
	// Tokens are the newest token requests of the chosen user.
	Tokens []ActivityRow
}

func (p AdminGrantsPage) title() string {
	if p.User != "" {
		return "Tokens issued to " + p.User
	}
	return "Active grants and tokens"
}

// Option is one choice of a select.
type Option struct{ Value, Label string }

// AdminGrantRow is one active grant.
type AdminGrantRow struct {
	ID string
	// App and User name the client and the subject; the URLs filter by them.
	App, AppURL, User, UserURL string
	Patient, Scope, Created    string
	// Access is "offline" or "online" (ends with the session).
	Access string
	// Refresh describes the working refresh tokens ("1, until ...").
	Refresh string
	// RevokeAction is the form that revokes the grant.
	RevokeAction string
}
