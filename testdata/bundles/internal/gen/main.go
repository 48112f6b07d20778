package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", filepath.Join("testdata", "bundles"), "directory to write the bundles into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// file is one generated bundle.
type file struct {
	name string // with ".json"
	data []byte
}

// generate builds every bundle, the organization and practitioners first.
func generate() ([]file, error) {
	names := []string{"00-organization-practitioners"}
	bundles := []object{masterBundle()}
	for _, s := range stories() {
		names = append(names, s.file)
		bundles = append(bundles, patientBundle(s))
	}
	out := make([]file, len(bundles))
	for i, b := range bundles {
		data, err := encode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", names[i], err)
		}
		out[i] = file{name: names[i] + ".json", data: data}
	}
	return out, nil
}

// run writes the bundles into dir.
func run(dir string) error {
	files, err := generate()
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// stories returns the sample patients in load order.
func stories() []story {
	return []story{jose(), aoife(), eleanor(), walter(), priya(), kai()}
}

// tablets is an oral tablet prescription.
func tablets(code concept, status, reason, text string, n float64, perDay int) med {
	return med{code: code, status: status, reason: reason, text: text, dose: n, unit: "tablet", ucum: "{tbl}", perDay: perDay}
}

// puffs is an inhaler prescription.
func puffs(code concept, status, reason, text string, n float64, perDay int, asNeeded bool) med {
	return med{code: code, status: status, reason: reason, text: text, dose: n, unit: "puff", ucum: "{puff}", perDay: perDay, asNeeded: asNeeded}
}
