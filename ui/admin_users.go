package ui

// UserForm holds the fields of the account form, as typed. The password
// is never sent back.
type UserForm struct {
	Username, DisplayName, Role, FHIRUser, Patient string
}

// AdminUsersPage is the view model of the user list, with the form that
// adds an account.
type AdminUsersPage struct {
	Nav   ConsoleNav
	Users []AdminUserRow
	// Notice confirms what was just done ("Added dana.").
	Notice string
	// Action is where the add form posts; Form and Errors refill it.
	Action, CSRF string
	Form         UserForm
	Errors       FieldErrors
	// Roles are the role choices.
	Roles []string
}

// AdminUserRow is one account of the list.
type AdminUserRow struct {
	URL, Username, DisplayName, Role, FHIRUser string
	Disabled                                   bool
	// GrantsURL lists the account's active grants.
	GrantsURL string
}

// AdminUserPage is the view model of one account's page: its profile
// form, enable or disable, a new password, delete, and its grants.
type AdminUserPage struct {
	Nav      ConsoleNav
	Username string
	Notice   string
	// ProfileAction saves Form; Errors are its problems.
	ProfileAction string
	Form          UserForm
	Errors        FieldErrors
	Roles         []string
	Disabled      bool
	// StatusAction enables or disables; PasswordAction sets a password
	// (PasswordErrors are its problems); DeleteURL asks before deleting.
	StatusAction, PasswordAction, DeleteURL string
	PasswordErrors                          FieldErrors
	// Self is the signed-in admin's own account, which they may not
	// disable or delete.
	Self             bool
	GrantsURL        string
	Created, Updated string
	CSRF             string
}

func (p AdminUserPage) status() string {
	if p.Disabled {
		return "disabled"
	}
	return "active"
}
