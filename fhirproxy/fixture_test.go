package fhirproxy_test

import "testing"

// fixture is a small record with stable ids whose search results the
// tests can work out by hand: four patients, a practitioner, an
// encounter, five observations, two conditions and two prescriptions.
// Times are written in several zones; the comments give them in UTC.
var fixture = []string{
	`{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:mrn","value":"1001"},{"system":"http://hl7.org/fhir/sid/us-ssn","value":"999-11-1111"}],
	  "name":[{"family":"Ñúñez","given":["José"]}],"gender":"male","birthDate":"1971-03-14",
	  "address":[{"line":["1 Main St"],"city":"Boston","state":"MA"}],"generalPractitioner":[{"reference":"Practitioner/pr1"}]}`,
	`{"resourceType":"Patient","id":"p2","meta":{"tag":[{"system":"urn:t","code":"vip"}]},"identifier":[{"system":"urn:mrn","value":"1002"}],
	  "name":[{"family":"O'Connor","given":["Aoife","Grace"]}],"gender":"female","birthDate":"2018-06-21",
	  "address":[{"city":"Cambridge"}]}`,
	`{"resourceType":"Patient","id":"p3","identifier":[{"value":"1003"}],
	  "name":[{"family":"Nunez","given":["Maria"]}],"gender":"female","birthDate":"1971","address":[{"city":"Boston"}]}`,
	`{"resourceType":"Patient","id":"p4","identifier":[{"system":"urn:other","value":"1001"}],
	  "name":[{"family":"Smith","given":["Johnny"]}],"gender":"other","birthDate":"1971-03"}`,
	`{"resourceType":"Practitioner","id":"pr1","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999000174"}],
	  "name":[{"family":"Morgan","given":["Adaeze"]}]}`,
	// 2020-01-15 09:00Z to 10:30Z
	`{"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
	  "type":[{"coding":[{"system":"http://snomed.info/sct","code":"185349003"}]}],"subject":{"reference":"Patient/p1"},
	  "participant":[{"individual":{"reference":"Practitioner/pr1"}}],"period":{"start":"2020-01-15T10:00:00+01:00","end":"2020-01-15T11:30:00+01:00"}}`,
	// 2020-01-15T09:00Z
	`{"resourceType":"Observation","id":"o1","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
	  "code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"},
	  "performer":[{"reference":"Practitioner/pr1"}],"effectiveDateTime":"2020-01-15T10:00:00+01:00"}`,
	// 2020-02-01T00:00Z to 2020-02-03T00:00Z
	`{"resourceType":"Observation","id":"o2","meta":{"profile":["http://hl7.org/fhir/StructureDefinition/bodyweight"]},"status":"amended","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
	  "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/p1"},
	  "effectivePeriod":{"start":"2020-02-01T00:00:00Z","end":"2020-02-03T00:00:00Z"}}`,
	`{"resourceType":"Observation","id":"o3","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
	  "code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"subject":{"reference":"Patient/p2"},"effectiveDateTime":"2021-06-01"}`,
	// 2020-01-01T04:30Z, written the evening before in New York
	`{"resourceType":"Observation","id":"o4","status":"preliminary","code":{"coding":[{"system":"http://other.org","code":"4548-4"}]},
	  "subject":{"reference":"Patient/p3"},"effectiveDateTime":"2019-12-31T23:30:00-05:00"}`,
	`{"resourceType":"Observation","id":"o5","status":"final","code":{"coding":[{"code":"4548-4"}]},"subject":{"reference":"Group/g1"}}`,
	`{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
	  "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},"subject":{"reference":"Patient/p1"},"onsetDateTime":"1998"}`,
	`{"resourceType":"Condition","id":"c2","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]},
	  "code":{"text":"otitis"},"subject":{"reference":"Patient/p2"},"onsetPeriod":{"start":"2019-01","end":"2019-03"}}`,
	`{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","subject":{"reference":"Patient/p1"},
	  "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"860975"}]},
	  "authoredOn":"2020-01-15","requester":{"reference":"Practitioner/pr1"}}`,
	`{"resourceType":"MedicationRequest","id":"m2","status":"stopped","intent":"plan","subject":{"reference":"Patient/p2"},
	  "medicationCodeableConcept":{"text":"amoxicillin"},"authoredOn":"2021-05-20T08:00:00Z"}`,
}

// newFixtureServer starts a server holding the fixture.
func newFixtureServer(t testing.TB) *testServer {
	t.Helper()
	s := newServer(t)
	for _, r := range fixture {
		s.put(r)
	}
	return s
}
