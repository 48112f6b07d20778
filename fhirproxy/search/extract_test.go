package search

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The testdata/synthea-*.json fixtures come from the Synthea sample
// /work/shared/fhir-samples/small/ab5537a3-....json (Apache-2.0), with
// their urn:uuid references rewritten to "Type/id" as the store does.

func tokenV(param, system, code string) IndexValue {
	return IndexValue{Param: param, Type: Token, System: system, Code: code}
}

func refV(param, ref string) IndexValue {
	return IndexValue{Param: param, Type: Reference, Ref: ref}
}

func strV(param, text, norm string) IndexValue {
	return IndexValue{Param: param, Type: String, Text: text, Norm: norm}
}

func dateV(param string, lo, hi int64) IndexValue {
	return IndexValue{Param: param, Type: Date, Lo: lo, Hi: hi}
}

func TestExtractSyntheaObservation(t *testing.T) {
	doc := readFixture(t, "synthea-observation-bp.json")
	const loinc = "http://loinc.org"
	effective := "2011-12-25T16:15:25+01:00"
	want := []IndexValue{
		tokenV("_id", "", "bafa1a84-0fcc-3452-fee6-396a6e870199"),
		tokenV("_profile", "", "http://hl7.org/fhir/StructureDefinition/bp"),
		tokenV("_profile", "", "http://hl7.org/fhir/StructureDefinition/vitalsigns"),
		refV("patient", "Patient/ab5537a3-8608-5f56-53f5-d10b00eb4680"),
		refV("subject", "Patient/ab5537a3-8608-5f56-53f5-d10b00eb4680"),
		refV("encounter", "Encounter/71c6d267-bd5f-9cfd-7cea-9c89610d58e4"),
		tokenV("code", loinc, "85354-9"),
		tokenV("category", "http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs"),
		tokenV("status", "", "final"),
		dateV("date", ms(t, effective), msEnd(t, effective)),
		tokenV("component-code", loinc, "8462-4"),
		tokenV("component-code", loinc, "8480-6"),
		tokenV("combo-code", loinc, "85354-9"),
		tokenV("combo-code", loinc, "8462-4"),
		tokenV("combo-code", loinc, "8480-6"),
	}
	got := Extract("Observation", doc, "http://127.0.0.1:8080/fhir")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Extract(Observation) mismatch (-want +got):\n%s", diff)
	}
}

