package authorize

import (
	"net/http"

	"smartd/authz/oauth"
	"smartd/ui"
	"smartd/users"
)

// showPicker renders the patient picker with the patients matching q.
func (h *Handler) showPicker(w http.ResponseWriter, r *http.Request, a *attempt, q ui.PatientQuery) {
	rows, err := h.opts.Patients.SearchPatients(r.Context(), q)
	if err != nil {
		h.opts.Log.Error("patient search", "err", err)
		h.errorPage(w, http.StatusInternalServerError, "The patient list is unavailable; try again later.", "")
		return
	}
	h.render(w, r, a.req, http.StatusOK, ui.PatientPicker(ui.PatientPickerPage{
		AppName: appName(a.req), Query: q, Patients: rows, CSRF: a.sess.CSRFToken,
		Action: h.opts.BasePath + PickPatientPath, Hidden: a.hidden(),
	}))
}

// searchPatients serves GET <base>/auth/pick-patient, the picker's search
// form: it changes nothing, so it needs no CSRF token.
func (h *Handler) searchPatients(w http.ResponseWriter, r *http.Request) {
	a, ok := h.resume(w, r, false)
	if !ok {
		return
	}
	if a.user.Role != users.Clinician || a.ehr != nil || !a.req.Scopes.HasLaunch("patient") {
		h.errorPage(w, http.StatusForbidden, "Only a clinician chooses a patient, in a launch that asks for one. Go back to the app and start again.", "")
		return
	}
	q := r.URL.Query()
	h.showPicker(w, r, a, ui.PatientQuery{Name: q.Get("name"), BirthDate: q.Get("birthdate"), Identifier: q.Get("identifier")})
}

// pickPatient serves POST <base>/auth/pick-patient: patient=<id>, then
// the encounter picker or the consent page. A patient user may pick only
// their own record.
func (h *Handler) pickPatient(w http.ResponseWriter, r *http.Request) {
	a, ok := h.resume(w, r, true)
	if !ok {
		return
	}
	patient := r.PostFormValue("patient")
	if a.ehr != nil || !a.req.Scopes.HasLaunch("patient") || !validID(patient) || !a.user.MayAccessPatient(patient) {
		h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "the user may not open this patient's record"))
		return
	}
	a.patient, a.encounter = patient, ""
	h.next(w, r, a)
}
