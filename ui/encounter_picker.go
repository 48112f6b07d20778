package ui

// EncounterPickerPage is the view model of the encounter picker, shown for
// a launch/encounter request once the patient is known
// (scopes-and-launch-context.html, "launch/encounter").
//
// The search form is a GET to Action carrying the Hidden fields and the
// query fields date, class, type and status (FHIR Encounter search
// parameters). Choosing an encounter POSTs csrf_token, the Hidden fields
// and encounter=<id> to Action; "Continue without an encounter" (when
// AllowNone) POSTs encounter="".
type EncounterPickerPage struct {
	// AppName is the display name of the app asking for an encounter.
	AppName string
	// Patient is the display name of the patient already chosen.
	Patient string
	// Query re-fills the search form.
	Query EncounterQuery
	// Encounters is the current page of results; empty shows "no encounters".
	Encounters []EncounterRow
	// NextURL and PrevURL link to the next and previous page of results;
	// empty hides the link.
	NextURL, PrevURL string
	// CSRF is the value of the hidden csrf_token field of the choice form.
	CSRF string
	// Action is the URL both forms submit to.
	Action string
	// Hidden carries the authorize request through both forms.
	Hidden map[string]string
	// AllowNone offers "Continue without an encounter": apps must cope
	// with none (scopes-and-launch-context.html, "launch/encounter").
	AllowNone bool
}

// EncounterQuery holds the encounter search terms.
type EncounterQuery struct {
	// Date is YYYY-MM-DD, a day within the encounter (search param "date").
	Date string
	// Class is a v3 ActCode such as AMB or IMP ("class"); empty is any.
	Class string
	// Type matches the encounter type text or code ("type").
	Type string
	// Status is an Encounter.status code ("status"); empty is any.
	Status string
}

// EncounterRow is one encounter in the results.
type EncounterRow struct {
	// ID is the Encounter resource id, sent as the "encounter" field.
	ID string
	// Date is the period, as shown to the user.
	Date string
	// Class is the class, as shown to the user (e.g. "Ambulatory").
	Class string
	// Type is the encounter type, as shown to the user.
	Type string
	// Status is the status, as shown to the user.
	Status string
}

// option is one choice of a select.
type option struct{ Value, Label string }

// encounterClasses are the common v3 ActCode encounter classes
// (http://terminology.hl7.org/CodeSystem/v3-ActCode).
var encounterClasses = []option{
	{"AMB", "Ambulatory"},
	{"EMER", "Emergency"},
	{"IMP", "Inpatient"},
	{"ACUTE", "Inpatient acute"},
	{"NONAC", "Inpatient non-acute"},
	{"OBSENC", "Observation"},
	{"SS", "Short stay"},
	{"HH", "Home health"},
	{"VR", "Virtual"},
	{"FLD", "Field"},
	{"PRENC", "Pre-admission"},
}

// encounterStatuses are the R4 Encounter.status codes (encounter-status).
var encounterStatuses = []option{
	{"planned", "Planned"},
	{"arrived", "Arrived"},
	{"triaged", "Triaged"},
	{"in-progress", "In progress"},
	{"onleave", "On leave"},
	{"finished", "Finished"},
	{"cancelled", "Cancelled"},
	{"entered-in-error", "Entered in error"},
	{"unknown", "Unknown"},
}

func (p EncounterPickerPage) title() string {
	return forApp("Choose an encounter", " for ", p.AppName)
}

// heading is the encounter's main line: its type, else its class.
func (r EncounterRow) heading() string {
	if r.Type != "" {
		return r.Type
	}
	if r.Class != "" {
		return r.Class
	}
	return "Encounter " + r.ID
}

// summary is the line under the heading: date, class, status.
func (r EncounterRow) summary() string {
	class := r.Class
	if r.Type == "" {
		class = ""
	}
	return joinNonEmpty(" · ", r.Date, class, r.Status)
}
