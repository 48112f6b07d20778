package validate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The testdata resources are Synthea output from /work/shared/fhir-samples/small
// (Apache-2.0), minified: a blood pressure Observation with two components, and a
// Patient with the usual US Core extensions.
var benchResources = []struct{ name, file string }{
	{"Observation", "testdata/observation.json"},
	{"Patient", "testdata/patient.json"},
}

func BenchmarkCheck(b *testing.B) {
	for _, r := range benchResources {
		raw, err := os.ReadFile(r.file)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(r.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Check(raw, r.name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckSteps times the three steps of Check apart: decoding, the walk
// over the element tables, and the models' UnmarshalXxx.
func BenchmarkCheckSteps(b *testing.B) {
	s := loadSchema()
	for _, r := range benchResources {
		raw, err := os.ReadFile(r.file)
		if err != nil {
			b.Fatal(err)
		}
		doc, e := decode(raw)
		if e != nil {
			b.Fatal(e)
		}
		rs := s.resources[r.name]
		b.Run(r.name+"/decode", func(b *testing.B) {
			for b.Loop() {
				if _, e := decode(raw); e != nil {
					b.Fatal(e)
				}
			}
		})
		b.Run(r.name+"/walk", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if e := walk(s, rs, r.name, doc); e != nil {
					b.Fatal(e)
				}
			}
		})
		b.Run(r.name+"/models", func(b *testing.B) {
			for b.Loop() {
				if err := rs.unmarshal(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckBundle times a median Synthea patient bundle (326 entries, 0.55 MB
// minified) two ways: Check on the whole Bundle, and Check on each entry's
// resource alone, as a transaction handler that stores entries one by one would.
// It reports resources checked per second of one core.
func BenchmarkCheckBundle(b *testing.B) {
	raw := readSample(b, filepath.Join(samplesDir(b, "load"), "5d2a2d08-cf2e-b7ad-a0db-77551a2777ec.json.gz"))
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		b.Fatal(err)
	}
	n := float64(len(bundle.Entry))
	b.Run("whole", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, _, err := Check(raw, "Bundle"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
	})
	b.Run("entries", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			for _, e := range bundle.Entry {
				if _, _, err := Check(e.Resource, ""); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
	})
}
