package search

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLookupCommon(t *testing.T) {
	want := map[string]Definition{
		"_id":          {Name: "_id", Type: Token, Paths: []string{"id"}},
		"_lastUpdated": {Name: "_lastUpdated", Type: Date, Paths: []string{"meta.lastUpdated"}},
		"_tag":         {Name: "_tag", Type: Token, Paths: []string{"meta.tag"}},
		"_profile":     {Name: "_profile", Type: Token, Paths: []string{"meta.profile"}},
		"_security":    {Name: "_security", Type: Token, Paths: []string{"meta.security"}},
	}
	for _, typ := range []string{"", "Patient", "Observation", "Binary"} {
		for name, w := range want {
			got, ok := Lookup(typ, name)
			got.Description = ""
			if !ok || !cmp.Equal(w, got) {
				t.Errorf("Lookup(%q, %q) = %+v, %v; want %+v", typ, name, got, ok, w)
			}
		}
	}
	for _, tt := range []struct{ typ, name string }{{"", "name"}, {"Patient", "nope"}, {"Binary", "name"}, {"Patient", "_has"}} {
		if d, ok := Lookup(tt.typ, tt.name); ok {
			t.Errorf("Lookup(%q, %q) = %+v; want nothing", tt.typ, tt.name, d)
		}
	}
}

