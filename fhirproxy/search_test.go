package fhirproxy_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// searchCase is a search over the fixture and the ids it must match, in
// any order.
type searchCase struct {
	path string // below the base, query string already encoded
	want []string
}

// runSearches checks each search by GET and by POST _search with a form
// body (FHIR R4 §3.1.1.1: both must give the same result).
func runSearches(t *testing.T, s *testServer, cases []searchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			s := s.with(t)
			b := s.search(tc.path)
			if out := b.outcomes(t); len(out) > 0 {
				t.Errorf("parameters were ignored: %+v", out)
			}
			if diff := cmp.Diff(tc.want, b.ids(), cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("GET (-want +got):\n%s", diff)
			}
			if b.Total != nil && *b.Total != len(tc.want) {
				t.Errorf("total %d, want %d", *b.Total, len(tc.want))
			}
			path, query, _ := strings.Cut(tc.path, "?")
			if strings.Count(path, "/") != 1 {
				return // only type searches take POST _search here
			}
			r := s.do(http.MethodPost, path+"/_search", []byte(query), "Content-Type", "application/x-www-form-urlencoded")
			if r.Status != http.StatusOK {
				t.Fatalf("POST _search: %d %s", r.Status, r.Body)
			}
			if diff := cmp.Diff(tc.want, r.bundle(t).ids(), cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("POST _search (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSearchParams covers the search parameter types over the fixture
// (FHIR R4 search.html): _id and _lastUpdated, reference, token, string
// and date parameters with their forms, modifiers and prefixes, OR by
// comma and AND by repetition.
func TestSearchParams(t *testing.T) {
	t.Parallel()
	s := newFixtureServer(t)
	e := url.QueryEscape
	runSearches(t, s, []searchCase{
		// _id and _lastUpdated
		{"/Patient?_id=p1", []string{"p1"}},
		{"/Patient?_id=p1,p3", []string{"p1", "p3"}},
		{"/Patient?_id=nobody", nil},
		{"/Patient?_id:not=p1", []string{"p2", "p3", "p4"}},
		{"/Patient?_lastUpdated=gt2000-01-01", []string{"p1", "p2", "p3", "p4"}},
		{"/Patient?_lastUpdated=lt2000-01-01", nil},

		// reference: bare id, Type/id, absolute URL, type modifier
		{"/Observation?patient=p1", []string{"o1", "o2"}},
		{"/Observation?patient=Patient/p1", []string{"o1", "o2"}},
		{"/Observation?subject=Patient/p1", []string{"o1", "o2"}},
		{"/Observation?subject=" + e(s.base+"/Patient/p1"), []string{"o1", "o2"}},
		{"/Observation?subject=p1", []string{"o1", "o2"}},
		{"/Observation?subject:Patient=p1", []string{"o1", "o2"}},
		{"/Observation?patient=p1,p2", []string{"o1", "o2", "o3"}},
		{"/Observation?subject=Group/g1", []string{"o5"}},
		{"/Observation?patient=Patient/g1", nil},
		{"/Observation?encounter=e1", []string{"o1"}},
		{"/Observation?performer=Practitioner/pr1", []string{"o1"}},
		{"/MedicationRequest?requester=pr1", []string{"m1"}},
		{"/Encounter?patient=p1", []string{"e1"}},
		{"/Encounter?participant=Practitioner/pr1", []string{"e1"}},
		{"/Condition?patient=p2", []string{"c2"}},
		{"/Condition?subject=Patient/p2", []string{"c2"}},

		// token: code, system|code, |code, system|, :not
		{"/Observation?code=4548-4", []string{"o1", "o3", "o4", "o5"}},
		{"/Observation?code=" + e("http://loinc.org|4548-4"), []string{"o1", "o3"}},
		{"/Observation?code=" + e("|4548-4"), []string{"o5"}},
		{"/Observation?code=" + e("http://loinc.org|"), []string{"o1", "o2", "o3"}},
		{"/Observation?code=" + e("http://loinc.org|4548-4,http://loinc.org|29463-7"), []string{"o1", "o2", "o3"}},
		{"/Observation?code:not=4548-4", []string{"o2"}},
		{"/Observation?category=laboratory", []string{"o1", "o3"}},
		{"/Observation?category=" + e("http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"), []string{"o2"}},
		{"/Observation?status=final", []string{"o1", "o3", "o5"}},
		{"/Observation?status=final,amended", []string{"o1", "o2", "o3", "o5"}},
		{"/Observation?status=FINAL", nil},
		{"/Patient?identifier=" + e("urn:mrn|1001"), []string{"p1"}},
		{"/Patient?identifier=1001", []string{"p1", "p4"}},
		{"/Patient?identifier=" + e("|1003"), []string{"p3"}},
		{"/Patient?identifier=" + e("urn:mrn|"), []string{"p1", "p2"}},
		{"/Patient?identifier=" + e("URN:MRN|1001"), nil},
		{"/Patient?gender=female", []string{"p2", "p3"}},
		{"/Condition?clinical-status=active", []string{"c1"}},
		{"/Condition?clinical-status=" + e("http://terminology.hl7.org/CodeSystem/condition-clinical|resolved"), []string{"c2"}},
		{"/MedicationRequest?intent=order", []string{"m1"}},
		{"/MedicationRequest?status=stopped", []string{"m2"}},
		{"/MedicationRequest?code=" + e("http://www.nlm.nih.gov/research/umls/rxnorm|860975"), []string{"m1"}},
		{"/Encounter?type=" + e("http://snomed.info/sct|185349003"), []string{"e1"}},
		{"/Encounter?status=finished", []string{"e1"}},

		{"/Observation?code:not=" + e("http://loinc.org|4548-4"), []string{"o2", "o4", "o5"}},
		{"/Patient?_tag=" + e("urn:t|vip"), []string{"p2"}},
		{"/Patient?_tag=vip", []string{"p2"}},
		{"/Observation?_profile=" + e("http://hl7.org/fhir/StructureDefinition/bodyweight"), []string{"o2"}},

		// :missing
		{"/Observation?date:missing=true", []string{"o5"}},
		{"/Observation?encounter:missing=false", []string{"o1"}},
		{"/Patient?birthdate:missing=true", nil},
		{"/Patient?general-practitioner:missing=true", []string{"p2", "p3", "p4"}},
		{"/Observation?category:missing=true&status=final", []string{"o5"}},

		// reference to another server
		{"/Observation?subject=" + e("http://elsewhere.example/fhir/Patient/p1"), nil},

		// string: starts-with, case and accents folded, :exact, :contains
		{"/Patient?name=nunez", []string{"p1", "p3"}},
		{"/Patient?family=" + e("ÑÚÑEZ"), []string{"p1", "p3"}},
		{"/Patient?family:exact=Nunez", []string{"p3"}},
		{"/Patient?family:exact=" + e("Ñúñez"), []string{"p1"}},
		{"/Patient?family:exact=nunez", nil},
		{"/Patient?given=jo", []string{"p1", "p4"}},
		{"/Patient?given=" + e("josé"), []string{"p1"}},
		{"/Patient?given=ose", nil},
		{"/Patient?given:contains=ose", []string{"p1"}},
		{"/Patient?name=grace", []string{"p2"}},
		{"/Patient?name:contains=onn", []string{"p2"}},
		{"/Patient?family=" + e("o'c"), []string{"p2"}},
		{"/Patient?address=boston", []string{"p1", "p3"}},
		{"/Patient?address=1%20main", []string{"p1"}},
		{"/Patient?address=main", nil},
		{"/Patient?address-city=cambridge", []string{"p2"}},
		{"/Patient?name=zz", nil},
		{"/Practitioner?name=morgan", []string{"pr1"}},

		// escaped commas are not OR
		{"/Patient?family=" + e(`smith\,o'connor`), nil},
		{"/Patient?family=smith%2Cnobody", []string{"p4"}},

		// AND by repetition, OR by comma
		{"/Patient?name=nunez&gender=female", []string{"p3"}},
		{"/Patient?given=jo&given=johnny", []string{"p4"}},
		{"/Patient?name=" + e("smith,o'connor"), []string{"p2", "p4"}},
		{"/Patient?birthdate=ge1971&birthdate=lt1972", []string{"p1", "p3", "p4"}},
		{"/Observation?code=4548-4&status=final&patient=p1", []string{"o1"}},

		// date: partial dates are ranges; prefixes compare ranges
		{"/Patient?birthdate=1971", []string{"p1", "p3", "p4"}},
		{"/Patient?birthdate=1971-03", []string{"p1", "p4"}},
		{"/Patient?birthdate=1971-03-14", []string{"p1"}},
		{"/Patient?birthdate=eq1971-03-14", []string{"p1"}},
		{"/Patient?birthdate=ge1971-03-14", []string{"p1", "p2", "p3", "p4"}},
		{"/Patient?birthdate=gt1971-12-31", []string{"p2"}},
		{"/Patient?birthdate=lt1971-03-14", []string{"p3", "p4"}},
		{"/Patient?birthdate=le1971-03-14", []string{"p1", "p3", "p4"}},
		{"/Patient?birthdate=sa1971", []string{"p2"}},
		{"/Patient?birthdate=eb2000", []string{"p1", "p3", "p4"}},
		{"/Patient?birthdate=ne1971", []string{"p2"}},
		{"/Patient?birthdate=1971-03-14,2018", []string{"p1", "p2"}},

		// date: time zones (o1 is 09:00Z written at +01:00; o4 is New Year's
		// Day in UTC, written on New Year's Eve at -05:00)
		{"/Observation?date=2020-01-15", []string{"o1"}},
		{"/Observation?date=" + e("2020-01-15T10:00:00+01:00"), []string{"o1"}},
		{"/Observation?date=2020-01-15T10:00:00%2B01:00", []string{"o1"}},
		{"/Observation?date=2020-01-15T10:00:00+01:00", []string{"o1"}}, // a raw '+' decodes to a space
		{"/Observation?date=2020-01-15T09:00:00Z", []string{"o1"}},
		{"/Observation?date=2020-01-15T04:00:00-05:00", []string{"o1"}},
		{"/Observation?date=2020-01-15T10:00:00Z", nil},
		{"/Observation?date=2020-01-15T09:00Z", []string{"o1"}},
		{"/Observation?date=2020-01-01", []string{"o4"}},
		{"/Observation?date=2019", nil},
		{"/Observation?date=2020", []string{"o1", "o2", "o4"}},
		// date: Period fields
		{"/Observation?date=2020-02", []string{"o2"}},
		{"/Observation?date=2020-02-02", nil},
		{"/Observation?date=ge2020-02-02", []string{"o2", "o3"}},
		{"/Observation?date=ge2020-02-01&date=le2020-02-03", []string{"o2"}},
		{"/Observation?date=sa2020-01-31", []string{"o2", "o3"}},
		{"/Observation?date=eb2020-02-01", []string{"o1", "o4"}},
		{"/Encounter?date=2020-01-15", []string{"e1"}},
		{"/Encounter?date=2020-01-15T09:30:00Z", nil},
		{"/Encounter?date=ge2020-01-15T09:30:00Z", []string{"e1"}},
		{"/Encounter?date=lt2020-01-15T09:30:00Z", []string{"e1"}},
		{"/Encounter?date=gt2020-01-15T10:30:00Z", nil},
		{"/Condition?onset-date=1998", []string{"c1"}},
		{"/Condition?onset-date=2019", []string{"c2"}},
		{"/Condition?onset-date=2019-02", nil},
		{"/Condition?onset-date=lt2000", []string{"c1"}},
		{"/MedicationRequest?authoredon=2021-05-20", []string{"m2"}},
		{"/MedicationRequest?authoredon=ge2021", []string{"m2"}},
		{"/MedicationRequest?authoredon=2020-01-15", []string{"m1"}},
	})
}

// TestSearchLastUpdated checks _lastUpdated against the meta.lastUpdated
// the server wrote, to the millisecond.
func TestSearchLastUpdated(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.put(`{"resourceType":"Patient","id":"first"}`)
	time.Sleep(3 * time.Millisecond)
	lu := s.put(`{"resourceType":"Patient","id":"second"}`).Meta.LastUpdated
	time.Sleep(3 * time.Millisecond)
	s.put(`{"resourceType":"Patient","id":"third"}`)
	e := url.QueryEscape
	runSearches(t, s, []searchCase{
		{"/Patient?_lastUpdated=" + e(lu), []string{"second"}},
		{"/Patient?_lastUpdated=gt" + e(lu), []string{"third"}},
		{"/Patient?_lastUpdated=ge" + e(lu), []string{"second", "third"}},
		{"/Patient?_lastUpdated=lt" + e(lu), []string{"first"}},
		{"/Patient?_lastUpdated=" + lu[:10], []string{"first", "second", "third"}},
	})
	b := s.search("/Patient?_sort=-_lastUpdated")
	if diff := cmp.Diff([]string{"third", "second", "first"}, b.ids()); diff != "" {
		t.Errorf("_sort=-_lastUpdated (-want +got):\n%s", diff)
	}
}

// TestSearchChainsAndCompartments covers forward chaining one level,
// _has one level, compartment searches, and system searches with _type.
func TestSearchChainsAndCompartments(t *testing.T) {
	t.Parallel()
	s := newFixtureServer(t)
	e := url.QueryEscape
	runSearches(t, s, []searchCase{
		{"/Observation?subject:Patient.name=nunez", []string{"o1", "o2", "o4"}},
		{"/Observation?patient.birthdate=1971-03-14", []string{"o1", "o2"}},
		{"/Observation?patient.gender=female&code=" + e("http://loinc.org|4548-4"), []string{"o3"}},
		{"/Observation?patient.name=nobody", nil},
		{"/Encounter?practitioner.identifier=" + e("http://hl7.org/fhir/sid/us-npi|9999000174"), []string{"e1"}},
		{"/MedicationRequest?requester:Practitioner.name=morgan", []string{"m1"}},
		{"/Observation?subject:Patient.general-practitioner=" + e(s.base+"/Practitioner/pr1"), []string{"o1", "o2"}},
		{"/Observation?subject:Patient.general-practitioner=Practitioner/pr1", []string{"o1", "o2"}},
		{"/Patient?_has:Observation:patient:performer=" + e(s.base+"/Practitioner/pr1"), []string{"p1"}},
		{"/Patient?_has:Observation:patient:code=4548-4", []string{"p1", "p2", "p3"}},
		{"/Patient?_has:Observation:subject:status=amended", []string{"p1"}},
		{"/Patient?_has:Condition:patient:clinical-status=resolved", []string{"p2"}},
		{"/Patient?_has:Observation:patient:code=nothing", nil},
		{"/Practitioner?_has:Encounter:practitioner:patient=p1", []string{"pr1"}},
		{"/Patient?_has:Observation:patient:code=4548-4&gender=female", []string{"p2", "p3"}},

		{"/Patient/p1/Observation", []string{"o1", "o2"}},
		{"/Patient/p1/Observation?code=4548-4", []string{"o1"}},
		{"/Patient/p1/Observation?_id=o3", nil},
		{"/Patient/p1/Condition", []string{"c1"}},
		{"/Patient/p1/Encounter", []string{"e1"}},
		{"/Patient/p1/MedicationRequest", []string{"m1"}},
		{"/Patient/p1/Patient", []string{"p1"}},
		{"/Patient/p2/Observation", []string{"o3"}},
		{"/Patient/nobody/Observation", nil},
	})

	for _, tc := range []struct {
		path string
		want []string
	}{
		{"?_type=Patient,Observation&_id=p1,o1,c1", []string{"Observation/o1", "Patient/p1"}},
		{"?_id=p1,o1,c1", []string{"Condition/c1", "Observation/o1", "Patient/p1"}},
		{"?_type=MedicationRequest", []string{"MedicationRequest/m1", "MedicationRequest/m2"}},
		{"/?_type=Encounter", []string{"Encounter/e1"}},
		{"?_type=Condition&_lastUpdated=gt2000", []string{"Condition/c1", "Condition/c2"}},
	} {
		b := s.search(tc.path)
		if diff := cmp.Diff(tc.want, sorted(b.refs("match"))); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", tc.path, diff)
		}
	}
	// POST /_search is the system search with a form body.
	r := s.do(http.MethodPost, "/_search", []byte("_type=Patient&_id=p2"), "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != http.StatusOK || !cmp.Equal(r.bundle(t).refs("match"), []string{"Patient/p2"}) {
		t.Errorf("POST /_search: %d %s", r.Status, r.Body)
	}
}

// TestSearchResultParams covers _summary=count, _total, _count=0 and
// _elements.
func TestSearchResultParams(t *testing.T) {
	t.Parallel()
	s := newFixtureServer(t)
	for _, tc := range []struct {
		path    string
		total   int
		entries int
	}{
		{"/Patient?_summary=count", 4, 0},
		{"/Observation?code=4548-4&_summary=count", 4, 0},
		{"/Patient?_count=0", 4, 0},
		{"/Patient?_total=accurate&_count=1", 4, 1},
		{"/Observation?_total=accurate&_count=2&status=final", 3, 2},
	} {
		b := s.search(tc.path)
		if b.Total == nil || *b.Total != tc.total || len(b.Entry) != tc.entries {
			t.Errorf("%s: total %v, %d entries; want %d, %d", tc.path, b.Total, len(b.Entry), tc.total, tc.entries)
		}
		if tc.entries == 0 && b.link("next") != "" {
			t.Errorf("%s: a count-only search has a next link", tc.path)
		}
	}
	if b := s.search("/Patient?_total=none"); b.Total != nil {
		t.Errorf("_total=none sent total %d", *b.Total)
	}

	b := s.search("/Patient?_id=p1&_elements=gender,birthDate")
	if len(b.Entry) != 1 {
		t.Fatalf("_elements: %d entries", len(b.Entry))
	}
	var got map[string]any
	if err := jsonUnmarshal(b.Entry[0].Resource, &got); err != nil {
		t.Fatal(err)
	}
	keys := sorted(mapKeys(got))
	if diff := cmp.Diff([]string{"birthDate", "gender", "id", "meta", "resourceType"}, keys); diff != "" {
		t.Errorf("_elements kept (-want +got):\n%s", diff)
	}
	var h resourceHead
	jsonUnmarshal(b.Entry[0].Resource, &h)
	if len(h.Meta.Tag) != 1 || h.Meta.Tag[0].Code != "SUBSETTED" || h.Meta.Tag[0].System != "http://terminology.hl7.org/CodeSystem/v3-ObservationValue" {
		t.Errorf("_elements result not tagged SUBSETTED: %+v", h.Meta.Tag)
	}
	// Without _elements, nothing is tagged.
	if r := s.get("/Patient/p1"); strings.Contains(string(r.Body), "SUBSETTED") {
		t.Error("a read is tagged SUBSETTED")
	}
}

// TestSearchUnsupported checks that an unsupported parameter or modifier
// is never silently dropped: Prefer: handling=strict refuses it with 400;
// otherwise it is ignored and reported in an OperationOutcome entry with
// search.mode outcome. Malformed values are 400 either way.
func TestSearchUnsupported(t *testing.T) {
	t.Parallel()
	s := newFixtureServer(t)
	all := []string{"p1", "p2", "p3", "p4"}
	for _, tc := range []struct {
		query string
		param string // the parameter the outcome names
		want  []string
	}{
		{"foo=bar", "foo", all},
		{"name:text=nunez", "name:text", all},
		{"name:text=nunez&gender=female", "name:text", []string{"p2", "p3"}},
		{"birthdate=ap1971", "birthdate", all},
		{"_summary=true", "_summary", all},
		{"_type=Patient", "_type", all},
		{"gender:missing=false&general-practitioner:Practitioner.name.family=x", "general-practitioner:Practitioner.name.family", all},
		{"_sort=name", "_sort", all},
		{"_include=Observation:subject", "_include", all},
		{"_has:Observation:patient:_has:Encounter:patient:status=finished", "_has:Observation:patient:_has:Encounter:patient:status", all},
	} {
		t.Run(tc.query, func(t *testing.T) {
			s := s.with(t)
			b := s.search("/Patient?" + tc.query)
			if diff := cmp.Diff(tc.want, sorted(b.ids())); diff != "" {
				t.Errorf("lenient (-want +got):\n%s", diff)
			}
			out := b.outcomes(t)
			if len(out) != 1 || len(out[0].Issue) == 0 {
				t.Fatalf("no outcome entry: %+v", b.Entry)
			}
			is := out[0].Issue[0]
			if is.Severity != "warning" || len(is.Expression) != 1 || is.Expression[0] != tc.param {
				t.Errorf("outcome issue %+v, want a warning on %q", is, tc.param)
			}
			if b.Entry[len(b.Entry)-1].FullURL != "" && strings.Contains(b.Entry[len(b.Entry)-1].FullURL, "OperationOutcome/") {
				t.Errorf("the outcome entry claims to be stored: %s", b.Entry[len(b.Entry)-1].FullURL)
			}
			wantError(t, s.get("/Patient?"+tc.query, "Prefer", "handling=strict"), http.StatusBadRequest, "", tc.param)
		})
	}
	// A system search takes the common parameters only; others are
	// reported, or refused under strict handling.
	b := s.search("?_type=Patient&gender=male")
	if out := b.outcomes(t); len(out) != 1 || !cmp.Equal(out[0].Issue[0].Expression, []string{"gender"}) || len(b.ids()) != 4 {
		t.Errorf("system search with gender: %d matches, outcomes %+v", len(b.ids()), out)
	}
	wantError(t, s.get("?_type=Patient&gender=male", "Prefer", "handling=strict"), http.StatusBadRequest, "", "gender")
	// Known parameters under strict handling are fine.
	if r := s.get("/Patient?gender=male", "Prefer", "handling=strict"); r.Status != http.StatusOK {
		t.Errorf("strict search with known parameters: %d %s", r.Status, r.Body)
	}
	// Empty parameters are ignored, even under strict handling.
	if r := s.get("/Patient?gender=", "Prefer", "handling=strict"); r.Status != http.StatusOK || len(r.bundle(t).ids()) != 4 {
		t.Errorf("empty parameter: %d %s", r.Status, r.Body)
	}
	// Malformed values are errors whatever the handling.
	for _, query := range []string{
		"birthdate=1971-13", "birthdate=zz1971", "_count=x", "_count=-2", "identifier=a|b|c", "general-practitioner=Patient/",
		"_total=maybe", "_summary=maybe", "gender:missing=perhaps", "_elements=a.b",
	} {
		name, _, _ := strings.Cut(query, "=")
		wantError(t, s.get("/Patient?"+query), http.StatusBadRequest, "invalid", name)
	}
	wantError(t, s.get("/Observation?subject.name=x"), http.StatusBadRequest, "invalid", "subject.name")
	wantError(t, s.get("?_type=Patient,NoSuchType"), http.StatusBadRequest, "", "_type")
	wantError(t, s.get("/Patient?_cursor=garbage"), http.StatusBadRequest, "invalid", "_cursor")
}
