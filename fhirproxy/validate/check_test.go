package validate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// refusal is one document Check must refuse, with where and how.
type refusal struct {
	name     string
	raw      string
	wantType string
	status   int
	code     string
	element  string
	diag     string // if set, the exact Diagnostics
}

var refusals = []refusal{
	// Not a resource at all.
	{name: "invalid JSON", raw: `{"resourceType":`, status: 400, code: "structure"},
	{name: "empty body", raw: ``, status: 400, code: "structure", diag: "the body is empty"},
	{name: "array", raw: `[{"resourceType":"Patient"}]`, status: 400, code: "structure"},
	{name: "null", raw: `null`, status: 400, code: "structure"},
	{name: "string", raw: `"Patient"`, status: 400, code: "structure"},
	{name: "trailing data", raw: `{"resourceType":"Patient"} {}`, status: 400, code: "structure"},
	{name: "invalid UTF-8", raw: "{\"resourceType\":\"Patient\",\"gender\":\"\xff\"}", status: 400, code: "structure"},
	{name: "missing resourceType", raw: `{"id":"a"}`, status: 400, code: "structure", element: "resourceType", diag: "missing resourceType"},
	{name: "resourceType not a string", raw: `{"resourceType":1}`, status: 400, code: "structure", element: "resourceType"},
	{name: "unknown resource type", raw: `{"resourceType":"Foo"}`, status: 400, code: "invalid", element: "resourceType", diag: `unknown resource type "Foo"`},
	{name: "abstract resource type", raw: `{"resourceType":"DomainResource"}`, status: 400, code: "invalid", element: "resourceType"},
	{name: "resource type case", raw: `{"resourceType":"patient"}`, status: 400, code: "invalid", element: "resourceType"},
	{
		name: "type differs from the URL", raw: `{"resourceType":"Observation","status":"final","code":{"text":"x"}}`, wantType: "Patient",
		status: 400, code: "invalid", element: "resourceType", diag: `resource type "Observation" does not match the URL's "Patient"`,
	},

	// Unknown elements.
	{name: "unknown element", raw: `{"resourceType":"Patient","foo":1}`, status: 400, code: "structure", element: "Patient.foo", diag: `unknown element "foo" in Patient`},
	{
		name: "unknown nested element", raw: `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"s"},{"sytem":"s"}]}}`,
		status: 400, code: "structure", element: "Observation.code.coding[1].sytem", diag: `unknown element "sytem" in Observation.code.coding[1]`,
	},
	{name: "resourceType inside a data type", raw: `{"resourceType":"Patient","name":[{"resourceType":"HumanName"}]}`, status: 400, code: "structure", element: "Patient.name[0].resourceType"},
	{name: "contained on a Bundle", raw: `{"resourceType":"Bundle","type":"batch","contained":[{"resourceType":"Patient"}]}`, status: 400, code: "structure", element: "Bundle.contained"},
	{name: "choice type the element lacks", raw: `{"resourceType":"Patient","deceasedString":"yes"}`, status: 400, code: "structure", element: "Patient.deceasedString"},
	{name: "primitive extension of a complex element", raw: `{"resourceType":"Patient","_name":{"id":"a"}}`, status: 400, code: "structure", element: "Patient._name"},
	{name: "primitive extension of an unknown element", raw: `{"resourceType":"Patient","_foo":{"id":"a"}}`, status: 400, code: "structure", element: "Patient._foo"},
	{name: "primitive extension not an object", raw: `{"resourceType":"Patient","_birthDate":"x"}`, status: 400, code: "structure", element: "Patient._birthDate"},
	{name: "primitive extension with unknown element", raw: `{"resourceType":"Patient","_birthDate":{"url":"x"}}`, status: 400, code: "structure", element: "Patient._birthDate.url"},
	{name: "primitive extension array not an array", raw: `{"resourceType":"Patient","name":[{"given":["a"],"_given":{"id":"x"}}]}`, status: 400, code: "structure", element: "Patient.name[0]._given"},
	{name: "primitive extension array too short", raw: `{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null]}]}`, status: 400, code: "structure", element: "Patient.name[0]._given"},
	{name: "primitive extension array item a string", raw: `{"resourceType":"Patient","name":[{"given":["a"],"_given":["x"]}]}`, status: 400, code: "structure", element: "Patient.name[0]._given[0]"},
	{name: "null value and null extension", raw: `{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,null]}]}`, status: 400, code: "structure", element: "Patient.name[0]._given[1]"},

	// Wrong JSON types.
	{name: "number for a string", raw: `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":5}]}}`, status: 400, code: "structure", element: "Observation.code.coding[0].system"},
	{name: "string for a boolean", raw: `{"resourceType":"Patient","active":"true"}`, status: 400, code: "structure", element: "Patient.active"},
	{name: "string for a decimal", raw: `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"1.5"}}`, status: 400, code: "structure", element: "Observation.valueQuantity.value"},
	{name: "fraction for an integer", raw: `{"resourceType":"Patient","multipleBirthInteger":1.5}`, status: 400, code: "structure", element: "Patient.multipleBirthInteger"},
	{name: "exponent for an integer", raw: `{"resourceType":"Patient","multipleBirthInteger":1e2}`, status: 400, code: "structure", element: "Patient.multipleBirthInteger"},
	{name: "integer out of range", raw: `{"resourceType":"Patient","multipleBirthInteger":2147483648}`, status: 400, code: "value", element: "Patient.multipleBirthInteger"},
	{name: "object for an array", raw: `{"resourceType":"Patient","name":{"family":"x"}}`, status: 400, code: "structure", element: "Patient.name"},
	{name: "array for a single element", raw: `{"resourceType":"Patient","gender":["male"]}`, status: 400, code: "structure", element: "Patient.gender"},
	{name: "string for an object", raw: `{"resourceType":"Patient","maritalStatus":"M"}`, status: 400, code: "structure", element: "Patient.maritalStatus"},
	{name: "number for a code", raw: `{"resourceType":"Patient","gender":1}`, status: 400, code: "structure", element: "Patient.gender"},
	{name: "null", raw: `{"resourceType":"Patient","birthDate":null}`, status: 400, code: "structure", element: "Patient.birthDate"},
	{name: "null in an array without extension", raw: `{"resourceType":"Patient","name":[{"given":[null]}]}`, status: 400, code: "structure", element: "Patient.name[0].given[0]"},
	{name: "null in an array of objects", raw: `{"resourceType":"Patient","name":[null]}`, status: 400, code: "structure", element: "Patient.name[0]"},

	// Codes of required bindings.
	{name: "unknown gender", raw: `{"resourceType":"Patient","gender":"x"}`, status: 422, code: "code-invalid", element: "Patient.gender", diag: `unknown AdministrativeGender code "x"`},
	{name: "unknown status", raw: `{"resourceType":"Observation","status":"done","code":{"text":"x"}}`, status: 422, code: "code-invalid", element: "Observation.status"},
	{name: "code with a space", raw: `{"resourceType":"Patient","gender":"male "}`, status: 422, code: "code-invalid", element: "Patient.gender"},
	{name: "unknown code in a backbone element", raw: `{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"FETCH","url":"Patient"}}]}`, status: 422, code: "code-invalid", element: "Bundle.entry[0].request.method"},
	{name: "unknown code in an array", raw: `{"resourceType":"Patient","address":[{"use":"home"},{"type":"virtual"}]}`, status: 422, code: "code-invalid", element: "Patient.address[1].type"},

	// Required elements.
	{name: "missing code", raw: `{"resourceType":"Observation","status":"final"}`, status: 422, code: "required", element: "Observation.code", diag: `missing required element "code" in Observation`},
	{name: "missing status", raw: `{"resourceType":"Observation","code":{"text":"x"}}`, status: 422, code: "required", element: "Observation.status"},
	{name: "missing Bundle.type", raw: `{"resourceType":"Bundle"}`, status: 422, code: "required", element: "Bundle.type"},
	{
		name: "missing request method", raw: `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"url":"Patient"}}]}`,
		status: 422, code: "required", element: "Bundle.entry[0].request.method", diag: `missing required element "method" in Bundle.entry[0].request`,
	},
	{
		name: "missing required choice", raw: `{"resourceType":"MedicationRequest","status":"active","intent":"order","subject":{"reference":"Patient/1"}}`,
		status: 422, code: "required", element: "MedicationRequest.medication[x]",
	},
	{name: "missing Extension.url", raw: `{"resourceType":"Patient","extension":[{"valueString":"x"}]}`, status: 422, code: "required", element: "Patient.extension[0].url"},
	{name: "missing component code", raw: `{"resourceType":"Observation","status":"final","code":{"text":"x"},"component":[{"valueString":"x"}]}`, status: 422, code: "required", element: "Observation.component[0].code"},
	{name: "missing required array", raw: `{"resourceType":"Provenance","target":[{"reference":"Patient/1"}],"recorded":"2020-01-01T00:00:00Z"}`, status: 422, code: "required", element: "Provenance.agent"},

	// Resources inside resources.
	{
		name: "unknown element in an entry", raw: `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Patient","foo":1}}]}`,
		status: 400, code: "structure", element: "Bundle.entry[0].resource.foo", diag: `unknown element "foo" in Bundle.entry[0].resource`,
	},
	{name: "entry without resourceType", raw: `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"id":"a"}}]}`, status: 400, code: "structure", element: "Bundle.entry[0].resource.resourceType"},
	{name: "entry of unknown type", raw: `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Foo"}}]}`, status: 400, code: "invalid", element: "Bundle.entry[0].resource.resourceType"},
	{name: "entry resource not an object", raw: `{"resourceType":"Bundle","type":"batch","entry":[{"resource":"Patient"}]}`, status: 400, code: "structure", element: "Bundle.entry[0].resource"},
	{name: "entry missing required", raw: `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Observation","code":{"text":"x"}}}]}`, status: 422, code: "required", element: "Bundle.entry[0].resource.status"},
	{name: "bad response outcome", raw: `{"resourceType":"Bundle","type":"batch-response","entry":[{"response":{"status":"400","outcome":{"resourceType":"OperationOutcome"}}}]}`, status: 422, code: "required", element: "Bundle.entry[0].response.outcome.issue"},
	{name: "bad parameter resource", raw: `{"resourceType":"Parameters","parameter":[{"name":"p","resource":{"resourceType":"Patient","gender":"x"}}]}`, status: 422, code: "code-invalid", element: "Parameters.parameter[0].resource.gender"},
	{name: "bad contained resource", raw: `{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o"},{"resourceType":"Patient","gender":"x"}]}`, status: 422, code: "code-invalid", element: "Patient.contained[1].gender"},
	{name: "contained without resourceType", raw: `{"resourceType":"Patient","contained":[{"id":"o"}]}`, status: 400, code: "structure", element: "Patient.contained[0].resourceType"},
	{name: "contained not an array", raw: `{"resourceType":"Patient","contained":{"resourceType":"Organization"}}`, status: 400, code: "structure", element: "Patient.contained"},
	{name: "contained empty", raw: `{"resourceType":"Patient","contained":[]}`, status: 400, code: "structure", element: "Patient.contained"},
	{name: "contained item not an object", raw: `{"resourceType":"Patient","contained":["x"]}`, status: 400, code: "structure", element: "Patient.contained[0]"},
	{
		name: "contained in contained", raw: `{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","contained":[{"resourceType":"Organization","id":"p"}]}]}`,
		status: 400, code: "structure", element: "Patient.contained[0].contained",
	},

	// Resource ids.
	{name: "id with a space", raw: `{"resourceType":"Patient","id":"a b"}`, status: 400, code: "value", element: "Patient.id"},
	{name: "id with an underscore", raw: `{"resourceType":"Patient","id":"a_b"}`, status: 400, code: "value", element: "Patient.id"},
	{name: "id too long", raw: `{"resourceType":"Patient","id":"` + strings.Repeat("a", 65) + `"}`, status: 400, code: "value", element: "Patient.id"},
	{name: "id a number", raw: `{"resourceType":"Patient","id":1}`, status: 400, code: "structure", element: "Patient.id"},
	{name: "id empty", raw: `{"resourceType":"Patient","id":""}`, status: 400, code: "value", element: "Patient.id"},
	{name: "contained id", raw: `{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"#o"}]}`, status: 400, code: "value", element: "Patient.contained[0].id"},
	{name: "entry id", raw: `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Patient","id":"a/b"}}]}`, status: 400, code: "value", element: "Bundle.entry[0].resource.id"},

	// Empty values (R4 §2.6.2).
	{name: "empty array", raw: `{"resourceType":"Patient","name":[]}`, status: 400, code: "structure", element: "Patient.name"},
	{name: "empty object", raw: `{"resourceType":"Patient","name":[{}]}`, status: 400, code: "structure", element: "Patient.name[0]"},
	{name: "empty single object", raw: `{"resourceType":"Patient","maritalStatus":{}}`, status: 400, code: "structure", element: "Patient.maritalStatus"},
	{name: "empty string", raw: `{"resourceType":"Patient","birthDate":""}`, status: 400, code: "structure", element: "Patient.birthDate"},
	{name: "empty code", raw: `{"resourceType":"Patient","gender":""}`, status: 400, code: "structure", element: "Patient.gender"},
	{name: "empty string in an array", raw: `{"resourceType":"Patient","name":[{"given":["a",""]}]}`, status: 400, code: "structure", element: "Patient.name[0].given[1]"},
	{name: "empty primitive extension", raw: `{"resourceType":"Patient","_birthDate":{}}`, status: 400, code: "structure", element: "Patient._birthDate"},
	{name: "empty extension array", raw: `{"resourceType":"Patient","extension":[]}`, status: 400, code: "structure", element: "Patient.extension"},
}