// TestRequiredParams pins the R4 definitions the server must have: name,
// type, paths and (for references) targets.
func TestRequiredParams(t *testing.T) {
	tests := []struct {
		typ, name string
		pt        ParamType
		paths     string // comma-separated
		targets   string // comma-separated; "" to skip the check
	}{
		{"Patient", "identifier", Token, "identifier", ""},
		{"Patient", "name", String, "name", ""},
		{"Patient", "family", String, "name.family", ""},
		{"Patient", "given", String, "name.given", ""},
		{"Patient", "birthdate", Date, "birthDate", ""},
		{"Patient", "gender", Token, "gender", ""},
		{"Patient", "address", String, "address", ""},
		{"Patient", "address-city", String, "address.city", ""},
		{"Patient", "address-postalcode", String, "address.postalCode", ""},
		{"Patient", "address-state", String, "address.state", ""},
		{"Patient", "telecom", Token, "telecom", ""},
		{"Patient", "phone", Token, "telecom.where(system='phone')", ""},
		{"Patient", "email", Token, "telecom.where(system='email')", ""},
		{"Patient", "general-practitioner", Reference, "generalPractitioner", "Practitioner,Organization,PractitionerRole"},
		{"Patient", "organization", Reference, "managingOrganization", "Organization"},
		{"Patient", "active", Token, "active", ""},
		{"Patient", "deceased", Token, "deceased[x]", ""},
		{"Patient", "death-date", Date, "deceasedDateTime", ""},
		{"Patient", "link", Reference, "link.other", "Patient,RelatedPerson"},
		{"Practitioner", "identifier", Token, "identifier", ""},
		{"Practitioner", "name", String, "name", ""},
		{"Practitioner", "family", String, "name.family", ""},
		{"Practitioner", "given", String, "name.given", ""},
		{"Practitioner", "active", Token, "active", ""},
		{"Practitioner", "address", String, "address", ""},
		{"Practitioner", "telecom", Token, "telecom", ""},
		{"PractitionerRole", "practitioner", Reference, "practitioner", "Practitioner"},
		{"PractitionerRole", "organization", Reference, "organization", "Organization"},
		{"PractitionerRole", "location", Reference, "location", "Location"},
		{"PractitionerRole", "role", Token, "code", ""},
		{"PractitionerRole", "specialty", Token, "specialty", ""},
		{"PractitionerRole", "identifier", Token, "identifier", ""},
		{"Organization", "identifier", Token, "identifier", ""},
		{"Organization", "name", String, "name,alias", ""},
		{"Organization", "address", String, "address", ""},
		{"Organization", "type", Token, "type", ""},
		{"Organization", "partof", Reference, "partOf", "Organization"},
		{"Location", "identifier", Token, "identifier", ""},
		{"Location", "name", String, "name,alias", ""},
		{"Location", "address", String, "address", ""},
		{"Location", "organization", Reference, "managingOrganization", "Organization"},
		{"Location", "type", Token, "type", ""},
		{"Encounter", "patient", Reference, "subject", "Patient"},
		{"Encounter", "subject", Reference, "subject", "Group,Patient"},
		{"Encounter", "status", Token, "status", ""},
		{"Encounter", "class", Token, "class", ""},
		{"Encounter", "type", Token, "type", ""},
		{"Encounter", "date", Date, "period", ""},
		{"Encounter", "participant", Reference, "participant.individual", "Practitioner,PractitionerRole,RelatedPerson"},
		{"Encounter", "practitioner", Reference, "participant.individual", "Practitioner"},
		{"Encounter", "service-provider", Reference, "serviceProvider", "Organization"},
		{"Encounter", "identifier", Token, "identifier", ""},
		{"Encounter", "reason-code", Token, "reasonCode", ""},
		{"Encounter", "location", Reference, "location.location", "Location"},
		{"Observation", "patient", Reference, "subject", "Patient"},
		{"Observation", "subject", Reference, "subject", "Group,Device,Patient,Location"},
		{"Observation", "encounter", Reference, "encounter", "Encounter"},
		{"Observation", "code", Token, "code", ""},
		{"Observation", "category", Token, "category", ""},
		{"Observation", "status", Token, "status", ""},
		{"Observation", "date", Date, "effective[x]", ""},
		{"Observation", "performer", Reference, "performer", ""},
		{"Observation", "based-on", Reference, "basedOn", ""},
		{"Observation", "identifier", Token, "identifier", ""},
		{"Observation", "value-concept", Token, "valueCodeableConcept", ""},
		{"Observation", "combo-code", Token, "code,component.code", ""},
		{"Observation", "component-code", Token, "component.code", ""},
		{"Condition", "patient", Reference, "subject", "Patient"},
		{"Condition", "subject", Reference, "subject", "Group,Patient"},
		{"Condition", "encounter", Reference, "encounter", "Encounter"},
		{"Condition", "code", Token, "code", ""},
		{"Condition", "category", Token, "category", ""},
		{"Condition", "clinical-status", Token, "clinicalStatus", ""},
		{"Condition", "verification-status", Token, "verificationStatus", ""},
		{"Condition", "onset-date", Date, "onsetDateTime,onsetPeriod", ""},
		{"Condition", "recorded-date", Date, "recordedDate", ""},
		{"Condition", "asserter", Reference, "asserter", ""},
		{"Condition", "identifier", Token, "identifier", ""},
		{"Condition", "abatement-date", Date, "abatementDateTime,abatementPeriod", ""},
		{"MedicationRequest", "patient", Reference, "subject", "Patient"},
		{"MedicationRequest", "subject", Reference, "subject", "Group,Patient"},
		{"MedicationRequest", "encounter", Reference, "encounter", "Encounter"},
		{"MedicationRequest", "code", Token, "medicationCodeableConcept", ""},
		{"MedicationRequest", "medication", Reference, "medicationReference", "Medication"},
		{"MedicationRequest", "status", Token, "status", ""},
		{"MedicationRequest", "intent", Token, "intent", ""},
		{"MedicationRequest", "authoredon", Date, "authoredOn", ""},
		{"MedicationRequest", "requester", Reference, "requester", ""},
		{"MedicationRequest", "identifier", Token, "identifier", ""},
		{"MedicationRequest", "category", Token, "category", ""},
		{"MedicationAdministration", "patient", Reference, "subject", "Patient"},
		{"MedicationAdministration", "code", Token, "medicationCodeableConcept", ""},
		{"MedicationAdministration", "effective-time", Date, "effective[x]", ""},
		{"Medication", "code", Token, "code", ""},
		{"AllergyIntolerance", "patient", Reference, "patient", "Patient"},
		{"AllergyIntolerance", "clinical-status", Token, "clinicalStatus", ""},
		{"AllergyIntolerance", "verification-status", Token, "verificationStatus", ""},
		{"AllergyIntolerance", "code", Token, "code,reaction.substance", ""},
		{"AllergyIntolerance", "category", Token, "category", ""},
		{"AllergyIntolerance", "criticality", Token, "criticality", ""},
		{"AllergyIntolerance", "type", Token, "type", ""},
		{"AllergyIntolerance", "date", Date, "recordedDate", ""},
		{"AllergyIntolerance", "onset", Date, "reaction.onset", ""},
		{"AllergyIntolerance", "recorder", Reference, "recorder", ""},
		{"AllergyIntolerance", "asserter", Reference, "asserter", ""},
		{"Immunization", "patient", Reference, "patient", "Patient"},
		{"Immunization", "status", Token, "status", ""},
		{"Immunization", "vaccine-code", Token, "vaccineCode", ""},
		{"Immunization", "date", Date, "occurrence[x]", ""},
		{"Immunization", "performer", Reference, "performer.actor", ""},
		{"Immunization", "location", Reference, "location", "Location"},
		{"Immunization", "identifier", Token, "identifier", ""},
		{"Procedure", "patient", Reference, "subject", "Patient"},
		{"Procedure", "subject", Reference, "subject", "Group,Patient"},
		{"Procedure", "code", Token, "code", ""},
		{"Procedure", "status", Token, "status", ""},
		{"Procedure", "date", Date, "performed[x]", ""},
		{"Procedure", "encounter", Reference, "encounter", "Encounter"},
		{"Procedure", "performer", Reference, "performer.actor", ""},
		{"Procedure", "identifier", Token, "identifier", ""},
		{"DiagnosticReport", "patient", Reference, "subject", "Patient"},
		{"DiagnosticReport", "subject", Reference, "subject", ""},
		{"DiagnosticReport", "code", Token, "code", ""},
		{"DiagnosticReport", "category", Token, "category", ""},
		{"DiagnosticReport", "status", Token, "status", ""},
		{"DiagnosticReport", "date", Date, "effective[x]", ""},
		{"DiagnosticReport", "encounter", Reference, "encounter", "Encounter"},
		{"DiagnosticReport", "performer", Reference, "performer", ""},
		{"DiagnosticReport", "result", Reference, "result", "Observation"},
		{"DiagnosticReport", "identifier", Token, "identifier", ""},
		{"DocumentReference", "patient", Reference, "subject", "Patient"},
		{"DocumentReference", "subject", Reference, "subject", ""},
		{"DocumentReference", "type", Token, "type", ""},
		{"DocumentReference", "category", Token, "category", ""},
		{"DocumentReference", "status", Token, "status", ""},
		{"DocumentReference", "date", Date, "date", ""},
		{"DocumentReference", "encounter", Reference, "context.encounter", "Encounter,EpisodeOfCare"},
		{"DocumentReference", "author", Reference, "author", ""},
		{"DocumentReference", "identifier", Token, "masterIdentifier,identifier", ""},
		{"DocumentReference", "period", Date, "context.period", ""},
		{"ServiceRequest", "patient", Reference, "subject", "Patient"},
		{"ServiceRequest", "subject", Reference, "subject", ""},
		{"ServiceRequest", "code", Token, "code", ""},
		{"ServiceRequest", "category", Token, "category", ""},
		{"ServiceRequest", "status", Token, "status", ""},
		{"ServiceRequest", "intent", Token, "intent", ""},
		{"ServiceRequest", "authored", Date, "authoredOn", ""},
		{"ServiceRequest", "encounter", Reference, "encounter", "Encounter"},
		{"ServiceRequest", "requester", Reference, "requester", ""},
		{"ServiceRequest", "performer", Reference, "performer", ""},
		{"ServiceRequest", "identifier", Token, "identifier", ""},
		{"CarePlan", "patient", Reference, "subject", "Patient"},
		{"CarePlan", "subject", Reference, "subject", "Group,Patient"},
		{"CarePlan", "category", Token, "category", ""},
		{"CarePlan", "status", Token, "status", ""},
		{"CarePlan", "intent", Token, "intent", ""},
		{"CarePlan", "date", Date, "period", ""},
		{"CarePlan", "encounter", Reference, "encounter", "Encounter"},
		{"CarePlan", "care-team", Reference, "careTeam", "CareTeam"},
		{"CareTeam", "patient", Reference, "subject", "Patient"},
		{"CareTeam", "subject", Reference, "subject", "Group,Patient"},
		{"CareTeam", "status", Token, "status", ""},
		{"CareTeam", "participant", Reference, "participant.member", ""},
		{"CareTeam", "encounter", Reference, "encounter", "Encounter"},
		{"CareTeam", "category", Token, "category", ""},
		{"Goal", "patient", Reference, "subject", "Patient"},
		{"Goal", "subject", Reference, "subject", "Group,Organization,Patient"},
		{"Goal", "lifecycle-status", Token, "lifecycleStatus", ""},
		{"Goal", "target-date", Date, "target.dueDate", ""},
		{"Claim", "patient", Reference, "patient", "Patient"},
		{"Claim", "provider", Reference, "provider", "Practitioner,Organization,PractitionerRole"},
		{"Claim", "created", Date, "created", ""},
		{"Claim", "status", Token, "status", ""},
		{"Claim", "use", Token, "use", ""},
		{"Claim", "identifier", Token, "identifier", ""},
		{"ExplanationOfBenefit", "patient", Reference, "patient", "Patient"},
		{"ExplanationOfBenefit", "provider", Reference, "provider", ""},
		{"ExplanationOfBenefit", "created", Date, "created", ""},
		{"ExplanationOfBenefit", "status", Token, "status", ""},
		{"ExplanationOfBenefit", "identifier", Token, "identifier", ""},
		{"ExplanationOfBenefit", "claim", Reference, "claim", "Claim"},
		{"ImagingStudy", "patient", Reference, "subject", "Patient"},
		{"ImagingStudy", "subject", Reference, "subject", "Group,Device,Patient"},
		{"ImagingStudy", "started", Date, "started", ""},
		{"ImagingStudy", "status", Token, "status", ""},
		{"ImagingStudy", "identifier", Token, "identifier", ""},
		{"Device", "patient", Reference, "patient", "Patient"},
		{"Device", "type", Token, "type", ""},
		{"Device", "identifier", Token, "identifier", ""},
		{"Device", "status", Token, "status", ""},
		{"Provenance", "target", Reference, "target", ""},
		{"Provenance", "patient", Reference, "target", "Patient"},
		{"Provenance", "agent", Reference, "agent.who", ""},
		{"Provenance", "recorded", Date, "recorded", ""},
		{"SupplyDelivery", "patient", Reference, "patient", "Patient"},
		{"SupplyDelivery", "status", Token, "status", ""},
		{"RelatedPerson", "patient", Reference, "patient", "Patient"},
		{"RelatedPerson", "identifier", Token, "identifier", ""},
		{"RelatedPerson", "name", String, "name", ""},
		{"Coverage", "patient", Reference, "beneficiary", "Patient"},
		{"Coverage", "beneficiary", Reference, "beneficiary", "Patient"},
		{"Coverage", "payor", Reference, "payor", "Organization,Patient,RelatedPerson"},
		{"QuestionnaireResponse", "patient", Reference, "subject", "Patient"},
		{"QuestionnaireResponse", "subject", Reference, "subject", ""},
		{"QuestionnaireResponse", "authored", Date, "authored", ""},
		{"QuestionnaireResponse", "status", Token, "status", ""},
		{"QuestionnaireResponse", "questionnaire", Reference, "questionnaire", "Questionnaire"},
		{"Specimen", "patient", Reference, "subject", "Patient"},
		{"Specimen", "subject", Reference, "subject", ""},
	}
	for _, tt := range tests {
		d, ok := Lookup(tt.typ, tt.name)
		if !ok {
			t.Errorf("%s.%s is missing", tt.typ, tt.name)
			continue
		}
		if d.Type != tt.pt || strings.Join(d.Paths, ",") != tt.paths {
			t.Errorf("%s.%s = %s %v; want %s %s", tt.typ, tt.name, d.Type, d.Paths, tt.pt, tt.paths)
		}
		if tt.targets != "" && strings.Join(d.Targets, ",") != tt.targets {
			t.Errorf("%s.%s targets %v; want %s", tt.typ, tt.name, d.Targets, tt.targets)
		}
	}
}

