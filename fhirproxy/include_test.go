package fhirproxy_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestInclude covers _include and _revinclude (FHIR R4 §3.1.1.5.4),
// with target types, "*", :iterate, compartments, and each included
// resource once and never one already matched.
func TestInclude(t *testing.T) {
	t.Parallel()
	s := newFixtureServer(t)
	for _, tc := range []struct {
		path    string
		match   []string
		include []string
	}{
		{"/Observation?_id=o1&_include=Observation:subject", []string{"Observation/o1"}, []string{"Patient/p1"}},
		{"/Observation?_id=o1&_include=Observation:performer", []string{"Observation/o1"}, []string{"Practitioner/pr1"}},
		{"/Observation?_id=o1&_include=Observation:subject:Patient", []string{"Observation/o1"}, []string{"Patient/p1"}},
		{"/Observation?_id=o1&_include=Observation:subject:Group", []string{"Observation/o1"}, nil},
		{"/Observation?_id=o1,o2&_include=Observation:patient", []string{"Observation/o1", "Observation/o2"}, []string{"Patient/p1"}},
		{"/Observation?_id=o1,o3&_include=Observation:subject", []string{"Observation/o1", "Observation/o3"}, []string{"Patient/p1", "Patient/p2"}},
		{"/Observation?_id=o1&_include=*", []string{"Observation/o1"}, []string{"Encounter/e1", "Patient/p1", "Practitioner/pr1"}},
		{"/Observation?_id=o5&_include=Observation:subject", []string{"Observation/o5"}, nil}, // Group/g1 does not exist
		{"/Observation?_id=o1&_include=Observation:subject&_include=Observation:encounter", []string{"Observation/o1"}, []string{"Encounter/e1", "Patient/p1"}},
		{"/Patient?_id=p1&_revinclude=Observation:subject", []string{"Patient/p1"}, []string{"Observation/o1", "Observation/o2"}},
		{"/Patient?_id=p1&_revinclude=Observation:patient&_revinclude=Condition:patient", []string{"Patient/p1"}, []string{"Condition/c1", "Observation/o1", "Observation/o2"}},
		{"/Patient?_id=p1&_revinclude=*", []string{"Patient/p1"}, []string{"Condition/c1", "Encounter/e1", "MedicationRequest/m1", "Observation/o1", "Observation/o2"}},
		{"/Practitioner?_id=pr1&_revinclude=*", []string{"Practitioner/pr1"}, []string{"Encounter/e1", "MedicationRequest/m1", "Observation/o1", "Patient/p1"}},
		{"/Patient?_id=p1&_include=Patient:general-practitioner&_revinclude=Observation:subject", []string{"Patient/p1"}, []string{"Observation/o1", "Observation/o2", "Practitioner/pr1"}},
		{"/Patient?gender=male&_revinclude=Encounter:patient", []string{"Patient/p1"}, []string{"Encounter/e1"}},
		// A resource matched is not included again.
		{"/Patient?_id=p1,p2&_revinclude=Observation:subject&_include=Patient:general-practitioner", []string{"Patient/p1", "Patient/p2"}, []string{"Observation/o1", "Observation/o2", "Observation/o3", "Practitioner/pr1"}},
		// :iterate follows references of included resources too.
		{"/MedicationRequest?_id=m1&_include=MedicationRequest:patient&_include:iterate=Patient:general-practitioner", []string{"MedicationRequest/m1"}, []string{"Patient/p1", "Practitioner/pr1"}},
		{"/Encounter?_id=e1&_revinclude=Observation:encounter&_include:iterate=Observation:performer", []string{"Encounter/e1"}, []string{"Observation/o1", "Practitioner/pr1"}},
		// System searches include too.
		{"?_type=Observation&_id=o1&_include=Observation:subject", []string{"Observation/o1"}, []string{"Patient/p1"}},
		{"?_id=p2,o3&_revinclude=Condition:subject", []string{"Observation/o3", "Patient/p2"}, []string{"Condition/c2"}},
		// In a compartment, included compartment resources must be in it.
		{"/Patient/p1/Observation?_include=Observation:performer", []string{"Observation/o1", "Observation/o2"}, []string{"Practitioner/pr1"}},
		{"/Patient/p1/Observation?_include=Observation:subject", []string{"Observation/o1", "Observation/o2"}, []string{"Patient/p1"}},
		{"/Patient/p1/Patient?_revinclude=Observation:subject", []string{"Patient/p1"}, []string{"Observation/o1", "Observation/o2"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			s := s.with(t)
			b := s.search(tc.path)
			if out := b.outcomes(t); len(out) > 0 {
				t.Errorf("parameters were ignored: %+v", out)
			}
			if diff := cmp.Diff(tc.match, sorted(b.refs("match")), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.include, sorted(b.refs("include")), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("includes (-want +got):\n%s", diff)
			}
			if b.Total != nil && *b.Total != len(tc.match) {
				t.Errorf("total %d counts includes; want %d", *b.Total, len(tc.match))
			}
			for _, e := range b.Entry {
				if e.FullURL == "" {
					t.Errorf("entry without fullUrl: %s", e.Resource)
				}
			}
		})
	}

	// Each page carries the includes of its own matches.
	b := s.search("/Observation?patient=p1,p2&_count=2&_include=Observation:subject")
	if diff := cmp.Diff([]string{"Patient/p1"}, b.refs("include")); diff != "" {
		t.Errorf("page 1 includes (-want +got):\n%s", diff)
	}
	b = s.search(b.link("next"))
	if diff := cmp.Diff([]string{"Patient/p2"}, b.refs("include")); diff != "" {
		t.Errorf("page 2 includes (-want +got):\n%s", diff)
	}

	// A deleted target is not included.
	if r := s.do(http.MethodDelete, "/Practitioner/pr1", nil); r.Status != http.StatusNoContent {
		t.Fatal(r.Status)
	}
	if got := s.search("/Observation?_id=o1&_include=Observation:performer").refs("include"); len(got) != 0 {
		t.Errorf("a deleted practitioner is included: %v", got)
	}
}

