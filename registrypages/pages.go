package registrypages

import (
	"errors"
	"net/http"
	"net/url"

	"smartd/apps/registry"
	"smartd/ui"
)

// list serves GET /apps/: the visitor's apps (every app for an admin).
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	apps, err := h.opts.Apps.List()
	if err != nil {
		h.serverError(w, r, v, "list the apps", err)
		return
	}
	p := ui.RegistryAppsPage{Nav: h.nav(v), All: v.admin(), NewURL: h.opts.BasePath + NewPath}
	for _, a := range apps {
		if v.admin() || a.Owner == v.u.Username {
			p.Apps = append(p.Apps, ui.RegistryAppRow{URL: h.appURL(a.ClientID), Name: a.Name, ClientID: a.ClientID,
				Type: string(a.Type()), Owner: a.Owner, Updated: when(a.Updated)})
		}
	}
	if id := r.URL.Query().Get("deleted"); id != "" {
		p.Notice = "Deleted the app " + id + "."
	}
	h.render(w, r, http.StatusOK, ui.RegistryApps(p))
}

// show serves GET /apps/{id}: the app and its activity.
func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	a, ok := h.app(w, r, v)
	if !ok {
		return
	}
	notice := ""
	if r.URL.Query().Get("saved") != "" {
		notice = "Changes saved."
	}
	h.render(w, r, http.StatusOK, ui.RegistryApp(h.appPage(r, v, a, notice, "")))
}

// appPage is the view of an app, with secret shown when just issued.
func (h *Handler) appPage(r *http.Request, v visitor, a *registry.App, notice, secret string) ui.RegistryAppPage {
	u := h.appURL(a.ClientID)
	p := ui.RegistryAppPage{
		Nav: h.nav(v), Notice: notice, Name: a.Name, ClientID: a.ClientID, Type: string(a.Type()),
		Owner: a.Owner, LogoURI: a.LogoURI, Scope: a.Scope, LaunchURL: a.LaunchURL,
		RedirectURIs: a.RedirectURIs, GrantTypes: a.GrantTypes, Keys: keysOf(a),
		Created: when(a.Created), Updated: when(a.Updated), Secret: secret,
		EditURL: u + "/edit", DeleteURL: u + "/delete", CSRF: v.sess.CSRFToken,
	}
	if a.Type() == registry.ConfidentialSymmetric {
		p.RotateAction = u + "/secret"
	}
	h.activity(r, &p, u)
	return p
}

// keysOf says where a confidential-asymmetric app's keys are.
func keysOf(a *registry.App) string {
	switch {
	case a.JWKSURI != "":
		return "JWKS URL " + a.JWKSURI
	case a.HasJWKS():
		return "an inline JWKS"
	}
	return ""
}

// newForm serves GET /apps/new.
func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	h.renderForm(w, r, v, http.StatusOK, "", newForm(), nil)
}

// renderForm shows the register (clientID "") or edit form.
func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, v visitor, status int, clientID string, f ui.AppForm, errs ui.FieldErrors) {
	p := ui.AppFormPage{Nav: h.nav(v), ClientID: clientID, CSRF: v.sess.CSRFToken, Form: f, Errors: errs,
		Action: h.opts.BasePath + NewPath, CancelURL: h.opts.BasePath + ListPath, DefaultScopes: defaultScopesHint}
	if clientID != "" {
		p.Action, p.CancelURL = h.appURL(clientID)+"/edit", h.appURL(clientID)
	}
	h.render(w, r, status, ui.AppFormRegister(p))
}

// readAndApply reads the posted form onto a; on a problem it has shown
// the form again (422) or an error, and reports false.
func (h *Handler) readAndApply(w http.ResponseWriter, r *http.Request, v visitor, clientID string, a *registry.App) (ui.AppForm, bool) {
	f, err := readForm(r)
	errs := ui.FieldErrors{}
	switch {
	case errors.Is(err, errPEMTwice):
		errs[ui.AppFieldPEM] = []string{err.Error()}
	case err != nil:
		h.errorPage(w, r, v, http.StatusBadRequest, "Form not read", "The uploaded key could not be read.")
		return f, false
	}
	for k, m := range apply(a, f) {
		errs[k] = append(errs[k], m...)
	}
	if len(errs) > 0 {
		addValidation(errs, a.Validate(h.opts.Validate), f)
		h.renderForm(w, r, v, http.StatusUnprocessableEntity, clientID, f, errs)
		return f, false
	}
	return f, true
}

