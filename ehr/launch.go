package ehr

import (
	"cmp"
	"errors"
	"net/http"

	"smartd/apps/registry"
	"smartd/launch"
	"smartd/sessions"
	"smartd/ui"
)

// Launch modes, the "mode" field of a Launch form.
const (
	// modeEmbedded shows the app in an iframe under the EHR's banner.
	modeEmbedded = "embedded"
	// modeTab redirects to the app (the form's button opens a new tab).
	modeTab = "tab"
)

// launch serves POST <base>/ehr/patients/{id}/launch (SMART App Launch
// 2.2, "EHR Launch"): client_id, encounter (optional), mode and
// csrf_token. It issues a launch context bound to the clinician, the
// app, the patient and the encounter, and opens the app's launch URL
// with iss and launch: as a 303 redirect (a new tab), or embedded in a
// page that keeps the EHR's patient banner, in which case the app is told
// need_patient_banner=false.
func (h *Handler) launch(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	patient := r.PathValue("id")
	sess, u := h.user(r)
	if u == nil {
		h.toLogin(w, r, h.chartURL(patient))
		return
	}
	if sessions.CheckCSRF(sess, r) != nil {
		h.errorPage(w, r, u, http.StatusForbidden, "Form expired", "This launch form has expired or did not come from this site. Reload the chart and try again.")
		return
	}
	clientID, encounter, mode := r.PostFormValue("client_id"), r.PostFormValue("encounter"), r.PostFormValue("mode")
	if mode != modeEmbedded {
		mode = modeTab
	}
	ctx := r.Context()
	ok, err := h.records.Exists(ctx, "Patient", patient)
	if err != nil {
		h.serverError(w, r, u, "launch the app", err)
		return
	}
	if !ok || !u.MayAccessPatient(patient) {
		h.errorPage(w, r, u, http.StatusNotFound, "No such patient", "There is no patient with this id.")
		return
	}
	if encounter != "" {
		ok, err := h.records.BelongsTo(ctx, "Encounter", encounter, patient)
		if err != nil {
			h.serverError(w, r, u, "launch the app", err)
			return
		}
		if !ok {
			h.errorPage(w, r, u, http.StatusBadRequest, "Not this patient's encounter", "The selected encounter is not one of this patient's. Reload the chart and try again.")
			return
		}
	}
	app, err := h.opts.Apps.Get(clientID)
	if errors.Is(err, registry.ErrNotFound) {
		h.errorPage(w, r, u, http.StatusNotFound, "No such app", "This app is not registered (any more).")
		return
	}
	if err != nil {
		h.serverError(w, r, u, "launch the app", err)
		return
	}
	if err := launch.CheckApp(app); err != nil {
		h.errorPage(w, r, u, http.StatusBadRequest, "This app cannot be launched", "This app cannot be launched from the EHR: "+err.Error()+".")
		return
	}
	sim, err := h.simulateChoice(app, r.PostForm)
	if err != nil {
		h.errorPage(w, r, u, http.StatusBadRequest, "Invalid simulation", "The Simulate choices are not valid: "+err.Error()+".")
		return
	}
	c, err := h.opts.Launches.Issue(launch.Context{
		ClientID: app.ClientID, Username: u.Username, FHIRUser: u.FHIRUser,
		Patient: patient, Encounter: encounter, NeedPatientBanner: mode != modeEmbedded,
		Simulate: sim,
	})
	if errors.Is(err, launch.ErrFull) {
		h.errorPage(w, r, u, http.StatusServiceUnavailable, "Too many launches", "Too many apps are being launched right now. Try again in a few minutes.")
		return
	}
	if err != nil {
		h.serverError(w, r, u, "launch the app", err)
		return
	}
	target, err := launch.URL(app.LaunchURL, h.opts.FHIRBase, c.ID)
	if err != nil {
		h.serverError(w, r, u, "launch the app", err)
		return
	}
	h.opts.Log.InfoContext(ctx, "ehr: launched an app", "client_id", app.ClientID, "user", u.Username, "mode", mode, "simulate", sim.Summary())
	if mode == modeTab {
		sessions.PageHeaders(w.Header(), false)
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	b, err := h.patientBanner(patient)
	if err != nil {
		h.serverError(w, r, u, "show the patient banner", err)
		return
	}
	h.render(w, r, http.StatusOK, true, ui.EHRAppFrame(ui.EHRAppFramePage{
		Nav: h.nav(sess, u), Banner: b, AppName: cmp.Or(app.Name, app.ClientID), LaunchURL: target, BackURL: h.chartURL(patient),
	}))
}
