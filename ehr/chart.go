package ehr

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"smartd/fhirproxy/store"
	"smartd/launch"
	"smartd/ui"
)

// How much of the record a chart shows.
const (
	maxEncounters    = 50
	maxRows          = 100
	maxObservations  = 300 // searched, newest first, to find the latest of each code
	maxLatestVitals  = 12
	maxLatestLabs    = 16
	maxTrendPoints   = 60
	encounterParam   = "encounter"
	notThisEncounter = "That encounter is not one of this patient's; apps open without an encounter."
)

// errNoPatient: the chart's patient does not exist (or was deleted).
var errNoPatient = errors.New("no such patient")

// chart serves GET <base>/ehr/patients/{id}[?encounter=ID]: the chart,
// with the encounter (one of the patient's) selected as the launch
// encounter.
func (h *Handler) chart(w http.ResponseWriter, r *http.Request) {
	sess, u := h.user(r)
	if u == nil {
		h.toLogin(w, r, r.URL.RequestURI())
		return
	}
	id := r.PathValue("id")
	page, err := h.chartPage(id, r.URL.Query().Get(encounterParam))
	if errors.Is(err, errNoPatient) {
		h.errorPage(w, r, u, http.StatusNotFound, "No such patient", "There is no patient with this id.")
		return
	}
	if err != nil {
		h.serverError(w, r, u, "show this chart", err)
		return
	}
	if page.Apps, err = h.launchableApps(); err != nil {
		h.serverError(w, r, u, "list the apps", err)
		return
	}
	page.Nav, page.CSRF = h.nav(sess, u), sess.CSRFToken
	page.LaunchAction = h.chartURL(id) + "/launch"
	h.render(w, r, http.StatusOK, false, ui.EHRChart(page))
}

// chartPage reads a patient's chart in one read transaction, so every
// section shows the same moment of the record.
func (h *Handler) chartPage(id, selected string) (ui.EHRChartPage, error) {
	var p ui.EHRChartPage
	chartURL := h.chartURL(id)
	err := h.opts.Store.View(func(v *store.View) error {
		res, err := v.Read("Patient", id)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrGone) {
			return errNoPatient
		}
		if err != nil {
			return err
		}
		p.Banner = banner(res, h.opts.Now())
		p.Banner.ChartURL = chartURL
		ofPatient := func(typ string, extra ...string) ([]store.Resource, error) {
			params := url.Values{"patient": {id}, "_count": {itoa(maxRows)}}
			for i := 0; i+1 < len(extra); i += 2 {
				params.Set(extra[i], extra[i+1])
			}
			r, err := find(v, typ, params)
			if err != nil {
				return nil, err
			}
			return r.Matches, nil
		}
		sections := []struct {
			typ   string
			extra []string
			set   func([]store.Resource)
		}{
			{"Encounter", []string{"_sort", "-date", "_count", itoa(maxEncounters)}, func(rs []store.Resource) {
				p.Encounters = encounterRows(rs, selected, func(eid string) string {
					return chartURL + "?" + url.Values{encounterParam: {eid}}.Encode()
				})
			}},
			{"Condition", nil, func(rs []store.Resource) { p.Conditions = conditionRows(rs) }},
			{"MedicationRequest", []string{"_sort", "-authoredon"}, func(rs []store.Resource) { p.Medications = medicationRows(rs) }},
			{"AllergyIntolerance", nil, func(rs []store.Resource) { p.Allergies = allergyRows(rs) }},
			{"Immunization", []string{"_sort", "-date"}, func(rs []store.Resource) { p.Immunizations = immunizationRows(rs) }},
			{"Observation", []string{"category", "vital-signs", "_sort", "-date", "_count", itoa(maxObservations)}, func(rs []store.Resource) {
				p.Vitals = latestObservations(rs, maxLatestVitals)
			}},
			{"Observation", []string{"category", "laboratory", "_sort", "-date", "_count", itoa(maxObservations)}, func(rs []store.Resource) {
				p.Labs = latestObservations(rs, maxLatestLabs)
			}},
		}
		for _, s := range sections {
			rs, err := ofPatient(s.typ, s.extra...)
			if err != nil {
				return err
			}
			s.set(rs)
		}
		if err := h.selectEncounter(v, &p, id, selected, chartURL); err != nil {
			return err
		}
		// The trend: body weight, else systolic blood pressure.
		for _, t := range []struct{ name, code, component string }{
			{"Body weight", loincWeight, ""},
			{"Systolic blood pressure", loincBPPanel, loincSystolic},
		} {
			rs, err := ofPatient("Observation", "code", loinc+"|"+t.code, "_sort", "-date", "_count", itoa(maxTrendPoints))
			if err != nil {
				return err
			}
			if p.Trend = trend(t.name, rs, t.component); len(p.Trend.Points) >= 2 {
				break
			}
		}
		return nil
	})
	return p, err
}

// patientBanner reads a patient's banner.
func (h *Handler) patientBanner(id string) (ui.EHRBanner, error) {
	res, err := h.opts.Store.Read("Patient", id)
	if err != nil {
		return ui.EHRBanner{}, err
	}
	b := banner(res, h.opts.Now())
	b.ChartURL = h.chartURL(id)
	return b, nil
}

// selectEncounter marks the selected encounter, reading it when it is
// older than the listed ones, or says it is not the patient's.
func (h *Handler) selectEncounter(v *store.View, p *ui.EHRChartPage, patient, selected, chartURL string) error {
	if selected == "" {
		return nil
	}
	if slices.ContainsFunc(p.Encounters, func(e ui.EHREncounterRow) bool { return e.Selected }) {
		p.ClearEncounterURL = chartURL
		return nil
	}
	rs, err := find(v, "Encounter", url.Values{"_id": {selected}, "patient": {patient}})
	var matches []store.Resource
	if err == nil {
		matches = rs.Matches
	}
	rows := encounterRows(matches, selected, func(string) string { return "" })
	if len(rows) != 1 {
		p.Notice = notThisEncounter
		return nil
	}
	p.Encounters = append(p.Encounters, rows[0])
	p.ClearEncounterURL = chartURL
	return nil
}

// launchableApps lists the apps an EHR can launch (launch.CheckApp), by
// name.
func (h *Handler) launchableApps() ([]ui.EHRApp, error) {
	apps, err := h.opts.Apps.List()
	if err != nil {
		return nil, err
	}
	var out []ui.EHRApp
	for _, a := range apps {
		if launch.CheckApp(a) == nil {
			out = append(out, ui.EHRApp{ClientID: a.ClientID, Name: cmp.Or(a.Name, a.ClientID), Simulate: h.simulateDefaults(a)})
		}
	}
	slices.SortFunc(out, func(a, b ui.EHRApp) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ClientID, b.ClientID))
	})
	return out, nil
}

// itoa is strconv.Itoa, short for the parameter tables above.
func itoa(n int) string { return strconv.Itoa(n) }
