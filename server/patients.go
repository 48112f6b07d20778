package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/ui"
)

// pickerPageSize is how many patients the picker lists.
const pickerPageSize = 20

// patientSearcher lists patients for the patient picker from the store.
type patientSearcher struct{ store *store.Store }

// SearchPatients runs a FHIR Patient search with the picker's terms.
func (p patientSearcher) SearchPatients(_ context.Context, q ui.PatientQuery) ([]ui.PatientRow, error) {
	params := url.Values{"_count": {"20"}}
	for k, v := range map[string]string{"name": q.Name, "birthdate": q.BirthDate, "identifier": q.Identifier} {
		if v = strings.TrimSpace(v); v != "" {
			params.Set(k, v)
		}
	}
	query, err := search.Parse("Patient", params, false)
	if err != nil {
		return nil, err
	}
	res, err := p.store.Search(query, nil)
	if err != nil {
		return nil, err
	}
	rows := make([]ui.PatientRow, 0, min(len(res.Matches), pickerPageSize))
	for _, m := range res.Matches {
		if len(rows) == pickerPageSize {
			break
		}
		rows = append(rows, patientRow(m))
	}
	return rows, nil
}

// patientRow summarises a Patient resource for the picker.
// PatientName is the display name of Patient/id, "" when unknown.
func (p patientSearcher) PatientName(_ context.Context, id string) string {
	res, err := p.store.Read("Patient", id)
	if err != nil {
		return ""
	}
	return patientRow(res).Name
}

func patientRow(r store.Resource) ui.PatientRow {
	var pat struct {
		Name []struct {
			Text   string   `json:"text"`
			Given  []string `json:"given"`
			Family string   `json:"family"`
		} `json:"name"`
		Gender     string `json:"gender"`
		BirthDate  string `json:"birthDate"`
		Identifier []struct {
			Type struct {
				Coding []struct{ Code string } `json:"coding"`
			} `json:"type"`
			Value string `json:"value"`
		} `json:"identifier"`
	}
	row := ui.PatientRow{ID: r.ID, Name: r.ID}
	if json.Unmarshal(r.JSON, &pat) != nil {
		return row
	}
	if len(pat.Name) > 0 {
		n := pat.Name[0]
		if n.Text != "" {
			row.Name = n.Text
		} else if s := strings.TrimSpace(strings.Join(append(n.Given, n.Family), " ")); s != "" {
			row.Name = s
		}
	}
	row.Gender, row.BirthDate = pat.Gender, pat.BirthDate
	for _, id := range pat.Identifier {
		for _, c := range id.Type.Coding {
			if c.Code == "MR" && row.MRN == "" {
				row.MRN = id.Value
			}
		}
	}
	return row
}

// Encounter picker limits: maxEncounterMatches bounds the encounters one
// search lists (newest first), in store pages of encounterStorePage.
const (
	maxEncounterMatches = 2000
	encounterStorePage  = 500
)

// encounterSearcher lists a patient's encounters for the encounter
// picker from the store.
type encounterSearcher struct{ store *store.Store }

// SearchEncounters runs Encounter?patient=X&_sort=-date with the picker's
// date, class and status as FHIR search parameters (date: encounters
// whose period overlaps that day), and matches the type text in Go: a
// token search has no :text modifier here, and a person types words, not
// codes.
func (e encounterSearcher) SearchEncounters(_ context.Context, patient string, q ui.EncounterQuery) ([]ui.EncounterRow, error) {
	if patient == "" || strings.ContainsAny(patient, ",|$\\/") {
		return nil, nil // not an id: it would widen the search
	}
	params := url.Values{"patient": {"Patient/" + patient}, "_sort": {"-date"}, "_count": {strconv.Itoa(encounterStorePage)}}
	if d := strings.TrimSpace(q.Date); d != "" {
		if _, err := time.Parse(time.DateOnly, d); err == nil {
			params["date"] = []string{"ge" + d, "le" + d}
		}
	}
	for k, v := range map[string]string{"class": q.Class, "status": q.Status} {
		if v = strings.TrimSpace(v); v != "" && !strings.ContainsAny(v, ",|$\\") {
			params.Set(k, v)
		}
	}
	query, err := search.Parse("Encounter", params, false)
	if err != nil {
		return nil, err
	}
	typ := strings.ToLower(strings.TrimSpace(q.Type))
	var rows []ui.EncounterRow
	for len(rows) < maxEncounterMatches {
		res, err := e.store.Search(query, nil)
		if err != nil {
			return nil, err
		}
		for _, m := range res.Matches {
			if enc, ok := decodeEncounter(m); ok && enc.typeMatches(typ) && len(rows) < maxEncounterMatches {
				rows = append(rows, enc.row(m.ID))
			}
		}
		if res.Next == "" {
			break
		}
		query.Cursor = res.Next
	}
	return rows, nil
}

// EncounterPatient returns the id of the Patient an encounter is about,
// or "" when there is no such encounter or its subject is no Patient.
func (e encounterSearcher) EncounterPatient(_ context.Context, id string) (string, error) {
	r, err := e.store.Read("Encounter", id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrGone) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	enc, ok := decodeEncounter(r)
	if !ok {
		return "", nil
	}
	patient, ok := strings.CutPrefix(enc.Subject.Reference, "Patient/")
	if !ok || strings.Contains(patient, "/") {
		return "", nil
	}
	return patient, nil
}

// encounter holds the elements of an R4 Encounter the picker shows.
type encounter struct {
	Status string `json:"status"`
	Class  coding `json:"class"`
	Type   []struct {
		Text   string   `json:"text"`
		Coding []coding `json:"coding"`
	} `json:"type"`
	Period struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"period"`
	Subject struct {
		Reference string `json:"reference"`
	} `json:"subject"`
}

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

func decodeEncounter(r store.Resource) (encounter, bool) {
	var enc encounter
	return enc, json.Unmarshal(r.JSON, &enc) == nil
}

// typeMatches reports whether the type's text, a display or a code
// contains typ (lowercase); "" matches every encounter.
func (enc encounter) typeMatches(typ string) bool {
	if typ == "" {
		return true
	}
	for _, t := range enc.Type {
		if strings.Contains(strings.ToLower(t.Text), typ) {
			return true
		}
		for _, c := range t.Coding {
			if strings.Contains(strings.ToLower(c.Display), typ) || strings.EqualFold(c.Code, typ) {
				return true
			}
		}
	}
	return false
}

// row summarises the encounter for the picker: the period's days, the
// class and type in words, the status.
func (enc encounter) row(id string) ui.EncounterRow {
	row := ui.EncounterRow{ID: id, Status: sentence(enc.Status)}
	start, end := day(enc.Period.Start), day(enc.Period.End)
	row.Date = start
	if end != "" && end != start {
		row.Date = start + " – " + end
	}
	row.Class = sentence(enc.Class.Display)
	if row.Class == "" {
		row.Class = enc.Class.Code
	}
	if len(enc.Type) > 0 {
		t := enc.Type[0]
		row.Type = t.Text
		for _, c := range t.Coding {
			if row.Type == "" {
				row.Type = c.Display
			}
		}
	}
	return row
}

// day is the date part of a FHIR dateTime.
func day(dt string) string {
	d, _, _ := strings.Cut(dt, "T")
	return d
}

// sentence capitalises the first letter: "in-progress" → "In-progress".
func sentence(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
