package ui

// PatientPickerPage is the view model of the patient picker, shown for a
// launch/patient request without a patient in context
// (scopes-and-launch-context.html, "launch/patient").
//
// The search form is a GET to Action carrying the Hidden fields and the
// query fields name, birthdate and identifier (FHIR Patient search
// parameters). Choosing a patient POSTs csrf_token, the Hidden fields and
// patient=<id> to Action.
type PatientPickerPage struct {
	// AppName is the display name of the app asking for a patient.
	AppName string
	// Query re-fills the search form.
	Query PatientQuery
	// Patients is the current page of results; empty shows "no patients".
	Patients []PatientRow
	// NextURL and PrevURL link to the next and previous page of results;
	// empty hides the link.
	NextURL, PrevURL string
	// CSRF is the value of the hidden csrf_token field of the choice form.
	CSRF string
	// Action is the URL both forms submit to.
	Action string
	// Hidden carries the authorize request through both forms.
	Hidden map[string]string
}

// PatientQuery holds the patient search terms.
type PatientQuery struct {
	// Name matches any part of the patient's name (search param "name").
	Name string
	// BirthDate is YYYY-MM-DD (search param "birthdate").
	BirthDate string
	// Identifier matches an identifier such as an MRN ("identifier").
	Identifier string
}

// PatientRow is one patient in the results.
type PatientRow struct {
	// ID is the Patient resource id, sent as the "patient" field.
	ID string
	// Name is the display name.
	Name string
	// Gender is the administrative gender, as shown to the user.
	Gender string
	// BirthDate is the birth date, as shown to the user.
	BirthDate string
	// MRN is the medical record number; empty hides it.
	MRN string
}

func (p PatientPickerPage) title() string { return forApp("Choose a patient", " for ", p.AppName) }

// summary is the line under a patient's name: gender, birth date, MRN.
func (r PatientRow) summary() string {
	return joinNonEmpty(" · ", r.Gender, prefixed("Born ", r.BirthDate), prefixed("MRN ", r.MRN))
}
