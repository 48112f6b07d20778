package validate

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// TestResourceTypesMatchModels checks the generated table against the models'
// own resource-types value set, less its two abstract types.
func TestResourceTypesMatchModels(t *testing.T) {
	var want []string
	for i := fhir.ResourceType(0); i.Code() != "<unknown>"; i++ {
		if c := i.Code(); c != "Resource" && c != "DomainResource" {
			want = append(want, c)
		}
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, ResourceTypes()); diff != "" {
		t.Errorf("ResourceTypes() mismatch (-models +table):\n%s", diff)
	}
	if len(models) != len(resourceTypes) {
		t.Errorf("models has %d types, resourceTypes %d", len(models), len(resourceTypes))
	}
}

func TestResourceTypesIsACopy(t *testing.T) {
	got := ResourceTypes()
	got[0] = "Changed"
	if ResourceTypes()[0] == "Changed" {
		t.Error("ResourceTypes() returned the package's slice")
	}
}

func TestIsResourceType(t *testing.T) {
	tests := map[string]bool{
		"Patient": true, "Observation": true, "Bundle": true, "Parameters": true, "VisionPrescription": true,
		"patient": false, "Resource": false, "DomainResource": false, "": false, "Patient ": false, "metadata": false,
	}
	for name, want := range tests {
		if got := IsResourceType(name); got != want {
			t.Errorf("IsResourceType(%q) = %v, want %v", name, got, want)
		}
	}
}
