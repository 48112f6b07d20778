package adminpages

import (
	"errors"
	"slices"
	"testing"

	"smartd/users"
)

// fieldTests are accounts with one problem each, and the form field it
// belongs to; they seed FuzzFieldOf.
var fieldTests = []struct {
	user     users.User
	password string
	field    string
}{
	{users.User{Username: "Nina", Role: users.Clinician, FHIRUser: "Practitioner/p1"}, "good-password", "username"},
	{users.User{Username: "nina", Role: "nurse", FHIRUser: "Practitioner/p1"}, "good-password", "role"},
	{users.User{Username: "nina", Role: users.Clinician, FHIRUser: "Patient/p1"}, "good-password", "fhir_user"},
	{users.User{Username: "nina", Role: users.Clinician, FHIRUser: "Practitioner"}, "good-password", "fhir_user"},
	{users.User{Username: "nina", Role: users.Developer, FHIRUser: "Practitioner/p1"}, "good-password", "fhir_user"},
	{users.User{Username: "nina", Role: users.Patient, FHIRUser: "RelatedPerson/r1"}, "good-password", "patient"},
	{users.User{Username: "nina", Role: users.Patient, FHIRUser: "Patient/p1", Patient: "p2"}, "good-password", "patient"},
	{users.User{Username: "nina", Role: users.Admin}, "short", "password"},
	{users.User{Username: "nina-nina", Role: users.Admin}, "nina-nina", "password"},
}

func TestFieldOf(t *testing.T) {
	for _, tc := range fieldTests {
		err := tc.user.Validate()
		if err == nil {
			err = users.ValidatePassword(tc.user.Username, tc.password)
		}
		if !errors.Is(err, users.ErrInvalid) {
			t.Fatalf("%+v: %v, want a validation error", tc.user, err)
		}
		if got := fieldOf(err); got != tc.field {
			t.Errorf("fieldOf(%q) = %q, want %q", err, got, tc.field)
		}
	}
}

// FuzzFieldOf: every validation problem of package users lands next to
// a field of the account form, never in the form-wide summary.
func FuzzFieldOf(f *testing.F) {
	for _, tc := range fieldTests {
		f.Add(tc.user.Username, string(tc.user.Role), tc.user.FHIRUser, tc.user.Patient, tc.password)
	}
	fields := []string{"username", "role", "fhir_user", "patient", "password"}
	f.Fuzz(func(t *testing.T, username, role, fhirUser, patient, password string) {
		u := users.User{Username: username, Role: users.Role(role), FHIRUser: fhirUser, Patient: patient}
		for _, err := range []error{u.Validate(), users.ValidatePassword(username, password)} {
			if err != nil && !slices.Contains(fields, fieldOf(err)) {
				t.Fatalf("%q goes to field %q", err, fieldOf(err))
			}
		}
	})
}
