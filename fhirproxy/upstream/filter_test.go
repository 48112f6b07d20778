package upstream

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/authz/scope"
	"smartd/fhirproxy"
)

const (
	testUpstream = "https://up.example/fhir"
	testBase     = "http://front.example:8080/fhir"
)

func testHandler() *Handler { return &Handler{upstream: testUpstream, base: testBase} }

// access returns an Access for scopes with patient in context.
func access(t testing.TB, scopes, patient string) *fhirproxy.Access {
	t.Helper()
	s, err := scope.Parse(scopes)
	if err != nil {
		t.Fatal(err)
	}
	return &fhirproxy.Access{Scopes: s, Patient: patient}
}

func TestRewrite(t *testing.T) {
	h := testHandler()
	for _, tc := range []struct{ in, want string }{
		{testUpstream, testBase},
		{testUpstream + "/Patient/1", testBase + "/Patient/1"},
		{testUpstream + "?_getpages=x", testBase + "?_getpages=x"},
		{testUpstream + "/Observation/1/_history/2", testBase + "/Observation/1/_history/2"},
		{testUpstream + "2/Patient/1", testUpstream + "2/Patient/1"}, // another base
		{"https://other.example/fhir/Patient/1", "https://other.example/fhir/Patient/1"},
		{"Patient/1", "Patient/1"},
		{"", ""},
	} {
		if got := h.rewrite(tc.in); got != tc.want {
			t.Errorf("rewrite(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// entryJSON is a searchset entry of a resource.
func entryJSON(mode, resource string) string {
	var hd head
	json.Unmarshal([]byte(resource), &hd)
	return `{"fullUrl":"` + testUpstream + `/` + hd.ResourceType + `/` + hd.ID + `","resource":` + resource + `,"search":{"mode":"` + mode + `"}}`
}

func obs(id, patient string) string {
	return `{"resourceType":"Observation","id":"` + id + `","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/` + patient + `"}}`
}

const (
	patA    = `{"resourceType":"Patient","id":"A"}`
	patB    = `{"resourceType":"Patient","id":"B"}`
	doctor  = `{"resourceType":"Practitioner","id":"D"}`
	warning = `{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"not-supported"}]}`
)

// searchset is an upstream searchset with entries.
func searchset(total string, entries ...string) string {
	b := `{"resourceType":"Bundle","type":"searchset"`
	if total != "" {
		b += `,"total":` + total
	}
	return b + `,"link":[{"relation":"self","url":"` + testUpstream + `/Observation?patient=A&_count=5"},` +
		`{"relation":"next","url":"` + testUpstream + `/Observation?patient=A&_count=5&_cursor=x"}],"entry":[` + strings.Join(entries, ",") + `]}`
}

// want is the front's searchset: links and fullUrls rewritten.
func want(total string, entries ...string) string {
	return strings.ReplaceAll(searchset(total, entries...), testUpstream, testBase)
}

func TestFilterBundle(t *testing.T) {
	h := testHandler()
	all := []string{
		entryJSON("match", obs("1", "A")), entryJSON("match", obs("2", "B")),
		entryJSON("include", patA), entryJSON("include", patB), entryJSON("include", doctor),
		`{"resource":` + warning + `,"search":{"mode":"outcome"}}`,
	}
	history := `{"resourceType":"Bundle","type":"history","total":4,"entry":[` +
		`{"fullUrl":"` + testUpstream + `/Observation/1","resource":` + obs("1", "A") + `,"request":{"method":"PUT","url":"Observation/1"},"response":{"status":"200","location":"` + testUpstream + `/Observation/1/_history/2"}},` +
		`{"fullUrl":"` + testUpstream + `/Observation/2","request":{"method":"DELETE","url":"Observation/2"},"response":{"status":"204"}},` +
		`{"fullUrl":"` + testUpstream + `/Patient/A","request":{"method":"DELETE","url":"Patient/A"},"response":{"status":"204"}},` +
		`{"fullUrl":"` + testUpstream + `/Patient/B","request":{"method":"DELETE","url":"` + testUpstream + `/Patient/B/_history/3"},"response":{"status":"204"}}]}`
	for _, tc := range []struct {
		name   string
		access *fhirproxy.Access
		req    fhirproxy.Request
		in     string
		want   string
	}{
		{"patient token: B's matches and includes dropped, total dropped", access(t, "patient/*.rs", "A"),
			fhirproxy.Request{Interaction: fhirproxy.SearchType, Type: "Observation"}, searchset("6", all...),
			want("", all[0], all[2], all[4], all[5])},
		{"patient token with read but not search: nothing", access(t, "patient/*.r", "A"),
			fhirproxy.Request{Interaction: fhirproxy.SearchType, Type: "Observation"}, searchset("6", all...),
			want("", all[5])},
		{"system token: all, total kept", access(t, "system/*.rs", ""),
			fhirproxy.Request{Interaction: fhirproxy.SearchType, Type: "Observation"}, searchset("6", all...),
			want("6", all...)},
		{"system token, system search by _type: total kept", access(t, "system/*.rs", ""),
			fhirproxy.Request{Interaction: fhirproxy.SearchSystem, Query: url.Values{"_type": {"Observation,Patient"}}}, searchset("6", all...),
			want("6", all...)},
		{"system token, system search of every type: total dropped", access(t, "system/*.rs", ""),
			fhirproxy.Request{Interaction: fhirproxy.SearchSystem}, searchset("6", all...),
			want("", all...)},
		{"trusted path: all, total kept", nil,
			fhirproxy.Request{Interaction: fhirproxy.SearchType, Type: "Observation"}, searchset("6", all...),
			want("6", all...)},
		{"empty searchset", access(t, "patient/*.rs", "A"),
			fhirproxy.Request{Interaction: fhirproxy.SearchType, Type: "Observation"}, searchset("0"), want("")},
		{"history: deletions kept only where the whole type or the patient is seen", access(t, "patient/*.rs", "A"),
			fhirproxy.Request{Interaction: fhirproxy.HistorySystem}, history,
			`{"resourceType":"Bundle","type":"history","entry":[` +
				`{"fullUrl":"` + testBase + `/Observation/1","resource":` + obs("1", "A") + `,"request":{"method":"PUT","url":"Observation/1"},"response":{"status":"200","location":"` + testBase + `/Observation/1/_history/2"}},` +
				`{"fullUrl":"` + testBase + `/Patient/A","request":{"method":"DELETE","url":"Patient/A"},"response":{"status":"204"}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Access = tc.access
			got, err := h.filterBundle(&req, []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatalf("%v: %s", err, got)
			}
			json.Unmarshal([]byte(tc.want), &w)
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(string(got), `{"resourceType":"Bundle"`) {
				t.Errorf("the members lost their order: %.60s", got)
			}
		})
	}
}

func TestFilterBundleRefusesOtherAnswers(t *testing.T) {
	h := testHandler()
	req := &fhirproxy.Request{Interaction: fhirproxy.SearchType, Type: "Observation", Access: access(t, "patient/*.rs", "A")}
	for _, in := range []string{patA, `[]`, `{"resourceType":"Bundle","entry":{}}`, `{"resourceType":"Bundle","entry":[1]}`, `{"resourceType":"Bundle","link":7}`} {
		if got, err := h.filterBundle(req, []byte(in)); err == nil {
			t.Errorf("%s: got %s, want an error", in, got)
		}
	}
}

// FuzzFilterBundle checks, for any upstream answer, that what a patient
// token is shown is valid JSON without a total, and that each entry it
// keeps holds a resource the token may see, the server's own warnings,
// or a deletion of its own patient.
func FuzzFilterBundle(f *testing.F) {
	entries := []string{entryJSON("match", obs("1", "A")), entryJSON("match", obs("2", "B")), entryJSON("include", patB),
		`{"resource":` + warning + `,"search":{"mode":"outcome"}}`, `{"request":{"method":"DELETE","url":"Patient/A"}}`}
	f.Add([]byte(searchset("5", entries...)))
	f.Add([]byte(searchset("")))
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","subject":{"reference":"Patient/A"}}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","subject":"Patient/B"}}]}`))
	h := testHandler()
	a := access(f, "patient/*.rs", "A")
	f.Fuzz(func(t *testing.T, in []byte) {
		req := &fhirproxy.Request{Interaction: fhirproxy.SearchType, Type: "Observation", Access: a}
		out, err := h.filterBundle(req, in)
		if err != nil {
			return
		}
		var b struct {
			Total *json.RawMessage `json:"total"`
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
				Search   struct{ Mode string }
				Request  struct{ URL string }
			} `json:"entry"`
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("%q filtered into invalid JSON %q: %v", in, out, err)
		}
		if b.Total != nil {
			t.Errorf("total %s kept", *b.Total)
		}
		for _, e := range b.Entry {
			if e.Resource == nil {
				if e.Request.URL != "Patient/A" && !strings.HasPrefix(e.Request.URL, "Patient/A/") &&
					!strings.HasPrefix(e.Request.URL, testUpstream+"/Patient/A") && !strings.HasPrefix(e.Request.URL, testBase+"/Patient/A") {
					t.Errorf("kept a deletion of %q", e.Request.URL)
				}
				continue
			}
			if e.Search.Mode == "outcome" && isOutcome(e.Resource) {
				continue
			}
			var hd head
			json.Unmarshal(e.Resource, &hd)
			if ok, err := a.Sees(fhirproxy.SearchType, hd.ResourceType, hd.ID, e.Resource, testUpstream); !ok || err != nil {
				t.Errorf("kept %s, which the token may not see", e.Resource)
			}
		}
	})
}
