package users

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/testdata/bundles"
)

func TestSeedDemo(t *testing.T) {
	s, _ := newStore(t)
	creds, err := SeedDemo(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []Credential{
		{"dr.morgan", "morgan-demo-2026", Clinician, "Practitioner/smart-practitioner-1"},
		{"dr.salo", "salo-demo-2026", Clinician, "Practitioner/smart-practitioner-2"},
		{"jose", "jose-demo-2026", Patient, "Patient/smart-patient-1"},
		{"dev", "dev-demo-2026", Developer, ""},
		{"admin", "admin-demo-2026", Admin, ""},
	}
	if diff := cmp.Diff(want, creds); diff != "" {
		t.Fatalf("SeedDemo (-want +got):\n%s", diff)
	}
	for _, c := range creds {
		u, err := s.Authenticate(c.Username, c.Password)
		if err != nil || u.FHIRUser != c.FHIRUser || u.Role != c.Role {
			t.Errorf("Authenticate(%s) = %+v, %v", c.Username, u, err)
		}
	}
	// A second run keeps existing accounts, including a changed password.
	if err := s.SetPassword("jose", "changed-password"); err != nil {
		t.Fatal(err)
	}
	before, _ := s.List()
	again, err := SeedDemo(s)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(creds, again); diff != "" {
		t.Errorf("second SeedDemo (-first +second):\n%s", diff)
	}
	after, _ := s.List()
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("second SeedDemo changed accounts (-before +after):\n%s", diff)
	}
	if _, err := s.Authenticate("jose", "changed-password"); err != nil {
		t.Errorf("the changed password no longer works: %v", err)
	}
}

// The demo accounts link to resources the sample bundles create, and the
// bundles hold no RelatedPerson (so there is no proxy demo account: add one
// when they do).
func TestSeedDemoLinksExist(t *testing.T) {
	ids := map[string]bool{}
	for _, name := range bundles.Names() {
		b, err := bundles.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var bundle struct {
			Entry []struct {
				Resource struct{ ResourceType, ID string }
			}
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range bundle.Entry {
			ids[e.Resource.ResourceType+"/"+e.Resource.ID] = true
			if e.Resource.ResourceType == "RelatedPerson" {
				t.Errorf("%s holds a RelatedPerson: seed a proxy demo account for it", name)
			}
		}
	}
	for _, d := range demoUsers {
		if d.user.FHIRUser != "" && !ids[d.user.FHIRUser] {
			t.Errorf("%s links to %s, which no sample bundle creates", d.user.Username, d.user.FHIRUser)
		}
	}
}
