package bundles_test

import (
	"testing"

	"smartd/fhirproxy/validate"
	"smartd/testdata/bundles"
)

// TestValidate runs every bundle, and every entry's resource, through the
// server's own resource validation.
func TestValidate(t *testing.T) {
	for _, name := range bundles.Names() {
		data, err := bundles.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := validate.Check(data, "Bundle"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	forEachResource(t, func(l loaded) {
		typ, _, err := validate.Check(l.entry.Resource, l.typ())
		if err != nil || typ != l.typ() {
			t.Errorf("%s: Check = %q, %v", l.where(), typ, err)
		}
	})
}
