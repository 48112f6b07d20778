package authorize

import (
	"net/http"
	"net/url"
	"strconv"

	"smartd/authz/oauth"
	"smartd/ui"
)

// encounterPageSize is how many encounters the picker lists per page.
const encounterPageSize = 10

// maxEncounterPage bounds the page number a search link may ask for.
const maxEncounterPage = 10_000

// showEncounters renders page (from 0) of the encounter picker with the
// patient's encounters matching q, newest first.
func (h *Handler) showEncounters(w http.ResponseWriter, r *http.Request, a *attempt, q ui.EncounterQuery, page int) {
	rows, err := h.opts.Encounters.SearchEncounters(r.Context(), a.patient, q)
	if err != nil {
		h.opts.Log.Error("encounter search", "err", err)
		h.errorPage(w, http.StatusInternalServerError, "The encounter list is unavailable; try again later.", "")
		return
	}
	start := min(page*encounterPageSize, len(rows))
	end := min(start+encounterPageSize, len(rows))
	p := ui.EncounterPickerPage{
		AppName: appName(a.req), Patient: h.patientName(r.Context(), a.patient), Query: q, Encounters: rows[start:end],
		CSRF: a.sess.CSRFToken, Action: h.opts.BasePath + PickEncounterPath, Hidden: a.hidden(), AllowNone: true,
	}
	if page > 0 {
		last := max(0, (len(rows)-1)/encounterPageSize)
		p.PrevURL = h.encounterPageURL(a, q, min(page-1, last))
	}
	if end < len(rows) {
		p.NextURL = h.encounterPageURL(a, q, page+1)
	}
	h.render(w, r, a.req, http.StatusOK, ui.EncounterPicker(p))
}

// encounterPageURL links to page of the picker's search for q.
func (h *Handler) encounterPageURL(a *attempt, q ui.EncounterQuery, page int) string {
	v := url.Values{}
	for k, s := range a.hidden() {
		v.Set(k, s)
	}
	for k, s := range map[string]string{"date": q.Date, "class": q.Class, "type": q.Type, "status": q.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 0 {
		v.Set("page", strconv.Itoa(page))
	}
	return h.opts.BasePath + PickEncounterPath + "?" + v.Encode()
}

// searchEncounters serves GET <base>/auth/pick-encounter, the picker's
// search form and its page links: it changes nothing, so it needs no
// CSRF token.
func (h *Handler) searchEncounters(w http.ResponseWriter, r *http.Request) {
	a, ok := h.resume(w, r, false)
	if !ok {
		return
	}
	if !h.encounterStep(a) {
		h.errorPage(w, http.StatusBadRequest, "This sign-in does not ask for an encounter. Go back to the app and start again.", "")
		return
	}
	qv := r.URL.Query()
	page, err := strconv.Atoi(qv.Get("page"))
	if err != nil || page < 0 {
		page = 0
	}
	q := ui.EncounterQuery{Date: qv.Get("date"), Class: qv.Get("class"), Type: qv.Get("type"), Status: qv.Get("status")}
	h.showEncounters(w, r, a, q, min(page, maxEncounterPage))
}

// pickEncounter serves POST <base>/auth/pick-encounter: encounter=<id>,
// or encounter="" to continue without one (SMART App Launch 2.2: apps
// must cope without an encounter), then the consent page. The encounter
// must be the patient's.
func (h *Handler) pickEncounter(w http.ResponseWriter, r *http.Request) {
	a, ok := h.resume(w, r, true)
	if !ok {
		return
	}
	if !h.encounterStep(a) {
		h.errorPage(w, http.StatusBadRequest, "This sign-in does not ask for an encounter. Go back to the app and start again.", "")
		return
	}
	enc := r.PostFormValue("encounter")
	if enc != "" {
		ok, err := h.patientsEncounter(r, a.patient, enc)
		if err != nil {
			h.fail(w, r, a.req, oauth.Internal(err))
			return
		}
		if !ok {
			h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "the encounter is not one of the patient's"))
			return
		}
	}
	a.encounter, a.encounterPicked = enc, true
	h.next(w, r, a)
}

// patientsEncounter reports whether encounter is one of patient's.
func (h *Handler) patientsEncounter(r *http.Request, patient, encounter string) (bool, error) {
	if h.opts.Encounters == nil || !validID(encounter) {
		return false, nil
	}
	got, err := h.opts.Encounters.EncounterPatient(r.Context(), encounter)
	return err == nil && got != "" && got == patient, err
}
