package authorize

import (
	"net/http"
	"net/url"

	"smartd/authz"
	"smartd/authz/oauth"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// showPicker renders the patient picker with the patients matching q.
func (h *Handler) showPicker(w http.ResponseWriter, r *http.Request, req *authz.AuthorizeRequest, params url.Values, sess *sessions.Session, q ui.PatientQuery) {
	rows, err := h.opts.Patients.SearchPatients(r.Context(), q)
	if err != nil {
		h.opts.Log.Error("patient search", "err", err)
		h.errorPage(w, http.StatusInternalServerError, "The patient list is unavailable; try again later.", "")
		return
	}
	h.render(w, r, http.StatusOK, ui.PatientPicker(ui.PatientPickerPage{
		AppName: appName(req), Query: q, Patients: rows, CSRF: sess.CSRFToken,
		Action: h.opts.BasePath + PickPatientPath, Hidden: hidden(params),
	}))
}

// searchPatients serves GET <base>/auth/pick-patient, the picker's search
// form: it changes nothing, so it needs no CSRF token.
func (h *Handler) searchPatients(w http.ResponseWriter, r *http.Request) {
	req, params, ok := h.form(w, r)
	if !ok {
		return
	}
	sess, u := h.user(r)
	if u == nil || u.Role != users.Clinician {
		h.errorPage(w, http.StatusForbidden, "You are not signed in as a clinician. Go back to the app and start again.", "")
		return
	}
	q := r.URL.Query()
	h.showPicker(w, r, req, params, sess, ui.PatientQuery{Name: q.Get("name"), BirthDate: q.Get("birthdate"), Identifier: q.Get("identifier")})
}

// pickPatient serves POST <base>/auth/pick-patient: patient=<id>, then
// the consent page.
func (h *Handler) pickPatient(w http.ResponseWriter, r *http.Request) {
	req, params, ok := h.form(w, r)
	if !ok {
		return
	}
	sess, u, ok := h.signedIn(w, r)
	if !ok {
		return
	}
	patient := r.PostFormValue("patient")
	if !req.Scopes.HasLaunch("patient") || !u.MayAccessPatient(patient) {
		oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.New(oauth.AccessDenied, "the user may not open this patient's record"))
		return
	}
	h.showConsent(w, r, req, params, sess, u, patient)
}