func TestExtractSyntheaPatient(t *testing.T) {
	doc := readFixture(t, "synthea-patient.json")
	got := Extract("Patient", doc, "")
	want := []IndexValue{
		tokenV("_id", "", "ab5537a3-8608-5f56-53f5-d10b00eb4680"),
		tokenV("_profile", "", "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"),
		strV("name", "León820", "leon820"),
		strV("name", "Lucas404", "lucas404"),
		strV("name", "Mr.", "mr."),
		strV("family", "León820", "leon820"),
		strV("given", "Lucas404", "lucas404"),
		strV("address", "599 Murazik Fork Unit 97", "599 murazik fork unit 97"),
		strV("address", "Medford", "medford"),
		strV("address", "MA", "ma"),
		strV("address", "US", "us"),
		strV("address-city", "Medford", "medford"),
		strV("address-country", "US", "us"),
		strV("address-state", "MA", "ma"),
		tokenV("telecom", "", "555-642-7698"),
		tokenV("phone", "", "555-642-7698"),
		tokenV("identifier", "https://github.com/synthetichealth/synthea", "ab5537a3-8608-5f56-53f5-d10b00eb4680"),
		tokenV("identifier", "http://hospital.smarthealthit.org", "ab5537a3-8608-5f56-53f5-d10b00eb4680"),
		tokenV("identifier", "http://hl7.org/fhir/sid/us-ssn", "999-22-2302"),
		tokenV("identifier", "urn:oid:2.16.840.1.113883.4.3.25", "S99965671"),
		tokenV("identifier", "http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber", "X21746655X"),
		dateV("birthdate", utc(1969, 1, 5, 0, 0, 0, 0), utc(1969, 1, 5, 23, 59, 59, 999)),
		tokenV("gender", "", "male"),
		tokenV("deceased", "", "false"),
		tokenV("language", "urn:ietf:bcp:47", "es"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Extract(Patient) mismatch (-want +got):\n%s", diff)
	}
}

func TestExtractInline(t *testing.T) {
	const base = "http://127.0.0.1:8080/fhir"
	tests := []struct {
		name  string
		typ   string
		json  string
		param string // compare only this parameter's values
		want  []IndexValue
	}{
		{"reference under our base is made relative", "Observation",
			`{"subject":{"reference":"http://127.0.0.1:8080/fhir/Patient/p1"}}`, "subject",
			[]IndexValue{refV("subject", "Patient/p1")}},
		{"reference under base with trailing slash given", "Observation",
			`{"subject":{"reference":"http://127.0.0.1:8080/fhir/Patient/p1/_history/3"}}`, "subject",
			[]IndexValue{refV("subject", "Patient/p1")}},
		{"other server's absolute reference kept as written", "Observation",
			`{"subject":{"reference":"https://other.example/fhir/Patient/p1"}}`, "subject",
			[]IndexValue{refV("subject", "https://other.example/fhir/Patient/p1")}},
		{"version suffix stripped", "Observation",
			`{"subject":{"reference":"Patient/p1/_history/2"}}`, "subject",
			[]IndexValue{refV("subject", "Patient/p1")}},
		{"contained, urn, conditional, logical and malformed skipped", "Encounter",
			`{"participant":[{"individual":{"reference":"#pr"}},{"individual":{"reference":"urn:uuid:1234"}},
			  {"individual":{"reference":"Practitioner?identifier=a|b"}},{"individual":{"identifier":{"value":"x"}}},
			  {"individual":{"reference":"practitioner/1"}},{"individual":{"reference":"Practitioner/"}},
			  {"individual":{"reference":"Practitioner/ok-1"}}]}`, "participant",
			[]IndexValue{refV("participant", "Practitioner/ok-1")}},
		{"patient keeps Patient references only", "Observation",
			`{"subject":{"reference":"Group/g1"}}`, "patient", nil},
		{"patient keeps an absolute Patient reference", "Observation",
			`{"subject":{"reference":"https://other.example/fhir/Patient/p9"}}`, "patient",
			[]IndexValue{refV("patient", "https://other.example/fhir/Patient/p9")}},
		{"practitioner restricted within participant", "Encounter",
			`{"participant":[{"individual":{"reference":"PractitionerRole/r1"}},{"individual":{"reference":"Practitioner/d1"}}]}`, "practitioner",
			[]IndexValue{refV("practitioner", "Practitioner/d1")}},
		{"AuditEvent patient from agent and entity", "AuditEvent",
			`{"agent":[{"who":{"reference":"Patient/a"}},{"who":{"reference":"Device/d"}}],"entity":[{"what":{"reference":"Patient/b"}}]}`, "patient",
			[]IndexValue{refV("patient", "Patient/a"), refV("patient", "Patient/b")}},
		{"canonical indexed as written", "QuestionnaireResponse",
			`{"questionnaire":"http://example.org/Questionnaire/phq9"}`, "questionnaire",
			[]IndexValue{refV("questionnaire", "http://example.org/Questionnaire/phq9")}},
		{"medicationReference", "MedicationRequest",
			`{"medicationReference":{"reference":"Medication/m1"}}`, "medication",
			[]IndexValue{refV("medication", "Medication/m1")}},
		{"document context encounter", "DocumentReference",
			`{"context":{"encounter":[{"reference":"Encounter/e1"}]}}`, "encounter",
			[]IndexValue{refV("encounter", "Encounter/e1")}},

		{"partial date is its whole year", "Patient", `{"birthDate":"1970"}`, "birthdate",
			[]IndexValue{dateV("birthdate", utc(1970, 1, 1, 0, 0, 0, 0), utc(1970, 12, 31, 23, 59, 59, 999))}},
		{"malformed date skipped", "Patient", `{"birthDate":"1970-02-30"}`, "birthdate", nil},
		{"period with open end", "Encounter", `{"period":{"start":"2021-03-04"}}`, "date",
			[]IndexValue{dateV("date", utc(2021, 3, 4, 0, 0, 0, 0), math.MaxInt64)}},
		{"period with open start", "Encounter", `{"period":{"end":"2021-03-04"}}`, "date",
			[]IndexValue{dateV("date", math.MinInt64, utc(2021, 3, 4, 23, 59, 59, 999))}},
		{"period ends at its end's precision", "Encounter",
			`{"period":{"start":"2021-03-04T10:00:00+01:00","end":"2021-03-04T11:00:00+01:00"}}`, "date",
			[]IndexValue{dateV("date", utc(2021, 3, 4, 9, 0, 0, 0), utc(2021, 3, 4, 10, 0, 0, 999))}},
		{"reversed period skipped", "Encounter", `{"period":{"start":"2021-03-05","end":"2021-03-04"}}`, "date", nil},
		{"empty period skipped", "Encounter", `{"period":{}}`, "date", nil},
		{"effectivePeriod", "Observation", `{"effectivePeriod":{"start":"2021-01","end":"2021-02"}}`, "date",
			[]IndexValue{dateV("date", utc(2021, 1, 1, 0, 0, 0, 0), utc(2021, 2, 28, 23, 59, 59, 999))}},
		{"effectiveInstant", "Observation", `{"effectiveInstant":"2021-01-02T03:04:05.678Z"}`, "date",
			[]IndexValue{dateV("date", utc(2021, 1, 2, 3, 4, 5, 678), utc(2021, 1, 2, 3, 4, 5, 678))}},
		{"effectiveTiming ignored", "Observation", `{"effectiveTiming":{"event":["2021-01-01"]}}`, "date", nil},
		{"performedString ignored", "Procedure", `{"performedString":"last spring"}`, "date", nil},
		{"_lastUpdated", "Patient", `{"meta":{"lastUpdated":"2024-05-06T07:08:09.010Z"}}`, "_lastUpdated",
			[]IndexValue{dateV("_lastUpdated", utc(2024, 5, 6, 7, 8, 9, 10), utc(2024, 5, 6, 7, 8, 9, 10))}},

		{"accents and case folded, name parts separate", "Patient",
			`{"name":[{"text":"José Ñúñez","family":"Ñúñez","given":["José","Ana"],"suffix":["Jr"]}]}`, "name",
			[]IndexValue{strV("name", "José Ñúñez", "jose nunez"), strV("name", "Ñúñez", "nunez"),
				strV("name", "José", "jose"), strV("name", "Ana", "ana"), strV("name", "Jr", "jr")}},
		{"given only its parts", "Patient", `{"name":[{"family":"Doe","given":["Ann","Bo"]},{"given":["Ann"]}]}`, "given",
			[]IndexValue{strV("given", "Ann", "ann"), strV("given", "Bo", "bo")}},
		{"address parts", "Patient",
			`{"address":[{"line":["1 Main St","Apt 2"],"city":"Springfield","district":"Greene","state":"MO","postalCode":"65801","country":"US"}]}`, "address",
			[]IndexValue{strV("address", "1 Main St", "1 main st"), strV("address", "Apt 2", "apt 2"),
				strV("address", "Springfield", "springfield"), strV("address", "Greene", "greene"),
				strV("address", "MO", "mo"), strV("address", "65801", "65801"), strV("address", "US", "us")}},
		{"organization name and alias", "Organization", `{"name":"Acme","alias":["ACME Corp"]}`, "name",
			[]IndexValue{strV("name", "Acme", "acme"), strV("name", "ACME Corp", "acme corp")}},

		{"boolean token", "Patient", `{"active":true}`, "active", []IndexValue{tokenV("active", "", "true")}},
		{"deceasedBoolean", "Patient", `{"deceasedBoolean":true}`, "deceased", []IndexValue{tokenV("deceased", "", "true")}},
		{"deceasedDateTime", "Patient", `{"deceasedDateTime":"2020-01-01"}`, "deceased", []IndexValue{tokenV("deceased", "", "true")}},
		{"death-date", "Patient", `{"deceasedDateTime":"2020-01-01"}`, "death-date",
			[]IndexValue{dateV("death-date", utc(2020, 1, 1, 0, 0, 0, 0), utc(2020, 1, 1, 23, 59, 59, 999))}},
		{"phone and email filtered by system", "Patient",
			`{"telecom":[{"system":"phone","value":"555"},{"system":"email","value":"a@b.c"}]}`, "email",
			[]IndexValue{tokenV("email", "", "a@b.c")}},
		{"telecom has no system", "Practitioner",
			`{"telecom":[{"system":"phone","value":"555"},{"system":"email","value":"a@b.c"}]}`, "telecom",
			[]IndexValue{tokenV("telecom", "", "555"), tokenV("telecom", "", "a@b.c")}},
		{"identifier without system", "Patient", `{"identifier":[{"value":"x1"},{"system":"s"}]}`, "identifier",
			[]IndexValue{tokenV("identifier", "", "x1")}},
		{"Coding (Encounter.class)", "Encounter", `{"class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}}`, "class",
			[]IndexValue{tokenV("class", "http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB")}},
		{"duplicate codings indexed once", "Observation",
			`{"category":[{"coding":[{"system":"s","code":"c"}]},{"coding":[{"system":"s","code":"c"},{"system":"s","code":"d"},{"display":"no code"}]}]}`, "category",
			[]IndexValue{tokenV("category", "s", "c"), tokenV("category", "s", "d")}},
		{"medicationCodeableConcept", "MedicationRequest",
			`{"medicationCodeableConcept":{"coding":[{"system":"rx","code":"123"}],"text":"pill"}}`, "code",
			[]IndexValue{tokenV("code", "rx", "123")}},
		{"value-concept", "Observation", `{"valueCodeableConcept":{"coding":[{"system":"sct","code":"1"}]}}`, "value-concept",
			[]IndexValue{tokenV("value-concept", "sct", "1")}},
		{"meta tag and security", "Patient",
			`{"meta":{"tag":[{"system":"https://smarthealthit.org/tags","code":"synthea-5-2019"}],"security":[{"system":"v3","code":"R"}]}}`, "_tag",
			[]IndexValue{tokenV("_tag", "https://smarthealthit.org/tags", "synthea-5-2019")}},
		{"_security", "Patient", `{"meta":{"security":[{"system":"v3","code":"R"}]}}`, "_security",
			[]IndexValue{tokenV("_security", "v3", "R")}},
		{"wrong JSON shapes are skipped", "Patient",
			`{"birthDate":19700101,"gender":["male"],"active":"yes","name":"Bob"}`, "gender",
			[]IndexValue{tokenV("gender", "", "male")}},
		{"numbers are not tokens", "Patient", `{"gender":3}`, "gender", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(tt.typ, decode(t, []byte(tt.json)), base)
			var only []IndexValue
			for _, v := range got {
				if v.Param == tt.param {
					only = append(only, v)
				}
			}
			if diff := cmp.Diff(tt.want, only); diff != "" {
				t.Errorf("values of %s (-want +got):\n%s", tt.param, diff)
			}
		})
	}
}

