package main

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smartd/fhirproxy/store"
	"smartd/server"
)

func TestImportSampleBundles(t *testing.T) {
	dir := t.TempDir()
	c, out, errOut := newCLI(nil)
	err := c.run(context.Background(), []string{"import", "-data", dir, filepath.Join(repoRoot(t), "testdata", "bundles")})
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"imported 7 of 7 bundles: 359 resources", "Observation", "211", "resources/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "[##############################] 7/7 bundles") {
		t.Errorf("no finished progress bar on stderr: %q", errOut.String())
	}
	st, err := store.Open(filepath.Join(dir, server.StoreFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if counts, _ := st.Counts(); counts["Observation"] != 211 || counts["Patient"] != 6 {
		t.Errorf("counts = %v", counts)
	}
}

// A bundle whose last entry is bad leaves nothing behind, and the error
// names the file and the entry.
func TestImportFailureNamesFileAndEntryAndLeavesNothing(t *testing.T) {
	dir, src := t.TempDir(), t.TempDir()
	good := `{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","name":[{"family":"Good"}]},"request":{"method":"POST","url":"Patient"}}]}`
	bad := `{"resourceType":"Bundle","type":"transaction","entry":[` +
		`{"fullUrl":"urn:uuid:2","resource":{"resourceType":"Patient","name":[{"family":"Kept"}]},"request":{"method":"POST","url":"Patient"}},` +
		`{"fullUrl":"urn:uuid:3","resource":{"resourceType":"Observation","status":"final","subject":{"reference":"urn:uuid:2"}},"request":{"method":"POST","url":"Observation"}}]}`
	os.WriteFile(filepath.Join(src, "1-good.json"), []byte(good), 0o600)
	os.WriteFile(filepath.Join(src, "2-bad.json"), []byte(bad), 0o600)
	os.WriteFile(filepath.Join(src, "3-notjson.json"), []byte("{not json"), 0o600)
	c, out, _ := newCLI(nil)
	err := c.run(context.Background(), []string{"import", "-quiet", "-data", dir, src})
	if err == nil {
		t.Fatal("import of a bad bundle succeeded")
	}
	for _, want := range []string{"2 bundle(s) failed", "2-bad.json: Bundle.entry[1]", "(at Bundle.entry[1].resource.code)", "3-notjson.json"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if !strings.Contains(out.String(), "imported 1 of 3 bundles: 1 resources") {
		t.Errorf("summary: %s", out.String())
	}
	st, err := store.Open(filepath.Join(dir, server.StoreFile), store.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if counts, _ := st.Counts(); counts["Patient"] != 1 || counts["Observation"] != 0 {
		t.Errorf("counts = %v, want only the good bundle's patient", counts)
	}
}

func TestImportGzipAndCollection(t *testing.T) {
	dir, src := t.TempDir(), t.TempDir()
	coll := `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"resource":{"resourceType":"Patient","id":"coll-1","name":[{"family":"Collected"}]}},` +
		`{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/coll-1"}}}]}`
	writeGzip(t, filepath.Join(src, "c.json.gz"), coll)
	c, out, errOut := newCLI(nil)
	if err := c.run(context.Background(), []string{"import", "-quiet", "-data", dir, src}); err != nil {
		t.Fatalf("import: %v %s", err, errOut)
	}
	if !strings.Contains(out.String(), "2 resources") {
		t.Errorf("summary: %s", out.String())
	}
	st, err := store.Open(filepath.Join(dir, server.StoreFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Read("Patient", "coll-1"); err != nil {
		t.Errorf("the collection's patient kept its id: %v", err)
	}
}

func TestImportRefusesMissingPaths(t *testing.T) {
	c, _, _ := newCLI(nil)
	if err := c.run(context.Background(), []string{"import", "-data", t.TempDir()}); err == nil {
		t.Error("import with no paths succeeded")
	}
	if err := c.run(context.Background(), []string{"import", "-data", t.TempDir(), filepath.Join(t.TempDir(), "nope.json")}); err == nil {
		t.Error("import of a missing file succeeded")
	}
}

func writeGzip(t *testing.T, path, content string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(content))
	zw.Close()
	f.Close()
}
