package search_test

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"smartd/fhirproxy/search"
)

func ExampleParse() {
	params, _ := url.ParseQuery("patient=Patient/123&code=http://loinc.org|8302-2,8306-3&date=ge2021-01&_sort=-date&_count=20")
	q, err := search.Parse("Observation", params, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range q.Criteria {
		fmt.Printf("%s (%s):", c.Param.Name, c.Param.Type)
		for _, v := range c.Values {
			switch c.Param.Type {
			case search.Token:
				fmt.Printf(" system %q (given: %v) code %q;", v.System, v.HasSystem, v.Code)
			case search.Date:
				fmt.Printf(" %s [%s, %s]", v.Prefix, time.UnixMilli(v.Lo).UTC().Format(time.RFC3339Nano), time.UnixMilli(v.Hi).UTC().Format(time.RFC3339Nano))
			case search.Reference:
				fmt.Printf(" %s", v.Ref)
			}
		}
		fmt.Println()
	}
	fmt.Println("sort:", q.Sort[0].Param.Name, "descending:", q.Sort[0].Desc, "count:", q.Count)
	// Output:
	// code (token): system "http://loinc.org" (given: true) code "8302-2"; system "" (given: false) code "8306-3";
	// date (date): ge [2021-01-01T00:00:00Z, 2021-01-31T23:59:59.999Z]
	// patient (reference): Patient/123
	// sort: date descending: true count: 20
}

func ExampleParse_chain() {
	params, _ := url.ParseQuery("general-practitioner:Practitioner.name=peter&_has:Observation:patient:code=1234-5")
	q, err := search.Parse("Patient", params, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range q.Criteria {
		switch {
		case c.Chain != nil:
			fmt.Printf("%s -> %s.%s starts with %q\n", c.Param.Name, c.Chain.Type, c.Chain.Criterion.Param.Name, c.Chain.Criterion.Values[0].Norm)
		case c.Has != nil:
			fmt.Printf("referred to by %s.%s with %s=%s\n", c.Has.Type, c.Has.RefParam, c.Has.Criterion.Param.Name, c.Has.Criterion.Values[0].Code)
		}
	}
	// Output:
	// referred to by Observation.patient with code=1234-5
	// general-practitioner -> Practitioner.name starts with "peter"
}

func ExampleParse_strict() {
	params, _ := url.ParseQuery("name=peter&shoe-size=9")

	q, _ := search.Parse("Patient", params, false)
	fmt.Println("lenient, ignored:", q.Ignored)

	_, err := search.Parse("Patient", params, true)
	var se *search.Error
	if errors.As(err, &se) {
		fmt.Println("strict, refused:", se.Param)
	}
	// Output:
	// lenient, ignored: [{shoe-size unknown search parameter "shoe-size" for Patient}]
	// strict, refused: shoe-size
}

func ExampleCriterion_Matches() {
	doc := map[string]any{"resourceType": "Patient", "id": "p1", "birthDate": "1969-01-05"}
	var birthdates []search.IndexValue
	for _, v := range search.Extract("Patient", doc, "") {
		if v.Param == "birthdate" {
			birthdates = append(birthdates, v)
		}
	}
	for _, query := range []string{"birthdate=1969", "birthdate=lt1969-01-05", "birthdate=sa1968"} {
		params, _ := url.ParseQuery(query)
		q, _ := search.Parse("Patient", params, true)
		fmt.Println(query, q.Criteria[0].Matches(birthdates))
	}
	// Output:
	// birthdate=1969 true
	// birthdate=lt1969-01-05 false
	// birthdate=sa1968 true
}
