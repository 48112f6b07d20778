package ehr

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/launch"
	"smartd/ui"
)

// Records reads the FHIR store for the EHR view, and answers the
// questions of an EHR launch (launch.Resources). It searches the store
// directly, as the FHIR API would with the same parameters (R4
// search.html), without HTTP or access control: the EHR's own callers
// are signed-in clinicians, who may see every patient.
type Records struct{ st *store.Store }

var _ launch.Resources = (*Records)(nil)

// NewRecords returns a Records over st.
func NewRecords(st *store.Store) *Records { return &Records{st: st} }

// Exists reports whether typ/id exists and is not deleted.
func (r *Records) Exists(_ context.Context, typ, id string) (bool, error) {
	_, err := r.st.Read(typ, id)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrGone):
		return false, nil
	}
	return false, err
}

// BelongsTo reports whether typ/id is in the compartment of
// Patient/patientID (R4 compartmentdefinition-patient): an Encounter
// whose subject is the patient, an Observation about them, and so on.
func (r *Records) BelongsTo(_ context.Context, typ, id, patientID string) (bool, error) {
	if id == "" || patientID == "" {
		return false, nil
	}
	q, err := search.Parse(typ, url.Values{"_id": {id}}, true)
	if err != nil {
		return false, nil
	}
	res, err := r.st.Search(q, &store.Compartment{Type: "Patient", ID: patientID})
	if err != nil {
		return false, err
	}
	return len(res.Matches) == 1, nil
}

// find runs a search of typ with params in v (one read transaction for
// a whole chart) and returns the matching resources.
func find(v *store.View, typ string, params url.Values) (*store.Result, error) {
	q, err := search.Parse(typ, params, true)
	if err != nil {
		return nil, err
	}
	return v.Search(q, nil)
}

// patientJSON is the part of a Patient the EHR shows.
type patientJSON struct {
	Name       []humanName `json:"name"`
	Gender     string      `json:"gender"`
	BirthDate  string      `json:"birthDate"`
	Deceased   *bool       `json:"deceasedBoolean"`
	DeceasedAt string      `json:"deceasedDateTime"`
	Identifier []struct {
		Type  codeableConcept `json:"type"`
		Value string          `json:"value"`
	} `json:"identifier"`
}

// v2IdentifierType is the code system of identifier types (MR: medical
// record number).
const v2IdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203"

// banner summarises a Patient for the banner and the patient list. The
// age runs to the date of death for a deceased patient.
func banner(res store.Resource, now time.Time) ui.EHRBanner {
	b := ui.EHRBanner{Name: res.ID}
	var p patientJSON
	if json.Unmarshal(res.JSON, &p) != nil {
		return b
	}
	if n := nameOf(p.Name); n != "" {
		b.Name = n
	}
	b.Gender, b.BirthDate = p.Gender, p.BirthDate
	at := now
	switch {
	case p.DeceasedAt != "":
		b.Deceased = dateOf(p.DeceasedAt)
		if t, ok := parseWhen(p.DeceasedAt); ok {
			at = t
		}
	case p.Deceased != nil && *p.Deceased:
		b.Deceased = "yes"
	}
	b.Age = age(p.BirthDate, at)
	for _, id := range p.Identifier {
		if id.Type.code(v2IdentifierType) == "MR" && id.Value != "" {
			b.MRN = id.Value
			break
		}
	}
	return b
}
