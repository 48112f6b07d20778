package rawjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// builtinFixture is a Synthea-style ExplanationOfBenefit (pretty JSON, about
// 4 KB compact) with contained resources, the three reference styles of the
// samples, non-ASCII text, escapes and float artefacts.
const builtinFixture = "testdata/explanationofbenefit.json"

func readFixture(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(builtinFixture)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// sampleDir returns the shared Synthea samples folder (../shared/fhir-samples/small
// next to the repository root), or an error when it is absent.
func sampleDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root not found")
		}
		dir = parent
	}
	small := filepath.Join(dir, "..", "shared", "fhir-samples", "small")
	if _, err := os.Stat(small); err != nil {
		return "", err
	}
	return small, nil
}

// bundleEntry is an entry of a sample transaction; the resource stays raw.
type bundleEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
}

// loadBundle reads one sample bundle file (by base name) whole and split into
// its entries; the entries' resources are as written (pretty). A missing
// samples folder or file is an error wrapping fs.ErrNotExist.
func loadBundle(name string) ([]byte, []bundleEntry, error) {
	dir, err := sampleDir()
	if err != nil {
		return nil, nil, fmt.Errorf("samples: %w", fs.ErrNotExist)
	}
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, nil, err
	}
	var b struct {
		Entry []bundleEntry `json:"entry"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, nil, err
	}
	return raw, b.Entry, nil
}

// sampleBundle is loadBundle that skips the test when the samples are absent.
func sampleBundle(tb testing.TB, name string) ([]byte, []bundleEntry) {
	tb.Helper()
	raw, entries, err := loadBundle(name)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("samples absent: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return raw, entries
}

// sampleWithText is the small/ patient whose bundle has non-ASCII names.
const sampleWithText = "ab5537a3-8608-5f56-53f5-d10b00eb4680.json"

// nearest3KB returns the compacted resource of type typ among entries whose
// size is nearest to 3 KB, or nil.
func nearest3KB(tb testing.TB, entries []bundleEntry, typ string) []byte {
	tb.Helper()
	var best []byte
	for _, e := range entries {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			tb.Fatal(err)
		}
		if head.ResourceType != typ {
			continue
		}
		c, err := Compact(e.Resource)
		if err != nil {
			tb.Fatal(err)
		}
		if best == nil || abs(len(c)-3000) < abs(len(best)-3000) {
			best = c
		}
	}
	return best
}

// sampleResource returns nearest3KB from the sample bundle with text,
// skipping the test when the samples are absent.
func sampleResource(tb testing.TB, typ string) []byte {
	tb.Helper()
	_, entries := sampleBundle(tb, sampleWithText)
	r := nearest3KB(tb, entries, typ)
	if r == nil {
		tb.Skipf("no %s in %s", typ, sampleWithText)
	}
	return r
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