func TestExtractDedupesLongLists(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"target":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteString(",")
		}
		// Every target twice: 50 distinct values.
		b.WriteString(`{"reference":"Observation/o` + string(rune('A'+i%50/26)) + string(rune('a'+i%50%26)) + `"}`)
	}
	b.WriteString(`,{"reference":"Patient/p"},{"reference":"Patient/p"}]}`)
	got := Extract("Provenance", decode(t, []byte(b.String())), "")
	counts := map[string]int{}
	for _, v := range got {
		counts[v.Param]++
		if v.Param == "target" && v.Ref == "" {
			t.Errorf("empty target value %+v", v)
		}
	}
	if counts["target"] != 51 || counts["patient"] != 1 {
		t.Errorf("got %d target and %d patient values, want 51 and 1", counts["target"], counts["patient"])
	}
}

// TestExtractSamples runs Extract over every resource of the Synthea
// samples and checks each value against the registry.
func TestExtractSamples(t *testing.T) {
	dir := samplesDir(t, "small")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("no sample bundles in %s", dir)
	}
	resources := 0
	for _, f := range files {
		for _, r := range bundleResources(t, f) {
			resources++
			typ := r["resourceType"].(string)
			vals := Extract(typ, r, "")
			params := map[string]int{}
			for _, v := range vals {
				params[v.Param]++
				d, ok := Lookup(typ, v.Param)
				if !ok || d.Type != v.Type {
					t.Fatalf("%s/%v: value %+v for an unknown parameter", typ, r["id"], v)
				}
				switch v.Type {
				case Date:
					if v.Lo > v.Hi {
						t.Fatalf("%s/%v: empty range %+v", typ, r["id"], v)
					}
				case Reference:
					if strings.HasPrefix(v.Ref, "urn:") || strings.Contains(v.Ref, "?") || v.Ref == "" {
						t.Fatalf("%s/%v: unresolved reference indexed %+v", typ, r["id"], v)
					}
				case Token:
					if v.Code == "" {
						t.Fatalf("%s/%v: token without code %+v", typ, r["id"], v)
					}
				case String:
					if v.Norm != Normalize(v.Text) {
						t.Fatalf("%s/%v: Norm %q of %q", typ, r["id"], v.Norm, v.Text)
					}
				}
			}
			if params["_id"] != 1 {
				t.Fatalf("%s/%v: %d _id values", typ, r["id"], params["_id"])
			}
			// Every clinical resource of a patient bundle is in that
			// patient's compartment through its resolved references.
			if comp := PatientCompartment(typ); comp != nil && typ != "Patient" {
				inCompartment := slices.ContainsFunc(comp, func(p string) bool {
					return slices.ContainsFunc(vals, func(v IndexValue) bool { return v.Param == p && strings.HasPrefix(v.Ref, "Patient/") })
				})
				if !inCompartment && !strings.HasPrefix(filepath.Base(f), "0-") {
					t.Errorf("%s/%v is in no patient compartment", typ, r["id"])
				}
			}
			switch typ {
			case "Observation", "Encounter", "Condition", "Procedure", "Immunization", "DiagnosticReport":
				if params["patient"] != 1 {
					t.Errorf("%s/%v: %d patient values, want 1", typ, r["id"], params["patient"])
				}
			}
		}
	}
	t.Logf("%d resources from %d files", resources, len(files))
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"peter", "peter"},
		{"Peter O'Hara248", "peter o'hara248"},
		{"León820", "leon820"},
		{"RODRÍQUEZ", "rodriquez"},
		{"Zoë Ångström", "zoe angstrom"},
		{"Straße", "straße"},
		{"Ñúñez", "nunez"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExtractUnknownTypeHasCommonParams(t *testing.T) {
	got := Extract("Binary", decode(t, []byte(`{"id":"b1","contentType":"text/plain"}`)), "")
	want := []IndexValue{tokenV("_id", "", "b1")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
