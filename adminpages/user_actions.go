package adminpages

import (
	"errors"
	"net/http"
	"net/url"

	"smartd/ui"
	"smartd/users"
)

// saveProfile serves POST /admin/users/{name}: display_name, role,
// fhir_user and patient. An admin cannot change their own role.
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	cur, ok := h.target(w, r, v)
	if !ok {
		return
	}
	f := formUser(r)
	f.Username = cur.Username
	next := account(f)
	next.Disabled = cur.Disabled
	errs := ui.FieldErrors{}
	if cur.Username == v.u.Username && next.Role != cur.Role {
		errs["role"] = []string{"You cannot change the role of your own account."}
	} else if err := next.Validate(); err != nil {
		addProblem(errs, err)
	}
	if len(errs) == 0 {
		if _, err := h.opts.Users.Update(next); err != nil {
			h.serverError(w, r, v, "save the profile", err)
			return
		}
		h.opts.Log.InfoContext(r.Context(), "user updated", "user", cur.Username, "role", next.Role, "by", v.u.Username)
		h.record(r, v, "user-updated", "", "user "+cur.Username+" updated (role "+string(next.Role)+")")
		http.Redirect(w, r, h.userURL(cur.Username)+"?done=saved", http.StatusSeeOther)
		return
	}
	h.userPage(w, r, v, http.StatusUnprocessableEntity, cur, f, errs, nil, "")
}

// setStatus serves POST /admin/users/{name}/status (disabled=true or
// false). Disabling ends the account's sessions; an admin cannot disable
// their own account.
func (h *Handler) setStatus(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	u, ok := h.target(w, r, v)
	if !ok {
		return
	}
	if u.Username == v.u.Username {
		h.errorPage(w, r, v, http.StatusBadRequest, "Not your own account", "You cannot disable your own account.")
		return
	}
	u.Disabled = r.PostFormValue("disabled") == "true"
	if _, err := h.opts.Users.Update(u); err != nil {
		h.serverError(w, r, v, "change the account", err)
		return
	}
	done := "enabled"
	if u.Disabled {
		done = "disabled"
		if err := h.opts.Sessions.DeleteUser(u.Username); err != nil {
			h.serverError(w, r, v, "end the account's sessions", err)
			return
		}
	}
	h.opts.Log.InfoContext(r.Context(), "user "+done, "user", u.Username, "by", v.u.Username)
	h.record(r, v, "user-"+done, "", "user "+u.Username+" "+done)
	http.Redirect(w, r, h.userURL(u.Username)+"?done="+done, http.StatusSeeOther)
}

// setPassword serves POST /admin/users/{name}/password (password). The
// account's sessions end, except the admin's own current one.
func (h *Handler) setPassword(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	u, ok := h.target(w, r, v)
	if !ok {
		return
	}
	err := h.opts.Users.SetPassword(u.Username, r.PostFormValue("password"))
	if errors.Is(err, users.ErrInvalid) {
		errs := ui.FieldErrors{}
		addProblem(errs, err)
		h.userPage(w, r, v, http.StatusUnprocessableEntity, u, profileOf(u), nil, errs, "")
		return
	}
	if err == nil && u.Username != v.u.Username {
		err = h.opts.Sessions.DeleteUser(u.Username)
	}
	if err != nil {
		h.serverError(w, r, v, "set the password", err)
		return
	}
	h.opts.Log.InfoContext(r.Context(), "password set", "user", u.Username, "by", v.u.Username)
	h.record(r, v, "password-set", "", "password of "+u.Username+" set")
	http.Redirect(w, r, h.userURL(u.Username)+"?done=password", http.StatusSeeOther)
}

// confirmDelete serves GET /admin/users/{name}/delete.
func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	u, ok := h.target(w, r, v)
	if !ok {
		return
	}
	base := h.userURL(u.Username)
	h.render(w, r, http.StatusOK, ui.Confirm(ui.ConfirmPage{
		Nav: h.nav(v, h.opts.BasePath+UsersPath), Title: "Delete " + u.Username + "?",
		Message: "The account " + u.Username + " will be removed with its remembered consents, and its sessions end. Grants it made stay until revoked. This cannot be undone.",
		Button:  "Delete account", Action: base + "/delete", CSRF: v.sess.CSRFToken, CancelURL: base,
	}))
}

// deleteUser serves POST /admin/users/{name}/delete. An admin cannot
// delete their own account.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	u, ok := h.target(w, r, v)
	if !ok {
		return
	}
	if u.Username == v.u.Username {
		h.errorPage(w, r, v, http.StatusBadRequest, "Not your own account", "You cannot delete your own account.")
		return
	}
	err := h.opts.Users.Delete(u.Username)
	if err == nil {
		err = h.opts.Sessions.DeleteUser(u.Username)
	}
	if err != nil && !errors.Is(err, users.ErrNotFound) {
		h.serverError(w, r, v, "delete the account", err)
		return
	}
	h.opts.Log.InfoContext(r.Context(), "user deleted", "user", u.Username, "by", v.u.Username)
	h.record(r, v, "user-deleted", "", "user "+u.Username+" deleted")
	http.Redirect(w, r, h.opts.BasePath+UsersPath+"?"+url.Values{"deleted": {u.Username}}.Encode(), http.StatusSeeOther)
}
