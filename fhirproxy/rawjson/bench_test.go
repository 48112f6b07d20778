package rawjson

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// benchDoc is a compact resource to benchmark on.
type benchDoc struct {
	name string
	doc  []byte
}

// benchDocs returns the built-in fixture and the ~3 KB sample resources,
// compacted as the server stores them; samples are left out when absent.
func benchDocs(b *testing.B) []benchDoc {
	builtin, err := Compact(readFixture(b))
	if err != nil {
		b.Fatal(err)
	}
	docs := []benchDoc{{"builtin-EOB", builtin}}
	_, entries, err := loadBundle(sampleWithText)
	if errors.Is(err, fs.ErrNotExist) {
		b.Logf("samples absent, benchmarking the built-in fixture only: %v", err)
		return docs
	}
	if err != nil {
		b.Fatal(err)
	}
	for _, typ := range []string{"Encounter", "Observation", "ExplanationOfBenefit"} {
		if r := nearest3KB(b, entries, typ); r != nil {
			docs = append(docs, benchDoc{typ, r})
		}
	}
	return docs
}

// idMap rewrites urn:uuid references to server ids the way a transaction
// does, with a map lookup.
func idMap(docs ...[]byte) func(string) (string, bool) {
	ids := map[string]string{}
	for _, d := range docs {
		RewriteReferences(d, func(ref string) (string, bool) {
			if u, ok := strings.CutPrefix(ref, "urn:uuid:"); ok {
				ids[ref] = "Resource/" + strings.ToUpper(u)
			}
			return "", false
		})
	}
	return func(ref string) (string, bool) {
		s, ok := ids[ref]
		return s, ok
	}
}

func BenchmarkRewriteReferences(b *testing.B) {
	docs := benchDocs(b)
	collect := func(string) (string, bool) { return "", false }
	for _, d := range docs {
		rewrite := idMap(d.doc)
		b.Run(d.name+"/rewrite", func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := RewriteReferences(d.doc, rewrite); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(d.name+"/collect", func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := RewriteReferences(d.doc, collect); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("bundle/rewrite", func(b *testing.B) {
		raw, _ := sampleBundle(b, sampleWithText)
		doc, err := Compact(raw)
		if err != nil {
			b.Fatal(err)
		}
		rewrite := idMap(doc)
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := RewriteReferences(doc, rewrite); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSetMeta(b *testing.B) {
	now := FormatInstant(time.Date(2026, 11, 23, 3, 30, 16, 123e6, time.UTC))
	for _, d := range benchDocs(b) {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SetMeta(d.doc, "0f8fad5b-d9cb-469f-a165-70867728950e", "1", now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompact(b *testing.B) {
	pretty := readFixture(b)
	b.SetBytes(int64(len(pretty)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compact(pretty); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport runs what this package contributes to importing one
// transaction, entry by entry: compact, rewrite references, set id and meta.
// It reports resources per second for one core.
func BenchmarkImport(b *testing.B) {
	_, entries := sampleBundle(b, sampleWithText)
	var size int64
	resources := make([][]byte, len(entries))
	for i, e := range entries {
		resources[i] = e.Resource
		size += int64(len(e.Resource))
	}
	rewrite := idMap(resources...)
	now := FormatInstant(time.Now())
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range resources {
			c, err := Compact(r)
			if err != nil {
				b.Fatal(err)
			}
			if c, err = RewriteReferences(c, rewrite); err != nil {
				b.Fatal(err)
			}
			if _, err = SetMeta(c, "0f8fad5b-d9cb-469f-a165-70867728950e", "1", now); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(resources))/b.Elapsed().Seconds(), "resources/s")
}
