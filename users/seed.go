package users

import (
	"errors"
	"fmt"
)

// Credential is a demo account's username and password, for the README
// and the sandbox's login page.
type Credential struct {
	Username, Password string
	Role               Role
	FHIRUser           string
}

// demoUsers are the sandbox's demo accounts, linked to resources of the
// sample bundles (testdata/bundles), and a developer and an administrator
// for the app registry and admin pages, who link to no resource. The
// bundles hold no RelatedPerson, so there is no proxy account.
var demoUsers = []struct {
	user     User
	password string
}{
	{User{Username: "dr.morgan", DisplayName: "Dr. Adaeze Morgan", Role: Clinician, FHIRUser: "Practitioner/smart-practitioner-1"}, "morgan-demo-2026"},
	{User{Username: "dr.salo", DisplayName: "Dr. Henrik Salo", Role: Clinician, FHIRUser: "Practitioner/smart-practitioner-2"}, "salo-demo-2026"},
	{User{Username: "jose", DisplayName: "José Antonio Ñúñez", Role: Patient, FHIRUser: "Patient/smart-patient-1"}, "jose-demo-2026"},
	{User{Username: "dev", DisplayName: "Demo Developer", Role: Developer}, "dev-demo-2026"},
	{User{Username: "admin", DisplayName: "Demo Administrator", Role: Admin}, "admin-demo-2026"},
}

// SeedDemo creates the demo accounts that do not exist yet and returns
// the credentials of all of them. Existing accounts, demo or not, are left
// as they are (their password may have been changed), so calling it on
// every start is harmless.
func SeedDemo(s *Store) ([]Credential, error) {
	out := make([]Credential, 0, len(demoUsers))
	for _, d := range demoUsers {
		_, err := s.Get(d.user.Username)
		if errors.Is(err, ErrNotFound) {
			_, err = s.Create(&d.user, d.password)
		}
		if err != nil && !errors.Is(err, ErrExists) {
			return nil, fmt.Errorf("users: seeding %s: %w", d.user.Username, err)
		}
		out = append(out, Credential{Username: d.user.Username, Password: d.password, Role: d.user.Role, FHIRUser: d.user.FHIRUser})
	}
	return out, nil
}
