package ui

import (
	"strconv"
	"strings"

	"smartd/launch/simulation"
)

// EHRChartPage is the view model of a patient's chart: the banner, the
// clinical sections read from the FHIR store, a vital-sign trend, and a
// Launch form per app that can be launched.
//
// Each Launch form POSTs csrf_token, client_id, encounter (when one is
// selected) and mode ("embedded", or "tab" from the button that opens
// the app in a new browser tab) to LaunchAction.
type EHRChartPage struct {
	Nav    EHRNav
	Banner EHRBanner
	// Notice is a message shown above the chart (role=alert); may be empty.
	Notice string
	// Encounters lists the patient's encounters, newest first; the one
	// with Selected set is the launch encounter.
	Encounters []EHREncounterRow
	// ClearEncounterURL shows the chart with no encounter selected; empty
	// when none is.
	ClearEncounterURL string
	// Conditions, active first; Medications, newest first; Allergies,
	// high criticality first; Immunizations, newest first. Each empty
	// section says "None recorded."
	Conditions    []EHRConditionRow
	Medications   []EHRMedicationRow
	Allergies     []EHRAllergyRow
	Immunizations []EHRImmunizationRow
	// Vitals and Labs are the most recent observations of each category.
	Vitals, Labs []EHRObservationRow
	// Trend is a vital sign over time; fewer than two points hide it.
	Trend EHRTrend
	// Apps are the apps that can be launched; empty says so.
	Apps []EHRApp
	// LaunchAction is the URL the Launch forms post to.
	LaunchAction string
	// CSRF is the session's token, posted by every form.
	CSRF string
}

// EHREncounterRow is one encounter.
type EHREncounterRow struct {
	// ID is the Encounter id, sent as the launch's encounter.
	ID string
	// URL shows the chart with this encounter selected.
	URL string
	// Date is the period start (YYYY-MM-DD), Class and Type as shown.
	Date, Class, Type string
	// Status is the encounter status code.
	Status string
	// Selected marks the launch encounter.
	Selected bool
}

// EHRConditionRow is one problem or diagnosis.
type EHRConditionRow struct{ Name, Status, Onset string }

// EHRMedicationRow is one MedicationRequest.
type EHRMedicationRow struct{ Name, Status, Dosage, Date string }

// EHRAllergyRow is one AllergyIntolerance.
type EHRAllergyRow struct{ Substance, Criticality, Reaction, Status string }

// EHRImmunizationRow is one Immunization.
type EHRImmunizationRow struct{ Vaccine, Date, Status string }

// EHRObservationRow is one observation: Value carries its unit
// ("93.6 kg", "128/82 mmHg"), Flag an interpretation code such as "H".
type EHRObservationRow struct{ Name, Value, Flag, Date string }

// EHRApp is an app a clinician can launch from the chart.
type EHRApp struct {
	// ClientID is sent as client_id.
	ClientID string
	// Name is the app's display name.
	Name string
	// Simulate, when not nil, adds a "Simulate" section to the app's
	// Launch form (a sandbox server, an app that opted in), its fields
	// (simulation.Field*) set to these options, the app's defaults.
	Simulate *simulation.Options
}

// selected returns the launch encounter, or nil.
func (p EHRChartPage) selected() *EHREncounterRow {
	for i := range p.Encounters {
		if p.Encounters[i].Selected {
			return &p.Encounters[i]
		}
	}
	return nil
}

// launchContext is the sentence above the Launch buttons.
func (p EHRChartPage) launchContext() string {
	if e := p.selected(); e != nil {
		return "Apps open with " + p.Banner.Name + " and the encounter of " + joinNonEmpty(", ", e.Date, e.Type) + "."
	}
	return "Apps open with " + p.Banner.Name + " and no encounter. Select an encounter below to launch with it."
}

func (p EHRChartPage) title() string { return p.Banner.Name }

// summary is a row's visible description of an encounter.
func (r EHREncounterRow) summary() string { return joinNonEmpty(" · ", r.Class, r.Status) }

// simID is the id of a Simulate field of the i-th app's form.
func simID(i int, field string) string {
	return "sim-" + strconv.Itoa(i) + "-" + strings.TrimPrefix(field, simulation.FormMarker+".")
}

// optInt is a number field's value: "" for none.
func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
