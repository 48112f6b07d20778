package search

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decode reads a resource the way the store does: numbers as json.Number.
func decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return doc
}

func readFixture(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, data)
}

// samplesDir returns the shared Synthea samples folder (see the common
// brief: ../shared/fhir-samples next to the repository root), skipping the
// test when it is absent.
func samplesDir(t testing.TB, sub string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	samples := filepath.Join(dir, "..", "shared", "fhir-samples", sub)
	if _, err := os.Stat(samples); err != nil {
		t.Skipf("samples not present: %v", err)
	}
	return samples
}

// bundleResources returns the resources of a transaction bundle with their
// urn:uuid references rewritten to "Type/id", as the store rewrites them
// when it commits the transaction.
func bundleResources(t testing.TB, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bundle := decode(t, data)
	entries, _ := bundle["entry"].([]any)
	ids := map[string]string{}
	var out []map[string]any
	for _, e := range entries {
		r, _ := e.(map[string]any)["resource"].(map[string]any)
		if r == nil {
			continue
		}
		typ, _ := r["resourceType"].(string)
		id, _ := r["id"].(string)
		ids["urn:uuid:"+id] = typ + "/" + id
		out = append(out, r)
	}
	var rewrite func(v any)
	rewrite = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "reference" && strings.HasPrefix(s, "urn:uuid:") {
					if rel, ok := ids[s]; ok {
						v[k] = rel
					}
					continue
				}
				rewrite(x)
			}
		case []any:
			for _, x := range v {
				rewrite(x)
			}
		}
	}
	for _, r := range out {
		rewrite(r)
	}
	return out
}

// def returns a registry definition or fails the test.
func def(t testing.TB, typ, name string) Definition {
	t.Helper()
	d, ok := Lookup(typ, name)
	if !ok {
		t.Fatalf("Lookup(%q, %q) found nothing", typ, name)
	}
	return d
}

// ms returns the start of a date range, for readable expectations.
func ms(t testing.TB, s string) int64 {
	t.Helper()
	lo, _, ok := DateRange(s)
	if !ok {
		t.Fatalf("DateRange(%q) failed", s)
	}
	return lo
}

// msEnd returns the end of a date range.
func msEnd(t testing.TB, s string) int64 {
	t.Helper()
	_, hi, ok := DateRange(s)
	if !ok {
		t.Fatalf("DateRange(%q) failed", s)
	}
	return hi
}
