package authz

import (
	"strings"
	"testing"
)

// fhirUserCases: Grant.User values and the fhirUser claim they give.
var fhirUserCases = []struct{ user, want string }{
	{"Practitioner/p1", "https://ehr.example/fhir/Practitioner/p1"},
	{"Patient/a-1.b", "https://ehr.example/fhir/Patient/a-1.b"},
	{"https://other.example/fhir/Practitioner/9", "https://other.example/fhir/Practitioner/9"},
	{"alice", ""},
	{"alice@example.org", ""},
	{"practitioner/p1", ""},
	{"Practitioner/", ""},
	{"/p1", ""},
	{"Practitioner/p1/_history/2", ""},
	{"Practitioner/p 1", ""},
	{"", ""},
}

func TestFHIRUserURL(t *testing.T) {
	s := &Server{opts: Options{Issuer: "https://ehr.example/fhir"}}
	for _, tc := range fhirUserCases {
		if got := s.fhirUserURL(tc.user); got != tc.want {
			t.Errorf("fhirUserURL(%q) = %q, want %q", tc.user, got, tc.want)
		}
	}
}

// FuzzFHIRUserURL: the claim is empty, the user's own absolute URL, or
// the FHIR base + "/" + a Type/id without spaces.
func FuzzFHIRUserURL(f *testing.F) {
	for _, tc := range fhirUserCases {
		f.Add(tc.user)
	}
	const base = "https://ehr.example/fhir"
	s := &Server{opts: Options{Issuer: base}}
	f.Fuzz(func(t *testing.T, user string) {
		got := s.fhirUserURL(user)
		switch {
		case got == "", got == user && (strings.HasPrefix(user, "https://") || strings.HasPrefix(user, "http://")):
		case got == base+"/"+user && strings.Count(user, "/") == 1 && !strings.ContainsAny(user, " \t\r\n?#%"):
		default:
			t.Fatalf("fhirUserURL(%q) = %q", user, got)
		}
	})
}
