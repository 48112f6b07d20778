package bundles_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// patientSummary is what docs and tests say about each sample patient.
type patientSummary struct {
	File, ID, Family, Given, Gender, BirthDate, Deceased string
}

func TestPatients(t *testing.T) {
	want := []patientSummary{
		{"10-jose-nunez.json", "smart-patient-1", "Ñúñez", "José", "male", "1971-03-14", ""},
		{"11-aoife-oconnor.json", "smart-patient-2", "O'Connor", "Aoife", "female", "2018-06-21", ""},
		{"12-eleanor-hargreaves.json", "smart-patient-3", "Hargreaves", "Eleanor", "female", "1939-01-30", ""},
		{"13-walter-kowalczyk.json", "smart-patient-4", "Kowalczyk", "Walter", "male", "1944-08-12", "2024-10-31T23:40:00-04:00"},
		{"14-priya-raman.json", "smart-patient-5", "Raman", "Priya", "female", "1990-04-09", ""},
		{"15-kai-nakamura.json", "smart-patient-6", "Nakamura", "Kai", "other", "2009-10-05", ""},
	}
	var got []patientSummary
	for file, entries := range load(t) {
		for _, l := range entries {
			if l.typ() != "Patient" {
				continue
			}
			var p struct {
				ID   string `json:"id"`
				Name []struct {
					Family string   `json:"family"`
					Given  []string `json:"given"`
				} `json:"name"`
				Gender           string `json:"gender"`
				BirthDate        string `json:"birthDate"`
				DeceasedDateTime string `json:"deceasedDateTime"`
			}
			if err := json.Unmarshal(l.entry.Resource, &p); err != nil || len(p.Name) == 0 || len(p.Name[0].Given) == 0 {
				t.Fatalf("%s: %v", l.where(), err)
			}
			got = append(got, patientSummary{file, p.ID, p.Name[0].Family, p.Name[0].Given[0], p.Gender, p.BirthDate, p.DeceasedDateTime})
		}
	}
	slices.SortFunc(got, func(a, b patientSummary) int { return strings.Compare(a.File, b.File) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("patients (-want +got):\n%s", diff)
	}
}

// TestPatientContent checks that every patient has the clinical content the
// samples promise: several encounters, conditions, a weight series, the other
// vital signs, labs, medications, allergies, immunizations and a resource to
// use as fhirContext.
func TestPatientContent(t *testing.T) {
	for file, entries := range load(t) {
		if file == masterFile {
			continue
		}
		t.Run(file, func(t *testing.T) {
			got := map[string]int{}
			for _, l := range entries {
				got[l.typ()]++
				if l.typ() != "Observation" {
					continue
				}
				for _, c := range codings(l.resource["category"]) {
					got["category "+c]++
				}
				for _, c := range codings(l.resource["code"]) {
					got["code "+c]++
				}
			}
			got["DocumentReference or ServiceRequest"] = got["DocumentReference"] + got["ServiceRequest"]
			atLeast := map[string]int{
				"Encounter":                                4,
				"Condition":                                2,
				"MedicationRequest":                        1,
				"AllergyIntolerance":                       1,
				"Immunization":                             1,
				"DocumentReference or ServiceRequest":      1,
				"category " + obsCategory + "|vital-signs": 10,
				"category " + obsCategory + "|laboratory":  1,
				"code http://loinc.org|29463-7":            4, // body weight, a chart over time
				"code http://loinc.org|8302-2":             1, // body height
				"code http://loinc.org|85354-9":            2, // blood pressure
				"code http://loinc.org|8867-4":             2, // heart rate
			}
			for k, n := range atLeast {
				if got[k] < n {
					t.Errorf("%s: %d; want at least %d", k, got[k], n)
				}
			}
		})
	}
}

const obsCategory = "http://terminology.hl7.org/CodeSystem/observation-category"

// codings returns "system|code" for each coding of a CodeableConcept or a list
// of them.
func codings(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			out = append(out, codings(e)...)
		}
	case map[string]any:
		cs, _ := v["coding"].([]any)
		for _, c := range cs {
			m, _ := c.(map[string]any)
			out = append(out, fmt.Sprintf("%v|%v", m["system"], m["code"]))
		}
	}
	return out
}

// TestPopulation checks the spread the samples are meant to cover.
func TestPopulation(t *testing.T) {
	var latest time.Time // of all encounters, to measure ages against
	ages := map[string]int{}
	genders := map[string]bool{}
	offsets := map[string]bool{}
	for _, entries := range load(t) {
		for _, l := range entries {
			walkStrings(l.resource, func(_, s string) {
				if m := dateTimeRE.FindStringSubmatch(s); m != nil {
					offsets[m[1]] = true
				}
			})
			if p, ok := l.resource["period"].(map[string]any); ok && l.typ() == "Encounter" {
				if end, err := time.Parse(time.RFC3339, p["end"].(string)); err == nil && end.After(latest) {
					latest = end
				}
			}
		}
	}
	for _, entries := range load(t) {
		for _, l := range entries {
			if l.typ() == "Patient" {
				born, err := time.Parse(time.DateOnly, l.resource["birthDate"].(string))
				if err != nil {
					t.Fatal(err)
				}
				ages[l.id()] = int(latest.Sub(born).Hours() / 24 / 365.25)
				genders[l.resource["gender"].(string)] = true
			}
		}
	}
	var child, elderly bool
	for _, a := range ages {
		child = child || a < 12
		elderly = elderly || a >= 80
	}
	if !child || !elderly {
		t.Errorf("ages %v: want a child (under 12) and an elderly patient (80 or over)", ages)
	}
	for _, g := range []string{"male", "female", "other"} {
		if !genders[g] {
			t.Errorf("no %s patient", g)
		}
	}
	for _, o := range []string{"Z", "-05:00", "+01:00"} {
		if !offsets[o] {
			t.Errorf("no dateTime with offset %s (have %v)", o, offsets)
		}
	}
}

// TestCounts checks the size of the set and that README.md states it.
func TestCounts(t *testing.T) {
	counts := map[string]int{}
	total := 0
	for _, entries := range load(t) {
		for _, l := range entries {
			counts[l.typ()]++
			total++
		}
	}
	for typ, n := range map[string]int{"Patient": 5, "Practitioner": 2, "Organization": 1} {
		if counts[typ] < n {
			t.Errorf("%d %s; want at least %d", counts[typ], typ, n)
		}
	}
	if total < 150 || total > 400 {
		t.Errorf("%d resources; want 150 to 400", total)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	counts["**Total**"] = total
	for typ, n := range counts {
		if row := fmt.Sprintf("| %s | %d |", typ, n); !strings.Contains(string(readme), row) {
			t.Errorf("README.md lacks the row %q", row)
		}
	}
}
