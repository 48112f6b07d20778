package ui

// RegistryAppsPage is the view model of the app list: a developer's own
// apps ("My apps"), or every app for an admin.
type RegistryAppsPage struct {
	Nav ConsoleNav
	// All lists every app with its owner (an admin's view).
	All  bool
	Apps []RegistryAppRow
	// NewURL links to the registration form.
	NewURL string
	// Notice is a confirmation of what was just done ("Deleted ...").
	Notice string
}

func (p RegistryAppsPage) title() string {
	if p.All {
		return "All apps"
	}
	return "My apps"
}

// RegistryAppRow is one app of the list.
type RegistryAppRow struct {
	URL, Name, ClientID, Type, Owner, Updated string
}

// RegistryAppPage is the view model of one app's page: its registration,
// the secret when it was just issued, the actions, and its recent
// authorizations and errors from the audit trail.
type RegistryAppPage struct {
	Nav ConsoleNav
	// Notice confirms what was just done ("App registered.").
	Notice                                      string
	Name, ClientID, Type, Owner, LogoURI, Scope string
	LaunchURL                                   string
	RedirectURIs, GrantTypes                    []string
	// Keys says how a confidential-asymmetric app gives its keys.
	Keys             string
	Created, Updated string
	// Secret is a client secret just issued, shown this once.
	Secret string
	// EditURL and DeleteURL link to the edit and delete pages;
	// RotateAction, when set, is the form that issues a new secret.
	EditURL, DeleteURL, RotateAction, CSRF string
	// Activity are the newest audit records of the app; OlderURL pages
	// further back.
	Activity []ActivityRow
	OlderURL string
	// ActivityError says why the activity could not be read, if so.
	ActivityError string
}

func (p RegistryAppPage) title() string { return appOrThis(p.Name) }

// ActivityRow is one audit record, as a row of the activity table.
type ActivityRow struct {
	Time string
	// What is the action: "token", "authorize", "read Patient/123", ...
	What string
	// User and Patient are who acted and the launch patient, if known.
	User, Patient string
	// Status is the HTTP status; Outcome success, denied or failure.
	Status, Outcome string
	// Reason says why it was refused or failed.
	Reason string
	Scope  string
}

// failed reports whether the row is a refusal or a failure.
func (r ActivityRow) failed() bool { return r.Outcome != "" && r.Outcome != "success" }
