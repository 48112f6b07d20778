package bundles_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/testdata/bundles"
)

// masterFile is the bundle every other bundle may reference.
const masterFile = "00-organization-practitioners.json"

type bundle struct {
	ResourceType string  `json:"resourceType"`
	Type         string  `json:"type"`
	Entry        []entry `json:"entry"`
}

type entry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Request  struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
}

// loaded is one entry with its resource decoded.
type loaded struct {
	file     string
	index    int
	entry    entry
	resource map[string]any
}

func (l loaded) typ() string { s, _ := l.resource["resourceType"].(string); return s }
func (l loaded) id() string  { s, _ := l.resource["id"].(string); return s }
func (l loaded) where() string {
	return fmt.Sprintf("%s entry %d (%s)", l.file, l.index, l.typ())
}

// decodeStrict decodes JSON refusing unknown fields and trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// load reads every bundle, failing the test on any file that is not a
// well-formed transaction; it returns the entries by file, in load order.
func load(t *testing.T) map[string][]loaded {
	t.Helper()
	out := map[string][]loaded{}
	for _, name := range bundles.Names() {
		data, err := bundles.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var b bundle
		if err := decodeStrict(data, &b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b.ResourceType != "Bundle" || b.Type != "transaction" || len(b.Entry) == 0 {
			t.Fatalf("%s: resourceType %q, type %q, %d entries; want a non-empty transaction Bundle",
				name, b.ResourceType, b.Type, len(b.Entry))
		}
		for i, e := range b.Entry {
			var r map[string]any
			if err := decodeStrict(e.Resource, &r); err != nil {
				t.Fatalf("%s entry %d: %v", name, i, err)
			}
			out[name] = append(out[name], loaded{file: name, index: i, entry: e, resource: r})
		}
	}
	return out
}

func TestNames(t *testing.T) {
	want := []string{
		masterFile,
		"10-jose-nunez.json",
		"11-aoife-oconnor.json",
		"12-eleanor-hargreaves.json",
		"13-walter-kowalczyk.json",
		"14-priya-raman.json",
		"15-kai-nakamura.json",
	}
	if diff := cmp.Diff(want, bundles.Names()); diff != "" {
		t.Errorf("Names() mismatch (-want +got):\n%s", diff)
	}
}

var (
	urnUUID = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	fhirID  = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
)

// TestEntries checks each entry's fullUrl and request: the first bundle PUTs
// everything, a patient bundle PUTs its Patient first and POSTs the rest.
func TestEntries(t *testing.T) {
	for file, entries := range load(t) {
		for _, l := range entries {
			e := l.entry
			if !urnUUID.MatchString(e.FullURL) {
				t.Errorf("%s: fullUrl %q is not a urn:uuid", l.where(), e.FullURL)
			}
			wantPut := file == masterFile || l.index == 0
			switch {
			case wantPut && e.Request.Method == "PUT":
				if !fhirID.MatchString(l.id()) || e.Request.URL != l.typ()+"/"+l.id() {
					t.Errorf("%s: PUT %q with id %q", l.where(), e.Request.URL, l.id())
				}
			case !wantPut && e.Request.Method == "POST":
				if e.Request.URL != l.typ() || l.id() != "" {
					t.Errorf("%s: POST %q with id %q; want the type and no id", l.where(), e.Request.URL, l.id())
				}
			default:
				t.Errorf("%s: method %q; want PUT only in %s and for the first entry", l.where(), e.Request.Method, masterFile)
			}
			if file != masterFile && (l.index == 0) != (l.typ() == "Patient") {
				t.Errorf("%s: a patient bundle holds one Patient, as its first entry", l.where())
			}
		}
	}
}

// TestUnique checks that fullUrls and stable ids are unique across bundles.
func TestUnique(t *testing.T) {
	seen := map[string]string{}
	for _, entries := range load(t) {
		for _, l := range entries {
			for _, key := range []string{l.entry.FullURL, l.entry.Request.Method + " " + l.entry.Request.URL} {
				if strings.HasPrefix(key, "POST ") {
					continue
				}
				if prev, ok := seen[key]; ok {
					t.Errorf("%s: %s also in %s", l.where(), key, prev)
				}
				seen[key] = l.where()
			}
		}
	}
}

// refTargets is the resource type each reference element may point to.
var refTargets = map[string]string{
	"subject":              "Patient",
	"patient":              "Patient",
	"encounter":            "Encounter",
	"requester":            "Practitioner",
	"recorder":             "Practitioner",
	"individual":           "Practitioner",
	"actor":                "Practitioner",
	"author":               "Practitioner",
	"generalPractitioner":  "Practitioner",
	"serviceProvider":      "Organization",
	"custodian":            "Organization",
	"managingOrganization": "Organization",
	"reasonReference":      "Condition",
}

// reference is one Reference.reference found in a resource, with the name of
// the element that holds it.
type reference struct{ element, value string }

// references walks v and returns every Reference.reference in it.
func references(element string, v any) []reference {
	var out []reference
	switch v := v.(type) {
	case map[string]any:
		if s, ok := v["reference"].(string); ok {
			out = append(out, reference{element, s})
		}
		for k, e := range v {
			out = append(out, references(k, e)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, references(element, e)...)
		}
	}
	return out
}

// TestReferences checks that every reference resolves: a urn:uuid to an
// earlier entry of the same bundle, Type/id to a resource PUT by the first
// bundle, and Type?identifier=system|value to exactly one resource there. It
// also checks the target's type and that a patient bundle only refers to its
// own Patient.
func TestReferences(t *testing.T) {
	all := load(t)
	master := map[string]loaded{} // "Type/id" -> entry
	for _, l := range all[masterFile] {
		master[l.typ()+"/"+l.id()] = l
	}
	conditionalSeen := map[string]bool{}
	for file, entries := range all {
		earlier := map[string]loaded{}
		for _, l := range entries {
			for _, r := range references(l.typ(), l.resource) {
				var target loaded
				var ok bool
				switch {
				case strings.HasPrefix(r.value, "urn:uuid:"):
					target, ok = earlier[r.value]
				case strings.Contains(r.value, "?"):
					target, ok = resolveConditional(t, master, r.value)
					conditionalSeen[strings.SplitN(r.value, "?", 2)[0]] = true
				default:
					target, ok = master[r.value]
				}
				if !ok {
					t.Errorf("%s: %s reference %q does not resolve", l.where(), r.element, r.value)
					continue
				}
				if want := refTargets[r.element]; target.typ() != want {
					t.Errorf("%s: %s points to a %s; want %s", l.where(), r.element, target.typ(), want)
				}
				if target.typ() == "Patient" && target.file != file {
					t.Errorf("%s: refers to the patient of %s", l.where(), target.file)
				}
			}
			earlier[l.entry.FullURL] = l
		}
	}
	if diff := cmp.Diff(map[string]bool{"Practitioner": true, "Organization": true}, conditionalSeen); diff != "" {
		t.Errorf("conditional reference types (-want +got):\n%s", diff)
	}
}

// resolveConditional finds the one master resource that a conditional
// reference "Type?identifier=system|value" names.
func resolveConditional(t *testing.T, master map[string]loaded, ref string) (loaded, bool) {
	typ, query, _ := strings.Cut(ref, "?")
	system, value, ok := strings.Cut(strings.TrimPrefix(query, "identifier="), "|")
	if !ok || !strings.HasPrefix(query, "identifier=") {
		t.Errorf("conditional reference %q is not Type?identifier=system|value", ref)
		return loaded{}, false
	}
	var found []loaded
	for _, l := range master {
		ids, _ := l.resource["identifier"].([]any)
		for _, id := range ids {
			m, _ := id.(map[string]any)
			if l.typ() == typ && m["system"] == system && m["value"] == value {
				found = append(found, l)
			}
		}
	}
	if len(found) != 1 {
		return loaded{}, false
	}
	return found[0], true
}
