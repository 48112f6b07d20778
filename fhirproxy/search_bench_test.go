package fhirproxy_test

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"smartd/fhirproxy"
	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
)

// BenchmarkSearch runs the two searches of the performance targets on a
// store holding ../shared/fhir-samples/load imported once (1x, about
// 92,000 resources) and ten times (10x, about 920,000), through the FHIR
// handler without the network: the request is parsed, planned, run and
// rendered as a searchset. Each iteration takes the next patient (or
// family name) in turn, so p50 and p99 describe the spread over the
// patients of the set.
//
// The stores are built once and kept in os.TempDir() (see benchStore);
// the first 10x run spends about 100 s building. -short skips 10x.
func BenchmarkSearch(b *testing.B) {
	for _, copies := range []int{1, 10} {
		b.Run(fmt.Sprintf("%dx", copies), func(b *testing.B) {
			if copies > 1 && testing.Short() {
				b.Skip("-short: the 10x store takes minutes to build")
			}
			st, srv := openBenchStore(b, copies)
			patients, families := benchPatients(b, st)
			b.Run("observation-vital-signs", func(b *testing.B) {
				benchRequests(b, srv, patients, func(id string) string {
					return "/fhir/Observation?patient=" + url.QueryEscape(id) + "&category=vital-signs&_count=50"
				})
			})
			b.Run("patient-name", func(b *testing.B) {
				benchRequests(b, srv, families, func(name string) string {
					return "/fhir/Patient?name=" + url.QueryEscape(name)
				})
			})
		})
	}
}

// benchRequests GETs path(args[i mod len(args)]) per iteration, failing on
// any status but 200, and reports p50 and p99 of the single timings.
func benchRequests(b *testing.B, srv *fhirproxy.Server, args []string, path func(string) string) {
	// One untimed pass over every argument first, so that the timings
	// are of searches rather than of the first touch of the file's pages.
	for _, a := range args {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path(a), nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path(a), rec.Code, rec.Body)
		}
	}
	times := make([]time.Duration, 0, 1024)
	i := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path(args[i%len(args)]), nil)
		rec := httptest.NewRecorder()
		start := time.Now()
		srv.ServeHTTP(rec, req)
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", req.URL, rec.Code, rec.Body)
		}
		i++
	}
	reportPercentiles(b, times)
}

