package users

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// remembered reads the remembered scope of each (user, client) pair.
func remembered(t *testing.T, s *Store, pairs [][2]string) []string {
	t.Helper()
	var out []string
	for _, p := range pairs {
		got, err := s.RememberedConsent(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got)
	}
	return out
}

func TestRememberedConsents(t *testing.T) {
	s, _ := newStore(t)
	for _, name := range []string{"jose", "jose.2", "ann"} {
		if _, err := s.Create(&User{Username: name, Role: Patient, FHIRUser: "Patient/" + name}, "password-"+name); err != nil {
			t.Fatal(err)
		}
	}
	pairs := [][2]string{{"jose", "app-1"}, {"jose", "app-2"}, {"jose.2", "app-1"}, {"ann", "app-1"}, {"nobody", "app-1"}}
	if diff := cmp.Diff([]string{"", "", "", "", ""}, remembered(t, s, pairs)); diff != "" {
		t.Fatalf("before any decision (-want +got):\n%s", diff)
	}

	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"remember", func() error { return s.RememberConsent("jose", "app-1", "openid patient/*.rs") },
			[]string{"openid patient/*.rs", "", "", "", ""}},
		{"another app", func() error { return s.RememberConsent("jose", "app-2", "patient/Observation.rs") },
			[]string{"openid patient/*.rs", "patient/Observation.rs", "", "", ""}},
		{"a user whose name extends jose", func() error { return s.RememberConsent("jose.2", "app-1", "openid") },
			[]string{"openid patient/*.rs", "patient/Observation.rs", "openid", "", ""}},
		{"replace", func() error { return s.RememberConsent("jose", "app-1", "openid") },
			[]string{"openid", "patient/Observation.rs", "openid", "", ""}},
		{"forget jose", func() error { return s.ForgetConsents("jose") },
			[]string{"", "", "openid", "", ""}},
		{"forget with none", func() error { return s.ForgetConsents("ann") },
			[]string{"", "", "openid", "", ""}},
		{"delete the account", func() error { return s.Delete("jose.2") },
			[]string{"", "", "", "", ""}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, remembered(t, s, pairs)); diff != "" {
			t.Errorf("after %s (-want +got):\n%s", st.name, diff)
		}
	}

	if err := s.RememberConsent("nobody", "app-1", "openid"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RememberConsent for an unknown user: %v, want ErrNotFound", err)
	}
	if err := s.RememberConsent("ann", "", "openid"); !errors.Is(err, ErrInvalid) {
		t.Errorf("RememberConsent without client_id: %v, want ErrInvalid", err)
	}
}

// TestRememberedConsentSurvivesReopen: the decision is on disk.
func TestRememberedConsentSurvivesReopen(t *testing.T) {
	s, db := newStore(t)
	if _, err := s.Create(&User{Username: "ann", Role: Patient, FHIRUser: "Patient/ann"}, "password-ann"); err != nil {
		t.Fatal(err)
	}
	if err := s.RememberConsent("ann", "app-1", "openid fhirUser"); err != nil {
		t.Fatal(err)
	}
	again, err := Open(db, Options{Params: fastParams})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.RememberedConsent("ann", "app-1"); err != nil || got != "openid fhirUser" {
		t.Errorf("after reopening: %q, %v; want openid fhirUser", got, err)
	}
}
