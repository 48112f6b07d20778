package search

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// obsDates returns the "date" values Extract gives an Observation whose
// effective[x] is a dateTime ("2013-01-14T10:00:00Z") or a Period written
// "start..end" (either side may be empty: an open end).
func obsDates(t *testing.T, effective string) []IndexValue {
	t.Helper()
	var doc string
	if start, end, ok := strings.Cut(effective, ".."); ok {
		var parts []string
		if start != "" {
			parts = append(parts, fmt.Sprintf("%q:%q", "start", start))
		}
		if end != "" {
			parts = append(parts, fmt.Sprintf("%q:%q", "end", end))
		}
		doc = `{"effectivePeriod":{` + strings.Join(parts, ",") + `}}`
	} else {
		doc = fmt.Sprintf(`{"effectiveDateTime":%q}`, effective)
	}
	var out []IndexValue
	for _, v := range Extract("Observation", decode(t, []byte(doc)), "") {
		if v.Param == "date" {
			out = append(out, v)
		}
	}
	if len(out) != 1 {
		t.Fatalf("effective %q gave %d date values", effective, len(out))
	}
	return out
}

func parseOne(t *testing.T, typ, query string) Criterion {
	t.Helper()
	vals, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(typ, vals, true)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	if len(q.Criteria) != 1 {
		t.Fatalf("Parse(%q) gave %d criteria", query, len(q.Criteria))
	}
	return q.Criteria[0]
}

