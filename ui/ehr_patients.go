package ui

import "strconv"

// EHRPatientsPage is the view model of the EHR's patient list: a search
// form (a GET to Action with the FHIR Patient search parameters name,
// birthdate and identifier) and one page of matching patients.
type EHRPatientsPage struct {
	Nav EHRNav
	// Action is the URL the search form submits to.
	Action string
	// Query re-fills the search form.
	Query PatientQuery
	// Notice says what is wrong with the search (role=alert); may be empty.
	Notice string
	// Patients is the current page; empty shows "no patients".
	Patients []EHRPatientRow
	// Total is the number of matches over all pages; -1 when unknown.
	Total int
	// NextURL and PrevURL link to the next and previous page; empty
	// hides the link.
	NextURL, PrevURL string
}

// EHRPatientRow is one patient in the list.
type EHRPatientRow struct {
	// URL opens the patient's chart.
	URL string
	// Name is the display name.
	Name string
	// Gender is the administrative gender, as shown.
	Gender string
	// BirthDate is YYYY-MM-DD; Age is as in EHRBanner.
	BirthDate, Age string
	// MRN is the medical record number; may be empty.
	MRN string
	// Deceased is as in EHRBanner.
	Deceased string
}

// searched reports whether any search term is set.
func (p EHRPatientsPage) searched() bool { return p.Query != PatientQuery{} }

// summary is the sentence above the results.
func (p EHRPatientsPage) summary() string {
	switch {
	case p.Total == 0 || (p.Total < 0 && len(p.Patients) == 0):
		if p.searched() {
			return "No patients match this search."
		}
		return "There are no patients."
	case p.Total == 1:
		return "1 patient"
	case p.Total > 0:
		return strconv.Itoa(p.Total) + " patients"
	}
	return ""
}