func TestCheckRefuses(t *testing.T) {
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			rt, doc, err := Check([]byte(tc.raw), tc.wantType)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check() error = %v (%T), want *Error", err, err)
			}
			got := refusal{status: e.Status, code: e.Code, element: e.Element}
			want := refusal{status: tc.status, code: tc.code, element: tc.element}
			if tc.diag != "" {
				got.diag, want.diag = e.Diagnostics, tc.diag
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(refusal{})); diff != "" {
				t.Errorf("Check() refusal mismatch (-want +got):\n%s\n(error: %v)", diff, e)
			}
			if e.Diagnostics == "" {
				t.Error("Diagnostics is empty")
			}
			if rt != "" || doc != nil {
				t.Errorf("Check() = %q, %v with an error, want zero values", rt, doc)
			}
		})
	}
}

// acceptance is one document Check must accept.
type acceptance struct {
	name     string
	raw      string
	wantType string
	rt       string
}

var acceptances = []acceptance{
	{name: "only resourceType", raw: `{"resourceType":"Patient"}`, rt: "Patient"},
	{name: "wantType matches", raw: `{"resourceType":"Patient","id":"p-1.2"}`, wantType: "Patient", rt: "Patient"},
	{name: "longest id", raw: `{"resourceType":"Patient","id":"` + strings.Repeat("a", 64) + `"}`, rt: "Patient"},
	{name: "element id any string", raw: `{"resourceType":"Patient","name":[{"id":"#a b_c","family":"x"}]}`, rt: "Patient"},
	{name: "primitive extension beside its value", raw: `{"resourceType":"Patient","birthDate":"1970-01-01","_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1970-01-01T12:00:00Z"}]}}`, rt: "Patient"},
	{name: "primitive extension alone", raw: `{"resourceType":"Patient","_birthDate":{"id":"b"}}`, rt: "Patient"},
	{name: "required primitive given by its extension", raw: `{"resourceType":"Observation","_status":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"unknown"}]},"code":{"text":"x"}}`, rt: "Observation"},
	{name: "primitive array with nulls", raw: `{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,{"id":"g"}]}]}`, rt: "Patient"},
	{name: "resource id extension", raw: `{"resourceType":"Patient","id":"a","_id":{"id":"x"}}`, rt: "Patient"},
	{name: "required choice", raw: `{"resourceType":"MedicationRequest","status":"active","intent":"order","medicationReference":{"reference":"Medication/1"},"subject":{"reference":"Patient/1"}}`, rt: "MedicationRequest"},
	{name: "escaped code", raw: `{"resourceType":"Observation","status":"fin\u0061l","code":{"text":"x"},"valueQuantity":{"value":1,"comparator":"\u003c"}}`, rt: "Observation"},
	{name: "decimal with exponent", raw: `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.5e3}}`, rt: "Observation"},
	{name: "integer limits", raw: `{"resourceType":"Patient","multipleBirthInteger":-2147483648}`, rt: "Patient"},
	{
		name: "contained", raw: `{"resourceType":"ExplanationOfBenefit","id":"e","contained":[{"resourceType":"Coverage","id":"coverage","status":"active","beneficiary":{"reference":"Patient/1"},"payor":[{"display":"x"}]}],` +
			`"status":"active","type":{"text":"x"},"use":"claim","patient":{"reference":"Patient/1"},"created":"2020-01-01","insurer":{"display":"x"},"provider":{"display":"x"},"outcome":"complete",` +
			`"insurance":[{"focal":true,"coverage":{"reference":"#coverage"}}]}`,
		rt: "ExplanationOfBenefit",
	},
	{
		name: "bundle with entries", raw: `{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"1"},"request":{"method":"POST","url":"Patient"}},` +
			`{"request":{"method":"DELETE","url":"Patient/2"}}]}`,
		rt: "Bundle",
	},
	{name: "parameters with a resource", raw: `{"resourceType":"Parameters","parameter":[{"name":"r","resource":{"resourceType":"Patient"}},{"name":"p","part":[{"name":"q","valueString":"x"}]}]}`, rt: "Parameters"},
	{name: "binary", raw: `{"resourceType":"Binary","contentType":"text/plain","data":"eA=="}`, rt: "Binary"},
	{name: "leading and trailing whitespace", raw: " \n{\"resourceType\":\"Patient\"}\n ", rt: "Patient"},
	{name: "non-ASCII", raw: `{"resourceType":"Patient","name":[{"family":"Rodríquez611","given":["León820"]}]}`, rt: "Patient"},
}

