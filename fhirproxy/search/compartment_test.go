package search

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPatientCompartmentBackedByRegistry checks that every parameter the
// compartment table names is a reference parameter of that type that can
// point to a Patient.
func TestPatientCompartmentBackedByRegistry(t *testing.T) {
	types := PatientCompartmentTypes()
	if len(types) != 66 || !slices.IsSorted(types) {
		t.Fatalf("PatientCompartmentTypes() = %d types %v; want the 66 of R4, sorted", len(types), types)
	}
	for _, typ := range types {
		params := PatientCompartment(typ)
		if len(params) == 0 {
			t.Errorf("%s has no compartment parameters", typ)
		}
		for _, name := range params {
			d, ok := Lookup(typ, name)
			if !ok {
				t.Errorf("%s.%s is in the compartment table but not in the registry", typ, name)
				continue
			}
			if d.Type != Reference || (d.Targets != nil && !slices.Contains(d.Targets, "Patient")) {
				t.Errorf("%s.%s is a %s with targets %v; cannot place a resource in a patient compartment", typ, name, d.Type, d.Targets)
			}
		}
	}
}

func TestPatientCompartment(t *testing.T) {
	tests := map[string][]string{
		"Observation":        {"subject", "performer"},
		"Encounter":          {"patient"},
		"AllergyIntolerance": {"patient", "recorder", "asserter"},
		"Condition":          {"patient", "asserter"},
		"MedicationRequest":  {"subject"},
		"Provenance":         {"patient"},
		"Coverage":           {"policy-holder", "subscriber", "beneficiary", "payor"},
		"Patient":            {"link"},
		"ResearchSubject":    {"individual"},
		"Organization":       nil,
		"Practitioner":       nil,
		"Medication":         nil,
		"Binary":             nil,
		"":                   nil,
	}
	for typ, want := range tests {
		if got := PatientCompartment(typ); !cmp.Equal(got, want) {
			t.Errorf("PatientCompartment(%q) = %v, want %v", typ, got, want)
		}
	}
	got := PatientCompartment("Observation")
	got[0] = "changed"
	if PatientCompartment("Observation")[0] != "subject" {
		t.Error("the compartment table changed through a returned slice")
	}
}
