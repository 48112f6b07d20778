package adminpages

import (
	"errors"
	"net/http"
	"strings"

	"smartd/ui"
	"smartd/users"
)

// roleNames are the role choices of the account forms.
func roleNames() []string {
	var out []string
	for _, r := range users.Roles() {
		out = append(out, string(r))
	}
	return out
}

// users serves GET /admin/users: the accounts and the add form.
func (h *Handler) users(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	notice := ""
	if name := r.URL.Query().Get("deleted"); name != "" {
		notice = "Deleted the account " + name + "."
	}
	h.usersPage(w, r, v, http.StatusOK, ui.UserForm{Role: string(users.Clinician)}, nil, notice)
}

// usersPage renders the account list with the add form as given.
func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request, v visitor, status int, f ui.UserForm, errs ui.FieldErrors, notice string) {
	all, err := h.opts.Users.List()
	if err != nil {
		h.serverError(w, r, v, "list the users", err)
		return
	}
	p := ui.AdminUsersPage{Nav: h.nav(v, h.opts.BasePath+UsersPath), Notice: notice, Action: h.opts.BasePath + UsersPath,
		CSRF: v.sess.CSRFToken, Form: f, Errors: errs, Roles: roleNames()}
	for _, u := range all {
		p.Users = append(p.Users, ui.AdminUserRow{URL: h.userURL(u.Username), Username: u.Username, DisplayName: u.DisplayName,
			Role: string(u.Role), FHIRUser: u.FHIRUser, Disabled: u.Disabled, GrantsURL: h.grantsURL(u.Username, "")})
	}
	h.render(w, r, status, ui.AdminUsers(p))
}

// formUser reads the profile fields of an account form.
func formUser(r *http.Request) ui.UserForm {
	return ui.UserForm{
		Username:    strings.TrimSpace(r.PostFormValue("username")),
		DisplayName: strings.TrimSpace(r.PostFormValue("display_name")),
		Role:        r.PostFormValue("role"),
		FHIRUser:    strings.TrimSpace(r.PostFormValue("fhir_user")),
		Patient:     strings.TrimSpace(r.PostFormValue("patient")),
	}
}

// account is the users.User a form describes.
func account(f ui.UserForm) *users.User {
	return &users.User{Username: f.Username, DisplayName: f.DisplayName, Role: users.Role(f.Role), FHIRUser: f.FHIRUser, Patient: f.Patient}
}

// fieldOf is the form field a users validation message is about: each
// message starts with the rule's subject ("username ...", "fhirUser ...").
func fieldOf(err error) string {
	msg := strings.TrimPrefix(err.Error(), users.ErrInvalid.Error()+": ")
	for _, p := range []struct{ prefix, field string }{
		{"username", "username"}, {"password", "password"}, {"fhirUser", "fhir_user"},
		{"patient", "patient"}, {"role", "role"},
	} {
		if strings.HasPrefix(msg, p.prefix) {
			return p.field
		}
	}
	return ""
}

// addProblem puts a users validation error next to its field.
func addProblem(errs ui.FieldErrors, err error) {
	f := fieldOf(err)
	errs[f] = append(errs[f], strings.TrimPrefix(err.Error(), users.ErrInvalid.Error()+": "))
}

// addUser serves POST /admin/users: username, display_name, role,
// fhir_user, patient and password.
func (h *Handler) addUser(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	f, password := formUser(r), r.PostFormValue("password")
	u := account(f)
	errs := ui.FieldErrors{}
	if err := u.Validate(); err != nil {
		addProblem(errs, err)
	}
	if err := users.ValidatePassword(u.Username, password); err != nil {
		addProblem(errs, err)
	}
	if len(errs) == 0 {
		_, err := h.opts.Users.Create(u, password)
		switch {
		case errors.Is(err, users.ErrExists):
			errs["username"] = []string{"An account named " + u.Username + " already exists."}
		case errors.Is(err, users.ErrInvalid):
			addProblem(errs, err)
		case err != nil:
			h.serverError(w, r, v, "add the user", err)
			return
		}
	}
	if len(errs) > 0 {
		h.usersPage(w, r, v, http.StatusUnprocessableEntity, f, errs, "")
		return
	}
	h.opts.Log.InfoContext(r.Context(), "user added", "user", u.Username, "role", u.Role, "by", v.u.Username)
	h.record(r, v, "user-added", "", "user "+u.Username+" added (role "+string(u.Role)+")")
	http.Redirect(w, r, h.userURL(u.Username)+"?done=added", http.StatusSeeOther)
}

// target returns the account of the path; on failure it has answered.
func (h *Handler) target(w http.ResponseWriter, r *http.Request, v visitor) (*users.User, bool) {
	u, err := h.opts.Users.Get(r.PathValue("name"))
	switch {
	case errors.Is(err, users.ErrNotFound):
		h.errorPage(w, r, v, http.StatusNotFound, "No such user", "There is no account with this username.")
		return nil, false
	case err != nil:
		h.serverError(w, r, v, "read the account", err)
		return nil, false
	}
	return u, true
}

// user serves GET /admin/users/{name}.
func (h *Handler) user(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	u, ok := h.target(w, r, v)
	if !ok {
		return
	}
	notice := map[string]string{"added": "Account added.", "saved": "Profile saved.", "password": "Password set.",
		"disabled": "Account disabled: its sessions have ended.", "enabled": "Account enabled."}[r.URL.Query().Get("done")]
	h.userPage(w, r, v, http.StatusOK, u, profileOf(u), nil, nil, notice)
}

// profileOf fills the profile form from an account.
func profileOf(u *users.User) ui.UserForm {
	return ui.UserForm{Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), FHIRUser: u.FHIRUser, Patient: u.Patient}
}

// userPage renders one account's page with its forms as given.
func (h *Handler) userPage(w http.ResponseWriter, r *http.Request, v visitor, status int, u *users.User, f ui.UserForm, errs, pwErrs ui.FieldErrors, notice string) {
	base := h.userURL(u.Username)
	h.render(w, r, status, ui.AdminUser(ui.AdminUserPage{
		Nav: h.nav(v, h.opts.BasePath+UsersPath), Username: u.Username, Notice: notice,
		ProfileAction: base, Form: f, Errors: errs, Roles: roleNames(), Disabled: u.Disabled,
		StatusAction: base + "/status", PasswordAction: base + "/password", DeleteURL: base + "/delete",
		PasswordErrors: pwErrs, Self: u.Username == v.u.Username, GrantsURL: h.grantsURL(u.Username, ""),
		Created: when(u.Created), Updated: when(u.Updated), CSRF: v.sess.CSRFToken,
	}))
}