// reportPercentiles adds p50 and p99 of the timings (nearest rank) in
// milliseconds to the benchmark's output.
func reportPercentiles(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	at := func(p float64) float64 {
		i := int(p*float64(len(times))+0.999999) - 1
		return float64(times[max(0, min(i, len(times)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// benchPatients returns the ids and the family names of every Patient.
func benchPatients(b *testing.B, st *store.Store) (ids, families []string) {
	q, err := search.Parse("Patient", url.Values{"_count": {"1000"}}, true)
	if err != nil {
		b.Fatal(err)
	}
	for {
		res, err := st.Search(q, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range res.Matches {
			ids = append(ids, m.ID)
			var vals []search.IndexValue
			err := st.View(func(v *store.View) (err error) { vals, err = v.Index("Patient", m.ID); return err })
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range vals {
				if v.Param == "family" && v.Type == search.String {
					families = append(families, v.Text)
					break
				}
			}
		}
		if res.Next == "" {
			break
		}
		q.Cursor = res.Next
	}
	if len(ids) == 0 || len(families) == 0 {
		b.Fatal("the benchmark store holds no patients with a family name")
	}
	return ids, families
}

// benchStoreVersion names the layout of the cached benchmark stores: bump
// it when what a store holds for the same input changes in a way the
// hashed files below do not show.
const benchStoreVersion = "1"

// benchLayoutFiles are the sources (relative to the fhirproxy folder) that
// decide the index layout and what is indexed; a change to any rebuilds
// the cache.
var benchLayoutFiles = []string{
	"store/keys.go", "search/extract.go", "search/normalize.go",
	"search/params_clinical.go", "search/params_documents.go", "search/params_financial.go",
	"search/params_individuals.go", "search/params_medication.go", "search/params_workflow.go",
}

var benchMetaBucket = []byte("bench.meta")

// openBenchStore opens (read-only) the cached store holding the load set
// imported copies times, building it first when it is absent or was built
// from other sources or samples.
func openBenchStore(b *testing.B, copies int) (*store.Store, *fhirproxy.Server) {
	b.Helper()
	dir := samplesDir(b, "load")
	marker := benchMarker(b, dir, copies)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("smartd-bench-load-%dx.db", copies))
	if storedMarker(path) != marker {
		b.Logf("building %s (the load set %d times); it is kept for later runs", path, copies)
		start := time.Now()
		if err := buildBenchStore(b, path, dir, copies, marker); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %s in %.0f s", path, time.Since(start).Seconds())
	}
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	srv, err := fhirproxy.New(st, "http://localhost/fhir", fhirproxy.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return st, srv
}

// benchMarker hashes what a cached store depends on: the version, the
// layout sources, the sample manifest and the number of copies.
func benchMarker(b *testing.B, samples string, copies int) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %d\n", benchStoreVersion, copies)
	for _, f := range append(slices.Clone(benchLayoutFiles), filepath.Join(samples, "..", "MANIFEST.tsv")) {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(h, fh)
		fh.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readBundle reads a .json.gz bundle (readBundleFile, for goroutines
// that may not stop the benchmark).
func readBundle(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(gz)
}

// storedMarker reads the marker of a cached store, "" when there is none.
func storedMarker(path string) string {
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return ""
	}
	defer db.Close()
	var m string
	db.View(func(tx *bolt.Tx) error {
		if bk := tx.Bucket(benchMetaBucket); bk != nil {
			m = string(bk.Get([]byte("marker")))
		}
		return nil
	})
	return m
}

// buildBenchStore imports every bundle of dir copies times into a new
// file next to path, the way the import command does (validation of the
// next bundle overlapping the commit of a group), marks it and renames it
// into place, so an interrupted build leaves no half-built cache.
func buildBenchStore(b *testing.B, path, dir string, copies int, marker string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if len(files) == 0 {
		return errors.New("the load folder holds no bundles")
	}
	slices.Sort(files)
	tmp := fmt.Sprintf("%s.building-%d", path, os.Getpid())
	os.Remove(tmp)
	defer os.Remove(tmp)
	st, err := store.Open(tmp, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := fhirproxy.New(st, "http://localhost/fhir", fhirproxy.Options{})
	if err != nil {
		return err
	}
	type prepared struct {
		p   *fhirproxy.PreparedBundle
		err error
	}
	ch := make(chan prepared, 4)
	go func() {
		defer close(ch)
		for range copies {
			for _, f := range files {
				body, err := readBundle(f)
				var p *fhirproxy.PreparedBundle
				if err == nil {
					p, err = srv.PrepareImport(body)
				}
				ch <- prepared{p, err}
			}
		}
	}()
	var group []*fhirproxy.PreparedBundle
	size := 0
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		_, err := srv.CommitImport(group...)
		group, size = group[:0], 0
		return err
	}
	var firstErr error
	for p := range ch {
		if firstErr != nil {
			continue // drain
		}
		if p.err != nil {
			firstErr = p.err
			continue
		}
		if !p.p.Groupable() {
			if err := flush(); err != nil {
				firstErr = err
				continue
			}
		}
		group, size = append(group, p.p), size+p.p.Size()
		if !p.p.Groupable() || size >= 3000 {
			firstErr = flush()
		}
	}
	if firstErr == nil {
		firstErr = flush()
	}
	if firstErr != nil {
		return firstErr
	}
	err = st.DB().Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists(benchMetaBucket)
		if err != nil {
			return err
		}
		return bk.Put([]byte("marker"), []byte(marker))
	})
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
