package ehr_test

import (
	"context"
	"testing"

	"smartd/ehr"
)

func TestRecords(t *testing.T) {
	e := newEnv(t)
	r := ehr.NewRecords(e.st)
	ctx := context.Background()
	own := e.encounters("smart-patient-1")[0]
	other := e.encounters("smart-patient-2")[0]
	if _, _, err := e.fhir.Submit([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Patient/smart-patient-6"}}]}`)); err != nil {
		t.Fatal(err)
	}
	exists := []struct {
		typ, id string
		want    bool
	}{
		{"Patient", "smart-patient-1", true},
		{"Encounter", own, true},
		{"Patient", "nobody", false},
		{"Patient", "smart-patient-6", false}, // deleted
		{"NotAType", "x", false},
		{"Patient", "", false},
	}
	for _, tc := range exists {
		got, err := r.Exists(ctx, tc.typ, tc.id)
		if err != nil || got != tc.want {
			t.Errorf("Exists(%s, %s) = %v, %v; want %v", tc.typ, tc.id, got, err, tc.want)
		}
	}
	belongs := []struct {
		typ, id, patient string
		want             bool
	}{
		{"Encounter", own, "smart-patient-1", true},
		{"Encounter", other, "smart-patient-1", false},
		{"Encounter", other, "smart-patient-2", true},
		{"Encounter", "nope", "smart-patient-1", false},
		{"Encounter", own, "", false},
		{"Practitioner", "smart-practitioner-1", "smart-patient-1", false},
		{"NotAType", "x", "smart-patient-1", false},
	}
	for _, tc := range belongs {
		got, err := r.BelongsTo(ctx, tc.typ, tc.id, tc.patient)
		if err != nil || got != tc.want {
			t.Errorf("BelongsTo(%s, %s, %s) = %v, %v; want %v", tc.typ, tc.id, tc.patient, got, err, tc.want)
		}
	}
}
