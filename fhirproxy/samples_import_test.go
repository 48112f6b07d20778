package fhirproxy_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/server"
)

// smallCounts is the "small" column of the counts table in
// ../shared/fhir-samples/README.md.
var smallCounts = map[string]int{
	"AllergyIntolerance": 23, "CarePlan": 40, "CareTeam": 40, "Claim": 776, "Condition": 98,
	"DiagnosticReport": 471, "DocumentReference": 303, "Encounter": 303, "ExplanationOfBenefit": 303,
	"ImagingStudy": 2, "Immunization": 111, "Location": 194, "Medication": 8, "MedicationAdministration": 8,
	"MedicationRequest": 473, "Observation": 2195, "Organization": 194, "Patient": 9, "Practitioner": 195,
	"PractitionerRole": 195, "Procedure": 134, "Provenance": 9, "SupplyDelivery": 109,
}

// TestEmbeddedSamples starts a server that loads smartd's own sample
// patients (testdata/bundles) into its empty store, and checks the counts
// in testdata/bundles/README.md and that the conditional references of
// two of them were resolved.
func TestEmbeddedSamples(t *testing.T) {
	t.Parallel()
	s := newServer(t, withSamples)
	want := map[string]int{
		"AllergyIntolerance": 7, "Condition": 19, "DocumentReference": 15, "Encounter": 42, "Immunization": 31,
		"MedicationRequest": 20, "Observation": 211, "Organization": 1, "Patient": 6, "Practitioner": 2, "ServiceRequest": 5,
	}
	if diff := cmp.Diff(want, s.counts()); diff != "" {
		t.Errorf("counts (-README +store):\n%s", diff)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/Patient?name=jose", []string{"smart-patient-1"}},
		{"/Patient?family=" + url.QueryEscape("o'connor"), []string{"smart-patient-2"}},
		{"/Patient?general-practitioner=smart-practitioner-2", []string{"smart-patient-2", "smart-patient-6"}},
		{"/Patient?_has:Encounter:patient:practitioner=smart-practitioner-1&_has:Encounter:patient:service-provider=smart-organization-1&gender=male", []string{"smart-patient-1", "smart-patient-4"}},
	} {
		if diff := cmp.Diff(tc.want, sorted(s.search(tc.path).ids())); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.path, diff)
		}
	}
	// José's and Kai's bundles name the practitioner only by conditional
	// references: none is left unresolved.
	for _, p := range []string{"smart-patient-1", "smart-patient-6"} {
		if b := s.search("/Encounter?patient=" + p + "&practitioner:missing=true&_summary=count"); *b.Total != 0 {
			t.Errorf("%s: %d encounters without a resolved practitioner", p, *b.Total)
		}
	}
	// A second start on the same data directory loads nothing again.
	if err := s.srv.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := server.New(server.Config{DataDir: s.dir, BaseURL: s.root})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got, err := again.Store().Counts(); err != nil || !cmp.Equal(want, got) {
		t.Errorf("after a restart: %v %v", got, err)
	}
}