// TestMatchesDate walks the boundaries of every prefix (R4 search, "Prefixes", and
// the examples of search.html#date), with partial dates, periods with open ends
// and time zones. Dates without a zone are UTC.
func TestMatchesDate(t *testing.T) {
	tests := []struct {
		search    string // the date= value, with its prefix
		effective string // a dateTime, or start..end
		want      bool
	}{
		// eq: the search range fully contains the resource range.
		{"eq2013-01-14", "2013-01-14T00:00:00Z", true},
		{"eq2013-01-14", "2013-01-14T10:00:00Z", true},
		{"eq2013-01-14", "2013-01-14T23:59:59.999Z", true},
		{"eq2013-01-14", "2013-01-15T00:00:00Z", false},
		{"eq2013-01-14", "2013-01-13T23:59:59.999Z", false},
		{"eq2013-01-14", "2013-01-14", true},
		{"eq2013-01-14", "2013-01", false},
		{"eq2013-01-14", "2013-01-14T10:00Z..2013-01-14T11:00Z", true},
		{"eq2013-01-14", "2013-01-14T10:00Z..2013-01-15T00:00Z", false},
		{"eq2013-01-14", "2013-01-14T10:00Z..", false},
		{"2013-01-14", "2013-01-14T10:00:00Z", true},
		{"eq2021", "2021-12-31T23:59:59.999Z", true},
		{"eq2021", "2021-06", true},
		{"eq2021", "2022-01-01T00:00:00Z", false},
		{"eq2021", "2020-12-31T23:59:59.999Z", false},
		{"eq2020-02", "2020-02-29", true},
		{"eq2021-02", "2021-03-01", false},
		{"eq2013-01-14T10:00", "2013-01-14T10:00:59.999Z", true},
		{"eq2013-01-14T10:00", "2013-01-14T10:01:00Z", false},
		{"eq2013-01-14T10:00:05Z", "2013-01-14T10:00:05.500Z", true},
		{"eq2013-01-14T10:00:05Z", "2013-01-14T10:00:06Z", false},
		// Time zones: the same instant written in another zone.
		{"eq2013-01-14T10:00+02:00", "2013-01-14T08:00:30Z", true},
		{"eq2013-01-14T10:00+02:00", "2013-01-14T10:00:30Z", false},
		{"eq2013-01-14T10:00-05:00", "2013-01-14T16:00:30+01:00", true},
		{"eq2013-01-14", "2013-01-14T23:30:00-02:00", false}, // 2013-01-15T01:30Z
		{"eq2013-01-14", "2013-01-14T01:30:00+02:00", false}, // 2013-01-13T23:30Z
		{"eq2013-01-14", "2013-01-15T01:30:00+02:00", true},  // 2013-01-14T23:30Z

		// ne: not eq.
		{"ne2013-01-14", "2013-01-15T00:00:00Z", true},
		{"ne2013-01-14", "2013-01-14T00:00:00Z", false},
		{"ne2013-01-14", "2013-01-14T10:00:00Z", false},
		{"ne2013-01-14", "2013-01-14T10:00Z..", true},
		{"ne2013-01-14", "2013-01", true},

		// gt: the resource range reaches above the search range.
		{"gt2013-01-14T10:00", "2013-01-14", true}, // R4: "includes the part of 14-Jan 2013 after 10am"
		{"gt2013-01-14T10:00", "2013-01-14T10:00:30Z", false},
		{"gt2013-01-14T10:00", "2013-01-14T10:00:59.999Z", false},
		{"gt2013-01-14T10:00", "2013-01-14T10:01:00Z", true},
		{"gt2013-01-14", "2013-01-14T23:59:59.999Z", false},
		{"gt2013-01-14", "2013-01-15T00:00:00Z", true},
		{"gt2013-01-14", "..2013-01-14", false},
		{"gt2013-01-14", "2000-01-01..", true},
		{"gt2013-01-14T10:00Z", "2013-01-14T11:30:00+01:00", true},  // 10:30Z
		{"gt2013-01-14T10:00Z", "2013-01-14T11:00:30+01:00", false}, // 10:00:30Z, inside the searched minute
		// lt: the resource range reaches below the search range.
		{"lt2013-01-14T10:00", "2013-01-14", true}, // R4: "includes the part of 14-Jan 2013 before 10am"
		{"lt2013-01-14T10:00", "2013-01-14T10:00:00Z", false},
		{"lt2013-01-14T10:00", "2013-01-14T09:59:59.999Z", true},
		{"lt2013-01-14", "2013-01-14T00:00:00Z", false},
		{"lt2013-01-14", "2013-01-13T23:59:59.999Z", true},
		{"lt2013-01-14", "..2020-01-01", true},
		{"lt2013-01-14", "2013-01-14..", false},
		// ge: gt or eq.
		{"ge2013-03-14", "2013-01-21..", true}, // R4: "a period from 21-Jan 2013 onwards"
		{"ge2013-03-14", "2013-03-14", true},
		{"ge2013-03-14", "2013-03-14T00:00:00Z", true},
		{"ge2013-03-14", "2013-03-13T23:59:59.999Z", false},
		{"ge2013-03-14", "2013-03-13", false},
		{"ge2013-03-14", "2013-03-13T23:00Z..2013-03-14T01:00Z", false},
		{"ge2013-03-14", "2013-03-13T23:00Z..2013-03-15T01:00Z", true},
		// le: lt or eq.
		{"le2013-03-14", "2013-03-14T23:59:59.999Z", true},
		{"le2013-03-14", "2013-03-15T00:00:00Z", false},
		{"le2013-03-14", "2013-03-13", true},
		{"le2013-03-14", "..2013-03-20", true},
		{"le2013-03-14", "2013-03-14T23:00Z..2013-03-15T01:00Z", false},
		// sa: starts after the search range ends.
		{"sa2013-03-14", "2013-03-15T00:00:00Z", true},
		{"sa2013-03-14", "2013-03-14T23:59:59.999Z", false},
		{"sa2013-03-14", "2013-03-15..2013-04-01", true},
		{"sa2013-03-14", "2013-03-14T12:00Z..2013-04-01", false},
		{"sa2013-03-14", "2013-03-15..", true},
		{"sa2013-03-14", "..2013-04-01", false},
		{"sa2013", "2014-01-01T00:00:00+01:00", false}, // 2013-12-31T23:00Z
		// eb: ends before the search range starts.
		{"eb2013-03-14", "2013-03-13T23:59:59.999Z", true},
		{"eb2013-03-14", "2013-03-14T00:00:00Z", false},
		{"eb2013-03-14", "..2013-03-13", true},
		{"eb2013-03-14", "2013-03-01..", false},
		{"eb2013-03-14", "2013-03-01..2013-03-14T00:00Z", false},
		{"eb2013", "2012-12-31T23:30:00-01:00", false}, // 2013-01-01T00:30Z
	}
	for _, tt := range tests {
		c := parseOne(t, "Observation", "date="+url.QueryEscape(tt.search))
		if got := c.Matches(obsDates(t, tt.effective)); got != tt.want {
			t.Errorf("date=%s against %s: got %v, want %v", tt.search, tt.effective, got, tt.want)
		}
	}
}

