package server

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

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