// TestSamplesSmall imports ../shared/fhir-samples/small through the HTTP
// API (master-data batches first, then the patient transactions, whose
// conditional references must all resolve), checks the counts by type
// against the README's table, and runs realistic searches on it.
func TestSamplesSmall(t *testing.T) {
	t.Parallel()
	dir := samplesDir(t, "small")
	s := newServer(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != 11 {
		t.Fatalf("%d files in %s (%v)", len(files), dir, err)
	}
	// Glob sorts, and the master data's "0-" prefix sorts first.
	for _, f := range files {
		body := readBundleFile(t, f)
		b := s.submit(body, "Prefer", "return=minimal")
		want := "transaction-response"
		if strings.HasPrefix(filepath.Base(f), "0-") {
			want = "batch-response"
		}
		if b.Type != want {
			t.Errorf("%s: %s, want %s", filepath.Base(f), b.Type, want)
		}
		for i, e := range b.Entry {
			if !strings.HasPrefix(e.Response.Status, "201") {
				t.Fatalf("%s entry %d: %s %s", filepath.Base(f), i, e.Response.Status, e.Response.Outcome)
			}
		}
	}
	if diff := cmp.Diff(smallCounts, s.counts()); diff != "" {
		t.Errorf("counts by type (-README +store):\n%s", diff)
	}
	for typ, n := range smallCounts {
		b := s.search("/" + typ + "?_summary=count")
		if b.Total == nil || *b.Total != n {
			t.Errorf("%s?_summary=count: %v, want %d", typ, b.Total, n)
		}
	}

	// Loading the master data again creates nothing new but the 195
	// PractitionerRoles, which have no ifNoneExist (README quirk 3).
	s.submit(readBundleFile(t, files[0]), "Prefer", "return=minimal")
	s.submit(readBundleFile(t, files[1]), "Prefer", "return=minimal")
	c := s.counts()
	if c["Organization"] != 194 || c["Location"] != 194 || c["Practitioner"] != 195 || c["PractitionerRole"] != 390 {
		t.Errorf("after reloading the master data: %v", c)
	}

	e := url.QueryEscape
	patient := func(file string) string { // the server id of a Synthea patient
		t.Helper()
		ids := s.search("/Patient?identifier=" + e("https://github.com/synthetichealth/synthea|"+file)).ids()
		if len(ids) != 1 {
			t.Fatalf("patient %s: %v", file, ids)
		}
		return ids[0]
	}
	baby := patient("8a4c9c04-1524-9f1c-d65b-9b17e4520fef")
	leon := patient("ab5537a3-8608-5f56-53f5-d10b00eb4680")
	for _, tc := range []struct {
		path  string
		total int
	}{
		// The README's per-patient table.
		{"/Encounter?patient=" + baby, 3},
		{"/Observation?patient=" + baby, 38},
		{"/Immunization?patient=" + baby, 7},
		{"/Encounter?patient=" + leon, 16},
		{"/Observation?subject=Patient/" + leon, 159},
		{"/Condition?patient=" + leon, 11},
		{"/MedicationRequest?patient=" + leon, 3},
		{"/Patient/" + leon + "/Immunization", 10},
		{"/Patient/" + leon + "/AllergyIntolerance", 0},
		{"/Patient/" + baby + "/AllergyIntolerance", 0},
		// Names: accents folded, Synthea's digits, apostrophes.
		{"/Patient?family=leon", 1},
		{"/Patient?family=" + e("León820"), 1},
		{"/Patient?family:exact=" + e("León820"), 1},
		{"/Patient?family:exact=Leon820", 0},
		{"/Patient?family=" + e("o'hara"), 1},
		{"/Patient?given:contains=riko", 1},
		{"/Patient?gender=female", 5},
		{"/Patient?birthdate=ge2000", 3},
		{"/Patient?birthdate=lt1950&gender=male", 1},
		{"/Patient?deceased=true", 1},
		{"/Patient?address-city=medford", 1},
		{"/Practitioner?identifier=" + e("http://hl7.org/fhir/sid/us-npi|"), 195},
		{"/Organization?identifier=" + e("https://github.com/synthetichealth/synthea|"), 194},
		// Conditional references were resolved to the master data.
		{"/Encounter?patient=" + baby + "&service-provider:missing=false&practitioner:missing=false", 3},
		{"/Encounter?practitioner:missing=true", 0},
		{"/Encounter?service-provider.identifier=" + e("https://github.com/synthetichealth/synthea|"), 303},
		// Chains, _has, dates with their +01:00 offsets (counted from the
		// files in UTC).
		{"/Observation?patient.family=leon&code=" + e("http://loinc.org|8302-2"), 7},
		{"/Patient?_has:Condition:patient:code=" + e("http://snomed.info/sct|444814009"), 5},
		{"/Encounter?date=2021-07", 2},
	} {
		b := s.search(tc.path + sep(tc.path) + "_summary=count")
		if b.Total == nil || *b.Total != tc.total {
			t.Errorf("%s: total %v, want %d", tc.path, b.Total, tc.total)
		}
	}

	// The latest body height of the oldest patient, newest first.
	b := s.search("/Observation?patient=" + leon + "&code=" + e("http://loinc.org|8302-2") + "&_sort=-date&_count=2&_total=accurate")
	if len(b.Entry) != 2 || b.link("next") == "" {
		t.Fatalf("heights: %d entries, next %q", len(b.Entry), b.link("next"))
	}
	var first, second struct {
		EffectiveDateTime string `json:"effectiveDateTime"`
	}
	json.Unmarshal(b.Entry[0].Resource, &first)
	json.Unmarshal(b.Entry[1].Resource, &second)
	if first.EffectiveDateTime == "" || first.EffectiveDateTime < second.EffectiveDateTime {
		t.Errorf("_sort=-date: %s before %s", first.EffectiveDateTime, second.EffectiveDateTime)
	}

	// $everything of the smallest patient holds its whole bundle and the
	// practitioners, organizations and locations it refers to.
	r := s.get("/Patient/" + baby + "/$everything")
	if r.Status != http.StatusOK {
		t.Fatalf("$everything: %d", r.Status)
	}
	byType := map[string]int{}
	for _, ref := range r.bundle(t).refs("") {
		byType[ref[:strings.IndexByte(ref, '/')]]++
	}
	var src struct {
		Entry []struct {
			Resource struct {
				ResourceType string `json:"resourceType"`
			} `json:"resource"`
		} `json:"entry"`
	}
	json.Unmarshal(readBundleFile(t, filepath.Join(dir, "8a4c9c04-1524-9f1c-d65b-9b17e4520fef.json")), &src)
	fromFile := map[string]int{}
	for _, e := range src.Entry {
		fromFile[e.Resource.ResourceType]++
	}
	for typ, n := range fromFile {
		if byType[typ] != n {
			t.Errorf("$everything has %d %s, the bundle %d", byType[typ], typ, n)
		}
	}
	for _, typ := range []string{"Practitioner", "Organization", "Location"} {
		if byType[typ] == 0 {
			t.Errorf("$everything has no %s", typ)
		}
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// TestSamplesStress posts ../shared/fhir-samples/stress, one 25,000-entry
// transaction, through the HTTP API: first without the resources its
// conditional references name, which must fail it whole and leave the
// store file as it was, then after ../testdata/fixtures/stress-targets.json.
func TestSamplesStress(t *testing.T) {
	if testing.Short() {
		t.Skip("a 44 MB transaction (-short)")
	}
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(samplesDir(t, "stress"), "*.json.gz"))
	if len(files) != 1 {
		t.Fatalf("stress files: %v", files)
	}
	body := readBundleFile(t, files[0])
	s := newServer(t)
	before := s.fileBytes()
	r := s.do(http.MethodPost, "", body, "Prefer", "return=minimal")
	o := wantError(t, r, http.StatusBadRequest, "not-found", "9 reference(s) resolve to no resource")
	if !strings.Contains(o.Issue[0].Diagnostics, "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|") {
		t.Errorf("the refusal does not name the references: %s", o.Issue[0].Diagnostics)
	}
	if !bytes.Equal(before, s.fileBytes()) {
		t.Error("the failed transaction changed the store file")
	}
	s.submit(readBundleFile(t, filepath.Join("..", "testdata", "fixtures", "stress-targets.json")))
	b := s.submit(body, "Prefer", "return=minimal")
	if len(b.Entry) != 25000 {
		t.Fatalf("%d response entries", len(b.Entry))
	}
	want := map[string]int{
		"CarePlan": 7, "CareTeam": 7, "Claim": 4491, "Condition": 17, "DiagnosticReport": 2421, "DocumentReference": 1999,
		"Encounter": 1999, "ExplanationOfBenefit": 1999, "ImagingStudy": 2, "Immunization": 3, "MedicationRequest": 2492,
		"Observation": 8344, "Patient": 1, "Procedure": 1217, "Provenance": 1,
		"Practitioner": 3, "Organization": 3, "Location": 3, // stress-targets.json
	}
	if diff := cmp.Diff(want, s.counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if b := s.search("/Encounter?practitioner:missing=true&_summary=count"); b.Total == nil || *b.Total != 0 {
		t.Errorf("encounters with unresolved practitioners: %v", b.Total)
	}
}