func TestMatches(t *testing.T) {
	tok := func(system, code string) IndexValue { return IndexValue{Type: Token, System: system, Code: code} }
	ref := func(r string) IndexValue { return IndexValue{Type: Reference, Ref: r} }
	str := func(s string) IndexValue { return IndexValue{Type: String, Text: s, Norm: Normalize(s)} }
	tests := []struct {
		typ, query string
		vals       []IndexValue
		want       bool
	}{
		{"Observation", "code=8302-2", []IndexValue{tok("http://loinc.org", "8302-2")}, true},
		{"Observation", "code=8302-2", []IndexValue{tok("http://loinc.org", "8302-3")}, false},
		{"Observation", "code=http://loinc.org|8302-2", []IndexValue{tok("http://loinc.org", "8302-2")}, true},
		{"Observation", "code=http://snomed.info/sct|8302-2", []IndexValue{tok("http://loinc.org", "8302-2")}, false},
		{"Observation", "code=|8302-2", []IndexValue{tok("http://loinc.org", "8302-2")}, false},
		{"Observation", "code=|8302-2", []IndexValue{tok("", "8302-2")}, true},
		{"Observation", "code=http://loinc.org|", []IndexValue{tok("http://loinc.org", "1")}, true},
		{"Observation", "code=http://loinc.org|", []IndexValue{tok("http://loinc.orgx", "1")}, false},
		{"Observation", "status=FINAL", []IndexValue{tok("", "final")}, false},
		{"Observation", "status=amended,final", []IndexValue{tok("", "final")}, true},
		{"Observation", "code=a,b", []IndexValue{tok("s", "x"), tok("s", "b")}, true},
		{"Observation", "status:not=final", []IndexValue{tok("", "final")}, false},
		{"Observation", "status:not=final", []IndexValue{tok("", "amended")}, true},
		{"Observation", "status:not=final", nil, true},
		{"Observation", "status:not=final,amended", []IndexValue{tok("", "amended")}, false},
		{"Observation", "code:missing=true", nil, true},
		{"Observation", "code:missing=true", []IndexValue{tok("s", "c")}, false},
		{"Observation", "code:missing=false", []IndexValue{tok("s", "c")}, true},
		{"Observation", "code:missing=false", nil, false},
		{"Patient", "_id=p1", []IndexValue{tok("", "p1")}, true},
		{"Patient", "_id=P1", []IndexValue{tok("", "p1")}, false},

		{"Observation", "subject=Patient/1", []IndexValue{ref("Patient/1")}, true},
		{"Observation", "subject=Patient/1", []IndexValue{ref("Patient/10")}, false},
		{"Observation", "subject=Patient/1", []IndexValue{ref("Group/1")}, false},
		{"Observation", "subject=1", []IndexValue{ref("Group/1")}, true},
		{"Observation", "subject=1", []IndexValue{ref("Group/11")}, false},
		{"Observation", "subject=1", []IndexValue{ref("https://other.example/fhir/Patient/1")}, false},
		{"Observation", "subject:Patient=1", []IndexValue{ref("Group/1")}, false},
		{"Observation", "subject:Patient=1", []IndexValue{ref("Patient/1")}, true},
		{"Observation", "subject=https://other.example/fhir/Patient/1", []IndexValue{ref("https://other.example/fhir/Patient/1")}, true},
		{"Observation", "subject=Patient/2,Patient/1", []IndexValue{ref("Patient/1")}, true},

		{"Patient", "name=pet", []IndexValue{str("Peter")}, true},
		{"Patient", "name=PÉT", []IndexValue{str("Peter")}, true},
		{"Patient", "name=eter", []IndexValue{str("Peter")}, false},
		{"Patient", "name=leon", []IndexValue{str("León820")}, true},
		{"Patient", "name:contains=eter", []IndexValue{str("Peter")}, true},
		{"Patient", "name:contains=EÓN", []IndexValue{str("León820")}, true},
		{"Patient", "name:exact=Peter", []IndexValue{str("Peter")}, true},
		{"Patient", "name:exact=peter", []IndexValue{str("Peter")}, false},
		{"Patient", "name:exact=Pete", []IndexValue{str("Peter")}, false},
		{"Patient", "name:exact=León820", []IndexValue{str("León820")}, true},
		{"Patient", "name:exact=Leon820", []IndexValue{str("León820")}, false},
		{"Patient", "name=x,pet", []IndexValue{str("Ann"), str("Peter")}, true},
	}
	for _, tt := range tests {
		c := parseOne(t, tt.typ, tt.query)
		if got := c.Matches(tt.vals); got != tt.want {
			t.Errorf("%s?%s against %+v: got %v, want %v", tt.typ, tt.query, tt.vals, got, tt.want)
		}
	}
}

func TestResolved(t *testing.T) {
	chain := parseOne(t, "Observation", "subject:Patient.name=peter")
	resolved := chain.ResolvedChain([]string{"Patient/1", "Patient/2"})
	if resolved.Chain != nil || resolved.Param.Name != "subject" {
		t.Fatalf("ResolvedChain = %+v", resolved)
	}
	if !resolved.Matches([]IndexValue{{Ref: "Patient/2"}}) || resolved.Matches([]IndexValue{{Ref: "Patient/3"}}) {
		t.Errorf("ResolvedChain matches the wrong references")
	}
	if chain.ResolvedChain(nil).Matches([]IndexValue{{Ref: "Patient/1"}}) {
		t.Errorf("a chain that found nothing must match nothing")
	}

	has := parseOne(t, "Patient", "_has:Observation:patient:code=1234-5")
	byID := has.ResolvedHas([]string{"p1"})
	if byID.Has != nil || byID.Param.Name != "_id" {
		t.Fatalf("ResolvedHas = %+v", byID)
	}
	if !byID.Matches([]IndexValue{{Code: "p1"}}) || byID.Matches([]IndexValue{{Code: "p2"}}) {
		t.Errorf("ResolvedHas matches the wrong ids")
	}
	if has.Matches([]IndexValue{{Code: "p1"}}) {
		t.Errorf("an unresolved _has criterion must not match")
	}
}