// TestEverything covers Patient/$everything: the patient, its compartment
// and the resources they reference outside any patient compartment.
func TestEverything(t *testing.T) {
	t.Parallel()
	s := newFixtureServer(t)
	for _, tc := range []struct {
		method, path string
		want         []string
	}{
		{http.MethodGet, "/Patient/p1/$everything", []string{"Condition/c1", "Encounter/e1", "MedicationRequest/m1", "Observation/o1", "Observation/o2", "Patient/p1", "Practitioner/pr1"}},
		{http.MethodPost, "/Patient/p1/$everything", []string{"Condition/c1", "Encounter/e1", "MedicationRequest/m1", "Observation/o1", "Observation/o2", "Patient/p1", "Practitioner/pr1"}},
		{http.MethodGet, "/Patient/p2/$everything", []string{"Condition/c2", "MedicationRequest/m2", "Observation/o3", "Patient/p2"}},
		{http.MethodGet, "/Patient/p4/$everything", []string{"Patient/p4"}},
	} {
		r := s.do(tc.method, tc.path, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", tc.method, tc.path, r.Status, r.Body)
		}
		b := r.bundle(t)
		if diff := cmp.Diff(tc.want, sorted(b.refs(""))); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tc.method, tc.path, diff)
		}
		if b.Total == nil || *b.Total != len(tc.want) {
			t.Errorf("%s: total %v, want %d", tc.path, b.Total, len(tc.want))
		}
	}
	wantError(t, s.get("/Patient/nobody/$everything"), http.StatusNotFound, "not-found", "")
	wantError(t, s.get("/Observation/o1/$everything"), http.StatusBadRequest, "not-supported", "$everything")
	wantError(t, s.get("/Patient/p1/$validate"), http.StatusBadRequest, "not-supported", "$validate")
	if r := s.do(http.MethodDelete, "/Patient/p2", nil); r.Status != http.StatusNoContent {
		t.Fatal(r.Status)
	}
	wantError(t, s.get("/Patient/p2/$everything"), http.StatusGone, "deleted", "")
}
