package fhirproxy_test

import (
	"path/filepath"
	"testing"

	"smartd/fhirproxy"
	"smartd/fhirproxy/store"
)

// BenchmarkImport loads ../shared/fhir-samples/load into a fresh store
// per iteration and reports resources/s.
func BenchmarkImport(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(samplesDir(b, "load"), "*.json.gz"))
	if testing.Short() {
		files = files[:20]
	}
	bodies := make([][]byte, len(files))
	for i, f := range files {
		bodies[i] = readBundleFile(b, f)
	}
	b.ResetTimer()
	total := 0
	for b.Loop() {
		st, err := store.Open(filepath.Join(b.TempDir(), "s.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv, err := fhirproxy.New(st, "http://localhost/fhir", fhirproxy.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i, body := range bodies {
			_, entries, err := srv.Import(body)
			if err != nil {
				b.Fatalf("%s: %v", files[i], err)
			}
			total += len(entries)
		}
		st.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "resources/s")
}