// TestRegistryConsistency checks every definition of every type.
func TestRegistryConsistency(t *testing.T) {
	types := Indexed()
	if !slices.IsSorted(types) || len(types) < 60 {
		t.Fatalf("Indexed() = %v", types)
	}
	for _, typ := range append(types, "") {
		defs := Definitions(typ)
		if !slices.IsSortedFunc(defs, func(a, b Definition) int { return strings.Compare(a.Name, b.Name) }) {
			t.Errorf("Definitions(%q) not sorted by name", typ)
		}
		seen := map[string]bool{}
		for _, d := range defs {
			if seen[d.Name] {
				t.Errorf("%s.%s twice", typ, d.Name)
			}
			seen[d.Name] = true
			if d.Name == "" || d.Description == "" || len(d.Paths) == 0 || d.Type.String() == "unknown" {
				t.Errorf("%s.%s incomplete: %+v", typ, d.Name, d)
			}
			if d.Type != Reference && d.Targets != nil {
				t.Errorf("%s.%s is a %s with targets", typ, d.Name, d.Type)
			}
			for _, target := range d.Targets {
				if !isTypeName(target) {
					t.Errorf("%s.%s target %q", typ, d.Name, target)
				}
			}
			// A "patient" reference points at patients only.
			if d.Name == "patient" && (d.Type != Reference || !slices.Equal(d.Targets, []string{"Patient"})) {
				t.Errorf("%s.patient = %s %v; want a reference to Patient", typ, d.Type, d.Targets)
			}
			got, ok := Lookup(typ, d.Name)
			if !ok || !cmp.Equal(got, d) {
				t.Errorf("Lookup(%q, %q) = %+v, %v; Definitions has %+v", typ, d.Name, got, ok, d)
			}
		}
		for _, name := range []string{"_id", "_lastUpdated", "_tag", "_profile", "_security"} {
			if !seen[name] {
				t.Errorf("Definitions(%q) lacks %s", typ, name)
			}
		}
	}
	if got := len(Definitions("")); got != 5 {
		t.Errorf("Definitions(\"\") has %d parameters, want the 5 common ones", got)
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	d := def(t, "Observation", "subject")
	d.Targets[0] = "Changed"
	d.Paths[0] = "changed"
	for _, dd := range Definitions("Observation") {
		if dd.Name == "subject" {
			dd.Targets[0] = "Changed"
		}
	}
	if got := def(t, "Observation", "subject"); got.Targets[0] != "Group" || got.Paths[0] != "subject" {
		t.Errorf("registry changed through a returned definition: %+v", got)
	}
}

func TestParamTypeString(t *testing.T) {
	for pt, want := range map[ParamType]string{Token: "token", Reference: "reference", String: "string", Date: "date", 0: "unknown"} {
		if got := pt.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", pt, got, want)
		}
	}
}