func TestCheckAccepts(t *testing.T) {
	for _, tc := range acceptances {
		t.Run(tc.name, func(t *testing.T) {
			rt, doc, err := Check([]byte(tc.raw), tc.wantType)
			if err != nil {
				t.Fatalf("Check() error = %v", err)
			}
			if rt != tc.rt {
				t.Errorf("resourceType = %q, want %q", rt, tc.rt)
			}
			var want map[string]any
			dec := json.NewDecoder(strings.NewReader(tc.raw))
			dec.UseNumber()
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, doc); diff != "" {
				t.Errorf("doc mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckKeepsNumbers checks that the returned document holds numbers as written.
func TestCheckKeepsNumbers(t *testing.T) {
	raw := `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":28.104000000000003}}`
	_, doc, err := Check([]byte(raw), "Observation")
	if err != nil {
		t.Fatal(err)
	}
	got := doc["valueQuantity"].(map[string]any)["value"]
	if got != json.Number("28.104000000000003") {
		t.Errorf("value = %#v, want json.Number(\"28.104000000000003\")", got)
	}
}

// TestModelsRefuseEscapedCodes pins the samply behaviour modelError works around:
// if the models ever read escaped codes, the exception can go.
func TestModelsRefuseEscapedCodes(t *testing.T) {
	_, err := fhir.UnmarshalObservation([]byte(`{"status":"final","code":{"text":"x"},"valueQuantity":{"value":1,"comparator":"\u003c"}}`))
	if err == nil {
		t.Fatal("fhir.UnmarshalObservation accepted an escaped comparator; modelError's exception is no longer needed")
	}
	if e := modelError("Observation", err); e != nil {
		t.Errorf("modelError(%v) = %v, want nil", err, e)
	}
}

func TestModelError(t *testing.T) {
	_, typeErr := fhir.UnmarshalObservation([]byte(`{"status":"final","code":{"coding":[{"system":5}]}}`))
	tests := []struct {
		name string
		err  error
		want *Error
	}{
		{
			name: "type error",
			err:  typeErr,
			want: &Error{Status: 400, Code: "structure", Element: "Observation.code.coding.system", Diagnostics: "a JSON number cannot be read as string"},
		},
		{name: "enum error", err: errors.New("unknown ObservationStatus code `fin\\u0061l`"), want: nil},
		{name: "other error", err: errors.New("boom"), want: &Error{Status: 400, Code: "structure", Element: "Observation", Diagnostics: "the R4 models refuse the resource: boom"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, modelError("Observation", tc.err)); diff != "" {
				t.Errorf("modelError() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckDeterministic checks that a document with several errors always gets
// the same one, whatever the map order of the first walk.
func TestCheckDeterministic(t *testing.T) {
	raw := []byte(`{"resourceType":"Patient","zz":1,"aa":2,"gender":"x","name":[],"birthDate":"","mm":3}`)
	_, _, first := Check(raw, "")
	for range 50 {
		_, _, err := Check(raw, "")
		if diff := cmp.Diff(first, err); diff != "" {
			t.Fatalf("Check() differs between runs (-first +now):\n%s", diff)
		}
	}
	want := &Error{Status: 400, Code: "structure", Element: "Patient.aa", Diagnostics: `unknown element "aa" in Patient`}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("Check() mismatch (-want +got):\n%s", diff)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Element: "Patient.foo", Diagnostics: `unknown element "foo" in Patient`}, `Patient.foo: unknown element "foo" in Patient`},
		{&Error{Diagnostics: "the body is empty"}, "the body is empty"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// TestCheckConcurrent runs Check from several goroutines; run alone with -race
// (go test -race -run TestCheckConcurrent), their first calls race to build the schema.
func TestCheckConcurrent(t *testing.T) {
	done := make(chan error)
	for range 8 {
		go func() {
			_, _, err := Check([]byte(`{"resourceType":"Observation","status":"final","code":{"text":"x"}}`), "")
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
