package validate

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// samplesDir returns /work/shared/fhir-samples as seen from the repository root
// (../shared/fhir-samples next to the directory holding go.mod), skipping the test
// when it is absent.
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
			t.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
	samples := filepath.Join(dir, "..", "shared", "fhir-samples", sub)
	if _, err := os.Stat(samples); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	return samples
}

// readSample returns the JSON of a sample file, decompressing *.gz.
func readSample(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// checkBundleFile runs Check on the bundle in path and on each of its entries'
// resources, and returns how many resources it checked.
func checkBundleFile(t *testing.T, path string) int {
	t.Helper()
	raw := readSample(t, path)
	rt, _, err := Check(raw, "Bundle")
	if err != nil {
		t.Errorf("%s: Check(bundle): %v", filepath.Base(path), err)
		return 0
	}
	if rt != "Bundle" {
		t.Errorf("%s: resourceType %q, want Bundle", filepath.Base(path), rt)
	}
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, e := range bundle.Entry {
		rt, _, err := Check(e.Resource, "")
		if err != nil {
			t.Errorf("%s: entry %d: %v", filepath.Base(path), i, err)
			continue
		}
		agreeWithModels(t, rt, e.Resource)
	}
	return len(bundle.Entry)
}

func TestCheckAcceptsSamples(t *testing.T) {
	for _, sub := range []string{"small", "small-selfcontained"} {
		t.Run(sub, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(samplesDir(t, sub), "*.json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(files) == 0 {
				t.Fatal("no sample bundles")
			}
			n := 0
			for _, f := range files {
				n += checkBundleFile(t, f)
			}
			t.Logf("%d bundles, %d resources", len(files), n)
		})
	}
}

// TestCheckAcceptsLoadSample checks every eighth bundle of load/ (about 11,000
// resources); -short skips it.
func TestCheckAcceptsLoadSample(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	files, err := filepath.Glob(filepath.Join(samplesDir(t, "load"), "*.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, f := range files {
		if i%8 == 0 {
			n += checkBundleFile(t, f)
		}
	}
	t.Logf("%d resources", n)
}
