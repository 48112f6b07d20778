package validate

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCodeSetsMatchModels checks every code table read from an enum's Code()
// against the same enum's UnmarshalJSON.
func TestCodeSetsMatchModels(t *testing.T) {
	sets := map[*codeSet]bool{}
	seen := map[*complexType]bool{}
	var visit func(ct *complexType)
	visit = func(ct *complexType) {
		if seen[ct] {
			return
		}
		seen[ct] = true
		for _, el := range ct.elements {
			switch el.kind {
			case kindCode:
				sets[el.codes] = true
			case kindComplex:
				visit(el.complex)
			}
		}
	}
	for _, rs := range loadSchema().resources {
		visit(rs.fields)
	}
	if len(sets) < 100 {
		t.Fatalf("found %d code sets, want the models' 100+", len(sets))
	}
	for cs := range sets {
		if len(cs.codes) == 0 {
			t.Errorf("%s: no codes", cs.name)
		}
		for code := range cs.codes {
			u := newEnum(cs)
			if err := u.UnmarshalJSON([]byte(strconv.Quote(code))); err != nil {
				t.Errorf("%s: code %q: %v", cs.name, code, err)
			}
		}
		if err := newEnum(cs).UnmarshalJSON([]byte(`"not-a-code"`)); err == nil {
			t.Errorf("%s: UnmarshalJSON accepted a bogus code", cs.name)
		}
	}
}

func newEnum(cs *codeSet) json.Unmarshaler {
	return reflect.New(cs.typ).Interface().(json.Unmarshaler)
}

func TestRequirements(t *testing.T) {
	s := loadSchema()
	tests := []struct {
		name string
		ct   *complexType
		want []requirement
	}{
		{"Observation", s.resources["Observation"].fields, []requirement{
			{label: "status", names: []string{"status"}},
			{label: "code", names: []string{"code"}},
		}},
		{"MedicationRequest", s.resources["MedicationRequest"].fields, []requirement{
			{label: "status", names: []string{"status"}},
			{label: "intent", names: []string{"intent"}},
			{label: "medication[x]", names: []string{"medicationCodeableConcept", "medicationReference"}},
			{label: "subject", names: []string{"subject"}},
		}},
		{"Bundle.entry.request", s.resources["Bundle"].fields.elements["entry"].complex.elements["request"].complex, []requirement{
			{label: "method", names: []string{"method"}},
			{label: "url", names: []string{"url"}},
		}},
		{"Patient", s.resources["Patient"].fields, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.ct.required, cmp.AllowUnexported(requirement{})); diff != "" {
				t.Errorf("required mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDomainResources(t *testing.T) {
	s := loadSchema()
	for name, rs := range s.resources {
		want := name != "Bundle" && name != "Binary" && name != "Parameters"
		if rs.domain != want {
			t.Errorf("%s: domain = %v, want %v", name, rs.domain, want)
		}
	}
}

func TestElementKinds(t *testing.T) {
	obs := loadSchema().resources["Observation"].fields
	tests := []struct {
		path  []string
		kind  kind
		array bool
	}{
		{[]string{"id"}, kindString, false},
		{[]string{"status"}, kindCode, false},
		{[]string{"category"}, kindComplex, true},
		{[]string{"valueBoolean"}, kindBool, false},
		{[]string{"valueInteger"}, kindInteger, false},
		{[]string{"valueQuantity", "value"}, kindDecimal, false},
		{[]string{"meta", "profile"}, kindString, true},
		{[]string{"code", "coding", "system"}, kindString, false},
	}
	for _, tc := range tests {
		ct := obs
		var el *element
		for _, p := range tc.path {
			el = ct.elements[p]
			if el == nil {
				t.Fatalf("%v: no element %q", tc.path, p)
			}
			ct = el.complex
		}
		if el.kind != tc.kind || el.array != tc.array {
			t.Errorf("%v: kind %d array %v, want %d %v", tc.path, el.kind, el.array, tc.kind, tc.array)
		}
	}
	entry := loadSchema().resources["Bundle"].fields.elements["entry"].complex
	if k := entry.elements["resource"].kind; k != kindResource {
		t.Errorf("Bundle.entry.resource kind %d, want kindResource", k)
	}
}
