package search

import (
	"net/url"
	"testing"
)

// BenchmarkExtract measures Extract on Synthea resources (the import
// budget is 10,000 resources/s for the whole store write path).
func BenchmarkExtract(b *testing.B) {
	for _, bm := range []struct{ name, typ, file string }{
		{"Observation", "Observation", "synthea-observation-bp.json"},
		{"Patient", "Patient", "synthea-patient.json"},
	} {
		doc := readFixture(b, bm.file)
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Extract(bm.typ, doc, "http://127.0.0.1:8080/fhir")
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	params, err := url.ParseQuery("patient=Patient/ab5537a3-8608-5f56-53f5-d10b00eb4680&code=http://loinc.org|8302-2,http://loinc.org|29463-7" +
		"&date=ge2020-01-01&date=lt2021-07-10T00:00:00Z&status:not=entered-in-error&_sort=-date&_count=50&_include=Observation:encounter")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("Observation", params, true); err != nil {
			b.Fatal(err)
		}
	}
}
