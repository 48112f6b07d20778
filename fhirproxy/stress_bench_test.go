package fhirproxy_test

import (
	"path/filepath"
	"testing"

	"smartd/fhirproxy"
	"smartd/fhirproxy/store"
)

// BenchmarkStressTransaction commits ../shared/fhir-samples/stress, one
// 25,000-entry transaction, as POSTed to the base (Server.Submit: parse,
// validate, resolve references, one store transaction), into a fresh
// store that holds ../testdata/fixtures/stress-targets.json, the
// resources its conditional references name. Only the Submit is timed.
func BenchmarkStressTransaction(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(samplesDir(b, "stress"), "*.json.gz"))
	if len(files) != 1 {
		b.Fatalf("stress files: %v", files)
	}
	body := readBundleFile(b, files[0])
	targets := readBundleFile(b, filepath.Join("..", "testdata", "fixtures", "stress-targets.json"))
	entries := 0
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(filepath.Join(b.TempDir(), "s.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv, err := fhirproxy.New(st, "http://localhost/fhir", fhirproxy.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := srv.Submit(targets); err != nil {
			b.Fatalf("stress-targets.json: %v", err)
		}
		b.StartTimer()
		kind, res, err := srv.Submit(body)
		b.StopTimer()
		if err != nil || kind != "transaction" {
			b.Fatalf("the stress transaction: %s %v", kind, err)
		}
		entries += len(res)
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "entries/s")
}
