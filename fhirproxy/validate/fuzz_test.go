package validate

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzCheck checks that Check never panics, that what it accepts is a JSON
// object of the type it reports, and that what it refuses gets an *Error it
// would give again.
func FuzzCheck(f *testing.F) {
	for _, tc := range refusals {
		f.Add([]byte(tc.raw), tc.wantType)
	}
	for _, tc := range acceptances {
		f.Add([]byte(tc.raw), tc.wantType)
	}
	for _, r := range benchResources {
		raw, err := os.ReadFile(r.file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, r.name)
	}
	codes := map[string]int{"structure": 400, "invalid": 400, "value": 400, "required": 422, "code-invalid": 422}
	f.Fuzz(func(t *testing.T, raw []byte, wantType string) {
		rt, doc, err := Check(raw, wantType)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			if status, ok := codes[e.Code]; !ok || status != e.Status {
				t.Errorf("error %+v: code and status are not one of %v", e, codes)
			}
			if rt != "" || doc != nil {
				t.Errorf("Check() = %q, %v with an error", rt, doc)
			}
			if _, _, again := Check(raw, wantType); !cmp.Equal(err, again) {
				t.Errorf("Check() refused with %v, then %v", err, again)
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
		if !IsResourceType(rt) || (wantType != "" && rt != wantType) {
			t.Errorf("accepted resourceType %q (wantType %q)", rt, wantType)
		}
		if doc == nil || doc["resourceType"] != rt {
			t.Errorf("doc[resourceType] = %v, want %q", doc["resourceType"], rt)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if _, ok := v.(map[string]any); !ok {
			t.Errorf("accepted %T, want a JSON object", v)
		}
		agreeWithModels(t, rt, raw)
	})
}
