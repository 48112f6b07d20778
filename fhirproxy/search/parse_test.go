package search

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mustDef is def for table initializers.
func mustDef(typ, name string) Definition {
	d, ok := Lookup(typ, name)
	if !ok {
		panic("no parameter " + typ + "." + name)
	}
	return d
}

func crit(typ, name, mod string, vals ...Value) Criterion {
	return Criterion{Param: mustDef(typ, name), Modifier: mod, Values: vals}
}

func tokenCode(code string) Value { return Value{Code: code} }

func tokenSys(system, code string) Value { return Value{System: system, HasSystem: true, Code: code} }

func refVal(ref string) Value { return Value{Ref: ref} }

func strVal(text string) Value { return Value{Text: text, Norm: Normalize(text)} }

func dateVal(prefix, date string) Value {
	lo, hi, ok := DateRange(date)
	if !ok {
		panic("bad date " + date)
	}
	return Value{Prefix: prefix, Lo: lo, Hi: hi}
}

type parseTest struct {
	name   string
	typ    string
	query  string
	strict bool
	want   *Query
}

var parseTests = []parseTest{
	// Token forms (R4 search.html#token).
	{"token code", "Observation", "code=1234-5", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "code", "", tokenCode("1234-5"))}}},
	{"token system|code", "Observation", "code=http://loinc.org|1234-5", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "code", "", tokenSys("http://loinc.org", "1234-5"))}}},
	{"token |code", "Patient", "gender=|male", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "gender", "", tokenSys("", "male"))}}},
	{"token system|", "Observation", "code=http://loinc.org|", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "code", "", tokenSys("http://loinc.org", ""))}}},
	{"token OR", "Observation", "status=final,amended", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "status", "", tokenCode("final"), tokenCode("amended"))}}},
	{"token AND by repetition", "Observation", "category=vital-signs&category=laboratory", false,
		&Query{Type: "Observation", Criteria: []Criterion{
			crit("Observation", "category", "", tokenCode("vital-signs")),
			crit("Observation", "category", "", tokenCode("laboratory"))}}},
	{"escaped comma and pipe", "Observation", `code=a\,b,c\|d,s\\|e`, false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "code", "", tokenCode("a,b"), tokenCode("c|d"), tokenSys(`s\`, "e"))}}},
	{"empty OR parts skipped", "Observation", "status=,final,", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "status", "", tokenCode("final"))}}},
	{"token :not", "Observation", "status:not=final", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "status", "not", tokenCode("final"))}}},
	{"token :missing", "Observation", "code:missing=true", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "code", "missing", Value{Missing: true})}}},
	{"token :text ignored", "Observation", "code:text=height", false,
		&Query{Type: "Observation", Ignored: []Issue{{"code:text", "modifier :text is not supported on token parameters"}}}},
	{"_id", "Patient", "_id=a1,b2", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "_id", "", tokenCode("a1"), tokenCode("b2"))}}},
	{"_tag on a system search", "", "_tag=https://smarthealthit.org/tags|synthea-5-2019", false,
		&Query{Criteria: []Criterion{crit("", "_tag", "", tokenSys("https://smarthealthit.org/tags", "synthea-5-2019"))}}},
	{"_profile", "Patient", "_profile=http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "_profile", "", tokenCode("http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"))}}},

	// Reference forms (R4 search.html#reference).
	{"reference Type/id", "Observation", "subject=Patient/123", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "subject", "", refVal("Patient/123"))}}},
	{"reference bare id", "Observation", "subject=123", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "subject", "", refVal("123"))}}},
	{"reference absolute URL kept", "Observation", "subject=http://other.example/fhir/Patient/1", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "subject", "", refVal("http://other.example/fhir/Patient/1"))}}},
	{"reference version dropped", "Observation", "subject=Patient/1/_history/2", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "subject", "", refVal("Patient/1"))}}},
	{"reference type modifier", "Observation", "subject:Patient=123,Patient/456", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "subject", "Patient", refVal("Patient/123"), refVal("Patient/456"))}}},
	{"reference :missing", "Observation", "patient:missing=false", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "patient", "missing", Value{Missing: false})}}},
	{"reference :identifier ignored", "Observation", "subject:identifier=s|v", false,
		&Query{Type: "Observation", Ignored: []Issue{{"subject:identifier", "modifier :identifier is not supported on reference parameters"}}}},

	// Chains (R4 search, "Chained parameters").
	{"chain with type", "Observation", "subject:Patient.name=peter", false,
		&Query{Type: "Observation", Criteria: []Criterion{{Param: mustDef("Observation", "subject"),
			Chain: &Chain{Type: "Patient", Criterion: crit("Patient", "name", "", strVal("peter"))}}}}},
	{"chain through a single-target parameter", "Observation", "patient.identifier=sys|v", false,
		&Query{Type: "Observation", Criteria: []Criterion{{Param: mustDef("Observation", "patient"),
			Chain: &Chain{Type: "Patient", Criterion: crit("Patient", "identifier", "", tokenSys("sys", "v"))}}}}},
	{"chain with inner modifier", "Encounter", "service-provider.name:exact=Acme", false,
		&Query{Type: "Encounter", Criteria: []Criterion{{Param: mustDef("Encounter", "service-provider"),
			Chain: &Chain{Type: "Organization", Criterion: crit("Organization", "name", "exact", strVal("Acme"))}}}}},
	{"chain deeper than one level ignored", "Observation", "subject:Patient.organization.name=x", false,
		&Query{Type: "Observation", Ignored: []Issue{{"subject:Patient.organization.name", "chains deeper than one level are not supported"}}}},
	{"chain to unknown inner parameter ignored", "Observation", "patient.shoe-size=9", false,
		&Query{Type: "Observation", Ignored: []Issue{{"patient.shoe-size", `unknown search parameter "shoe-size" for Patient`}}}},

	// _has (R4 search.html#has).
	{"_has", "Patient", "_has:Observation:patient:code=1234-5", false,
		&Query{Type: "Patient", Criteria: []Criterion{{Param: Definition{Name: "_has"},
			Has: &Has{Type: "Observation", RefParam: "patient", Criterion: crit("Observation", "code", "", tokenCode("1234-5"))}}}}},
	{"_has with inner modifier", "Encounter", "_has:Condition:encounter:code:not=x", false,
		&Query{Type: "Encounter", Criteria: []Criterion{{Param: Definition{Name: "_has"},
			Has: &Has{Type: "Condition", RefParam: "encounter", Criterion: crit("Condition", "code", "not", tokenCode("x"))}}}}},
	{"nested _has ignored", "Patient", "_has:Observation:patient:_has:AuditEvent:entity:agent=Practitioner/1", false,
		&Query{Type: "Patient", Ignored: []Issue{{"_has:Observation:patient:_has:AuditEvent:entity:agent", "nested _has is not supported"}}}},
	{"_has unknown inner parameter ignored", "Patient", "_has:Observation:patient:bogus=1", false,
		&Query{Type: "Patient", Ignored: []Issue{{"_has:Observation:patient:bogus", `unknown search parameter "bogus" for Observation`}}}},

	// String (R4 search.html#string).
	{"string default", "Patient", "name=Pét", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "name", "", Value{Text: "Pét", Norm: "pet"})}}},
	{"string :exact", "Patient", "family:exact=O'Hara248", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "family", "exact", Value{Text: "O'Hara248", Norm: "o'hara248"})}}},
	{"string :contains", "Patient", "address:contains=ford", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "address", "contains", strVal("ford"))}}},
	{"string unknown modifier ignored", "Patient", "name:phonetic=x", false,
		&Query{Type: "Patient", Ignored: []Issue{{"name:phonetic", "modifier :phonetic is not supported on string parameters"}}}},

	// Date (R4 search.html#date and "Prefixes").
	{"date no prefix is eq", "Patient", "birthdate=1969", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "birthdate", "", dateVal("eq", "1969"))}}},
	{"date prefixes", "Observation", "date=ge2021-01-01&date=lt2021-03-04T10:00:00Z", false,
		&Query{Type: "Observation", Criteria: []Criterion{
			crit("Observation", "date", "", dateVal("ge", "2021-01-01")),
			crit("Observation", "date", "", dateVal("lt", "2021-03-04T10:00:00Z"))}}},
	{"date OR of all prefixes", "Encounter", "date=eq2020,ne2020-02,gt2020-02-03,lt2020-02-03T04:05,ge2020-02-03T04:05:06Z,le2020-02-03T04:05:06.7+02:00,sa2020,eb2020", false,
		&Query{Type: "Encounter", Criteria: []Criterion{crit("Encounter", "date", "",
			dateVal("eq", "2020"), dateVal("ne", "2020-02"), dateVal("gt", "2020-02-03"), dateVal("lt", "2020-02-03T04:05"),
			dateVal("ge", "2020-02-03T04:05:06Z"), dateVal("le", "2020-02-03T04:05:06.7+02:00"), dateVal("sa", "2020"), dateVal("eb", "2020"))}}},
	{"date with an unencoded + zone", "Observation", "date=ge2021-01-01T00:00:00+01:00", false,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "date", "", dateVal("ge", "2021-01-01T00:00:00+01:00"))}}},
	{"date :missing", "Patient", "death-date:missing=true", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "death-date", "missing", Value{Missing: true})}}},
	{"date ap ignored", "Patient", "birthdate=ap1969", false,
		&Query{Type: "Patient", Ignored: []Issue{{"birthdate", "prefix ap is not supported"}}}},

	// Result parameters (R4 search, "Search result parameters").
	{"_count", "Patient", "_count=10", false, &Query{Type: "Patient", Count: 10}},
	{"_count capped", "Patient", "_count=5000", false, &Query{Type: "Patient", Count: MaxCount}},
	{"_count=0 is a count-only summary", "Patient", "_count=0&_summary=false", false, &Query{Type: "Patient", Summary: "count"}},
	{"_sort", "Observation", "_sort=-date,_id,_lastUpdated", false,
		&Query{Type: "Observation", Sort: []SortKey{{mustDef("Observation", "date"), true}, {mustDef("Observation", "_id"), false}, {mustDef("Observation", "_lastUpdated"), false}}}},
	{"_sort on a token ignored, the rest kept", "Observation", "_sort=code,-_lastUpdated,nope", false,
		&Query{Type: "Observation", Sort: []SortKey{{mustDef("Observation", "_lastUpdated"), true}}, Ignored: []Issue{
			{"_sort", "cannot sort on code: only date parameters and _id are sortable"},
			{"_sort", `unknown search parameter "nope" for Observation`}}}},
	{"_total", "Patient", "_total=accurate", false, &Query{Type: "Patient", Total: "accurate"}},
	{"_summary=count", "Patient", "_summary=count", false, &Query{Type: "Patient", Summary: "count"}},
	{"_summary=true ignored", "Patient", "_summary=true", false,
		&Query{Type: "Patient", Ignored: []Issue{{"_summary", "_summary=true is not supported"}}}},
	{"_elements", "Patient", "_elements=identifier,name&_elements=birthDate", false,
		&Query{Type: "Patient", Elements: []string{"identifier", "name", "birthDate"}}},
	{"_include forms", "Observation", "_include=Observation:subject&_include=Observation:performer:Practitioner&_include:iterate=Patient:general-practitioner&_include=*&_include=Observation:*", false,
		&Query{Type: "Observation", Include: []Include{
			{SourceType: "Observation", Param: "subject"},
			{SourceType: "Observation", Param: "performer", TargetType: "Practitioner"},
			{SourceType: "Observation", Param: "*"},
			{SourceType: "Observation", Param: "*"},
			{SourceType: "Patient", Param: "general-practitioner", Iterate: true}}}},
	{"_revinclude", "Patient", "_revinclude=Provenance:target&_revinclude:iterate=Observation:has-member&_revinclude=*", false,
		&Query{Type: "Patient", RevInclude: []Include{
			{SourceType: "Provenance", Param: "target"}, {Param: "*"},
			{SourceType: "Observation", Param: "has-member", Iterate: true}}}},
	{"_include from another type ignored", "Observation", "_include=Patient:organization", false,
		&Query{Type: "Observation", Ignored: []Issue{{"_include", "_include=Patient:organization does not start from Observation (use _include:iterate)"}}}},
	{"_cursor kept verbatim, _format and _pretty skipped", "Patient", "_cursor=eyJ4IjoxfQ%3D%3D&_format=json&_pretty=true", false,
		&Query{Type: "Patient", Cursor: "eyJ4IjoxfQ=="}},
	{"_type on a system search", "", "_type=Patient,Observation&_type=Patient", false,
		&Query{Types: []string{"Patient", "Observation"}}},
	{"_type on a type search ignored", "Patient", "_type=Observation", false,
		&Query{Type: "Patient", Ignored: []Issue{{"_type", "_type applies to system searches only"}}}},

	// Lenient handling of unknown parameters (R4 search.html#errors).
	{"unknown parameter ignored", "Patient", "shoe-size=9&name=x", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "name", "", strVal("x"))},
			Ignored: []Issue{{"shoe-size", `unknown search parameter "shoe-size" for Patient`}}}},
	{"system search takes common parameters only", "", "name=x&_lastUpdated=gt2024", false,
		&Query{Criteria: []Criterion{crit("", "_lastUpdated", "", dateVal("gt", "2024"))},
			Ignored: []Issue{{"name", `"name" is not a parameter of a system search`}}}},
	{"empty value ignored", "Patient", "name=", false,
		&Query{Type: "Patient", Ignored: []Issue{{"name", "empty value"}}}},
	{"empty repetition skipped", "Patient", "name=&name=x&gender:missing=", false,
		&Query{Type: "Patient", Criteria: []Criterion{crit("Patient", "name", "", strVal("x"))},
			Ignored: []Issue{{"gender:missing", "empty value"}}}},
	{"empty value ignored in strict handling too", "Observation", "code=,&status=final", true,
		&Query{Type: "Observation", Criteria: []Criterion{crit("Observation", "status", "", tokenCode("final"))},
			Ignored: []Issue{{"code", "empty value"}}}},
	{"strict handling with only supported parameters", "Patient", "name=x&_count=2", true,
		&Query{Type: "Patient", Count: 2, Criteria: []Criterion{crit("Patient", "name", "", strVal("x"))}}},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			vals, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(tt.typ, vals, tt.strict)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.query, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

var parseErrorTests = []struct {
	typ    string
	query  string
	strict bool
	param  string
}{
	// Malformed values fail in either handling.
	{"Observation", "code=|", false, "code"},
	{"Observation", "code=a|b|c", false, "code"},
	{"Observation", "code:missing=yes", false, "code:missing"},
	{"Patient", "birthdate=2021-13", false, "birthdate"},
	{"Patient", "birthdate=xx2021", false, "birthdate"},
	{"Patient", "birthdate=2021-01-01T10", false, "birthdate"},
	{"Patient", "birthdate=ge", false, "birthdate"},
	{"Observation", "subject=Patient/", false, "subject"},
	{"Observation", "subject=patient/1", false, "subject"},
	{"Observation", "subject=a b", false, "subject"},
	{"Observation", "subject:Patient=Group/1", false, "subject:Patient"},
	{"Observation", "subject:Practitioner=1", false, "subject:Practitioner"},
	{"Observation", "subject.name=peter", false, "subject.name"},
	{"Observation", "code.name=x", false, "code.name"},
	{"Observation", "subject:Practitioner.name=x", false, "subject:Practitioner.name"},
	{"Observation", "subject:missing.name=x", false, "subject:missing.name"},
	{"Patient", "_has:Observation", false, "_has:Observation"},
	{"Patient", "_has:observation:patient:code=1", false, "_has:observation:patient:code"},
	{"Patient", "_has:Observation:code:code=1", false, "_has:Observation:code:code"},
	{"Patient", "_has:Encounter:service-provider:status=x", false, "_has:Encounter:service-provider:status"},
	{"Patient", "_has:Observation:patient:code:not:x=1", false, "_has:Observation:patient:code:not:x"},
	{"Patient", "_count=-1", false, "_count"},
	{"Patient", "_count=ten", false, "_count"},
	{"Patient", "_count=1&_count=2", false, "_count"},
	{"Patient", "_sort=", false, "_sort"},
	{"Patient", "_sort=-", false, "_sort"},
	{"Patient", "_total=all", false, "_total"},
	{"Patient", "_summary=yes", false, "_summary"},
	{"Patient", "_elements=a.b", false, "_elements"},
	{"Patient", "_elements=id,", false, "_elements"},
	{"Observation", "_include=Observation", false, "_include"},
	{"Observation", "_include=observation:subject", false, "_include"},
	{"Observation", "_include=Observation:code", false, "_include"},
	{"Observation", "_include=Observation:subject:Practitioner", false, "_include"},
	{"Observation", "_include=Observation:subject:patient", false, "_include"},
	{"", "_type=patient", false, "_type"},
	{"", "_type=Patient,", false, "_type"},
	{"Patient", "_cursor=a&_cursor=b", false, "_cursor"},

	// Unsupported parameters fail only in strict handling.
	{"Patient", "shoe-size=9", true, "shoe-size"},
	{"Patient", "name:phonetic=x", true, "name:phonetic"},
	{"Observation", "code:text=x", true, "code:text"},
	{"Observation", "code:in=http://vs", true, "code:in"},
	{"Observation", "subject:identifier=s|v", true, "subject:identifier"},
	{"Observation", "subject:Patient.organization.name=x", true, "subject:Patient.organization.name"},
	{"Observation", "patient.shoe-size=9", true, "patient.shoe-size"},
	{"Patient", "_has:Observation:patient:_has:AuditEvent:entity:agent=x", true, "_has:Observation:patient:_has:AuditEvent:entity:agent"},
	{"Patient", "_has:Observation:nope:code=x", true, "_has:Observation:nope:code"},
	{"Patient", "birthdate=ap2020", true, "birthdate"},
	{"Observation", "_sort=code", true, "_sort"},
	{"Patient", "_summary=text", true, "_summary"},
	{"Patient", "_count:x=1", true, "_count:x"},
	{"Observation", "_include:recurse:x=Observation:subject", true, "_include:recurse:x"},
	{"Observation", "_include=Patient:organization", true, "_include"},
	{"Observation", "_include=Observation:nope", true, "_include"},
	{"Patient", "_type=Patient", true, "_type"},
	{"", "name=x", true, "name"},
	{"", "_has:Observation:patient:code=x", true, "_has:Observation:patient:code"},
	{"Patient", "_text=cancer", true, "_text"},
	{"Patient", "_content=cancer", true, "_content"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorTests {
		vals, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse(tt.typ, vals, tt.strict)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q, %q, strict=%v) = %+v, %v; want an *Error", tt.typ, tt.query, tt.strict, q, err)
			continue
		}
		if q != nil || se.Param != tt.param || se.Reason == "" {
			t.Errorf("Parse(%q, %q, strict=%v) error %+v; want Param %q", tt.typ, tt.query, tt.strict, se, tt.param)
		}
		if !tt.strict {
			continue
		}
		// The same query is accepted leniently, with the parameter ignored.
		q, err = Parse(tt.typ, vals, false)
		if err != nil {
			t.Errorf("lenient Parse(%q, %q) error %v; want it ignored", tt.typ, tt.query, err)
			continue
		}
		found := false
		for _, is := range q.Ignored {
			found = found || is.Param == tt.param
		}
		if !found {
			t.Errorf("lenient Parse(%q, %q) ignored %+v; want %q among them", tt.typ, tt.query, q.Ignored, tt.param)
		}
	}
}

func TestStripBase(t *testing.T) {
	vals, _ := url.ParseQuery("subject=http://127.0.0.1:8080/fhir/Patient/1,https://other.example/fhir/Patient/2" +
		"&subject:Patient.link=http://127.0.0.1:8080/fhir/RelatedPerson/3/_history/4" +
		"&_has:Observation:has-member:performer=http://127.0.0.1:8080/fhir/Practitioner/5")
	q, err := Parse("Observation", vals, true)
	if err != nil {
		t.Fatal(err)
	}
	q.StripBase("http://127.0.0.1:8080/fhir/")
	var got []string
	for _, c := range q.Criteria {
		switch {
		case c.Chain != nil:
			c = c.Chain.Criterion
		case c.Has != nil:
			c = c.Has.Criterion
		}
		for _, v := range c.Values {
			got = append(got, v.Ref)
		}
	}
	want := []string{"Practitioner/5", "Patient/1", "https://other.example/fhir/Patient/2", "RelatedPerson/3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("StripBase (-want +got):\n%s", diff)
	}
}

// FuzzParse checks that Parse never panics, that its errors are *Error,
// and that what it returns can be matched.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.query)
	}
	for _, tt := range parseErrorTests {
		f.Add(tt.query)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		vals, _ := url.ParseQuery(raw)
		for _, typ := range []string{"Observation", "Patient", ""} {
			for _, strict := range []bool{false, true} {
				q, err := Parse(typ, vals, strict)
				if err != nil {
					var se *Error
					if !errors.As(err, &se) || q != nil {
						t.Fatalf("Parse(%q, %q) = %v, %v; want a nil query and an *Error", typ, raw, q, err)
					}
					continue
				}
				if q.Type != typ {
					t.Fatalf("Parse(%q, %q).Type = %q", typ, raw, q.Type)
				}
				q.StripBase("http://127.0.0.1:8080/fhir")
				for _, c := range q.Criteria {
					if c.Chain == nil && c.Has == nil && len(c.Values) == 0 {
						t.Fatalf("Parse(%q, %q): criterion %s without values", typ, raw, c.Param.Name)
					}
					c.Matches(nil)
					c.Matches([]IndexValue{{Code: "x", Ref: "Patient/x", Norm: "x", Text: "x"}})
				}
			}
		}
	})
}