// saved handles the outcome of Create or Update: the form again with the
// registry's problems, or false after an error page.
func (h *Handler) saved(w http.ResponseWriter, r *http.Request, v visitor, clientID string, f ui.AppForm, err error) bool {
	if err == nil {
		return true
	}
	errs := ui.FieldErrors{}
	if addValidation(errs, err, f) {
		h.renderForm(w, r, v, http.StatusUnprocessableEntity, clientID, f, errs)
		return false
	}
	h.serverError(w, r, v, "save the app", err)
	return false
}

// create serves POST /apps/new: it registers the app, owned by the
// visitor, and shows its page with the client_id and, once, the secret.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	a := &registry.App{Owner: v.u.Username}
	f, ok := h.readAndApply(w, r, v, "", a)
	if !ok {
		return
	}
	created, cred, err := h.opts.Apps.Create(a)
	if !h.saved(w, r, v, "", f, err) {
		return
	}
	h.opts.Log.InfoContext(r.Context(), "app registered", "client_id", created.ClientID, "owner", created.Owner)
	h.record(r, v, "app-registered", created.ClientID, "app registered")
	h.render(w, r, http.StatusOK, ui.RegistryApp(h.appPage(r, v, created, "App registered.", cred.ClientSecret)))
}

// editForm serves GET /apps/{id}/edit.
func (h *Handler) editForm(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	a, ok := h.app(w, r, v)
	if !ok {
		return
	}
	h.renderForm(w, r, v, http.StatusOK, a.ClientID, formOf(a), nil)
}

// update serves POST /apps/{id}/edit. Fields the form does not manage
// are kept. An app that became confidential-symmetric gets a secret,
// shown once; otherwise the browser goes back to the app's page.
func (h *Handler) update(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	a, ok := h.app(w, r, v)
	if !ok {
		return
	}
	f, ok := h.readAndApply(w, r, v, a.ClientID, a)
	if !ok {
		return
	}
	updated, cred, err := h.opts.Apps.Update(a)
	if !h.saved(w, r, v, a.ClientID, f, err) {
		return
	}
	h.record(r, v, "app-updated", a.ClientID, "registration changed")
	if cred.ClientSecret != "" {
		h.render(w, r, http.StatusOK, ui.RegistryApp(h.appPage(r, v, updated, "Changes saved. The app now has a client secret.", cred.ClientSecret)))
		return
	}
	http.Redirect(w, r, h.appURL(a.ClientID)+"?saved=1", http.StatusSeeOther)
}

// rotate serves POST /apps/{id}/secret: a new secret, shown once; the
// old one stops working at once.
func (h *Handler) rotate(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	a, ok := h.app(w, r, v)
	if !ok {
		return
	}
	secret, err := h.opts.Apps.RotateSecret(a.ClientID)
	switch {
	case errors.Is(err, registry.ErrNoSecret):
		h.errorPage(w, r, v, http.StatusBadRequest, "No secret to replace", "Only a confidential app with a client secret has one to replace.")
		return
	case err != nil:
		h.serverError(w, r, v, "issue a new secret", err)
		return
	}
	h.opts.Log.InfoContext(r.Context(), "client secret rotated", "client_id", a.ClientID, "by", v.u.Username)
	h.record(r, v, "secret-rotated", a.ClientID, "client secret rotated")
	h.render(w, r, http.StatusOK, ui.RegistryApp(h.appPage(r, v, a, "New secret issued: the old one no longer works.", secret)))
}

// confirmDelete serves GET /apps/{id}/delete.
func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	a, ok := h.app(w, r, v)
	if !ok {
		return
	}
	u := h.appURL(a.ClientID)
	h.render(w, r, http.StatusOK, ui.Confirm(ui.ConfirmPage{
		Nav: h.nav(v), Title: "Delete " + name(a) + "?",
		Message: "The app " + a.ClientID + " will no longer be able to sign in or get tokens. This cannot be undone.",
		Button:  "Delete app", Action: u + "/delete", CSRF: v.sess.CSRFToken, CancelURL: u,
	}))
}

// delete serves POST /apps/{id}/delete.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	a, ok := h.app(w, r, v)
	if !ok {
		return
	}
	if err := h.opts.Apps.Delete(a.ClientID); err != nil && !errors.Is(err, registry.ErrNotFound) {
		h.serverError(w, r, v, "delete the app", err)
		return
	}
	h.opts.Log.InfoContext(r.Context(), "app deleted", "client_id", a.ClientID, "by", v.u.Username)
	h.record(r, v, "app-deleted", a.ClientID, "app deleted")
	http.Redirect(w, r, h.opts.BasePath+ListPath+"?"+url.Values{"deleted": {a.ClientID}}.Encode(), http.StatusSeeOther)
}

// name is the app's name, or its client_id.
func name(a *registry.App) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ClientID
}
