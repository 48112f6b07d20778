package main

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"smartd/fhirproxy"
	"smartd/fhirproxy/store"
	"smartd/server"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "smartd import [flags] PATH...", stderr)
	var d dataFlags
	d.register(fs)
	quiet := fs.Bool("quiet", false, "no progress bar (env SMARTD_QUIET)")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("import needs at least one bundle file or folder")
	}
	files, err := bundleFiles(fs.Args())
	if err != nil {
		return err
	}
	base := d.baseURL
	if base == "" {
		base = server.DefaultBaseURL(d.addr, false)
	}
	st, err := store.Open(filepath.Join(d.data, server.StoreFile), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	fhir, err := fhirproxy.New(st, strings.TrimSuffix(base, "/")+"/fhir", fhirproxy.Options{})
	if err != nil {
		return err
	}
	im := &importer{fhir: fhir, out: stderr, quiet: *quiet, byType: map[string]int{}}
	return im.run(ctx, files, stdout)
}

// bundleFiles expands folders into their .json and .json.gz files, each
// folder in name order (Synthea's master data sorts first).
func bundleFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".json.gz")) {
				found = append(found, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s holds no .json or .json.gz files", p)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

type importer struct {
	fhir              *fhirproxy.Server
	out               io.Writer
	quiet             bool
	byType            map[string]int
	bundles, failed   int
	resources, bytesN int
}

func (im *importer) run(ctx context.Context, files []string, stdout io.Writer) error {
	start := time.Now()
	var errs []string
	for i, f := range files {
		if ctx.Err() != nil {
			errs = append(errs, "interrupted")
			break
		}
		if err := im.file(f); err != nil {
			im.failed++
			errs = append(errs, fmt.Sprintf("%s: %v", f, err))
			if !im.quiet {
				fmt.Fprintf(im.out, "\r\033[K%s: %v\n", f, err)
			}
		}
		im.progress(i+1, len(files), time.Since(start))
	}
	if !im.quiet {
		fmt.Fprintln(im.out)
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "imported %d of %d bundles: %d resources in %.1f s (%.0f resources/s)\n",
		im.bundles, len(files), im.resources, secs, float64(im.resources)/max(secs, 1e-9))
	for _, t := range slices.Sorted(maps.Keys(im.byType)) {
		fmt.Fprintf(stdout, "  %-28s %8d\n", t, im.byType[t])
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d bundle(s) failed and were not loaded:\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
	return nil
}

// file loads one bundle file, all or nothing.
func (im *importer) file(path string) error {
	body, err := readBundle(path)
	if err != nil {
		return err
	}
	_, entries, err := im.fhir.Import(body)
	if err != nil {
		return err
	}
	im.bundles++
	for _, e := range entries {
		if e.Status == 201 || e.Status == 200 {
			if e.Status == 201 {
				im.byType[e.Type]++
			}
			im.resources++
		}
	}
	return nil
}

func readBundle(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("not gzip: %w", err)
		}
		defer gz.Close()
		r = gz
	}
	return io.ReadAll(r)
}

func (im *importer) progress(done, total int, elapsed time.Duration) {
	if im.quiet {
		return
	}
	const width = 30
	filled := done * width / max(total, 1)
	rate := float64(im.resources) / max(elapsed.Seconds(), 1e-9)
	fmt.Fprintf(im.out, "\r[%s%s] %d/%d bundles, %d resources, %.0f/s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, im.resources, rate)
}
