package fhirproxy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entryStatuses lists the response status codes of a bundle's entries.
func entryStatuses(t *testing.T, b bundle) []string {
	t.Helper()
	var out []string
	for _, e := range b.Entry {
		if e.Response == nil {
			t.Fatalf("entry without response: %+v", e)
		}
		code, _, _ := strings.Cut(e.Response.Status, " ")
		out = append(out, code)
	}
	return out
}

// mixedBatch is a batch whose entries succeed and fail in every way;
// TestBatch needs Patient/old and Patient/gone to exist.
var mixedBatch = `{"resourceType":"Bundle","type":"batch","entry":[
	  {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","gender":"female","identifier":[{"system":"urn:x","value":"1"}]},"request":{"method":"POST","url":"Patient"}},
	  {"resource":{"resourceType":"Patient","id":"b1"},"request":{"method":"PUT","url":"Patient/b1"}},
	  {"resource":{"resourceType":"Patient","id":"b2","bogus":1},"request":{"method":"PUT","url":"Patient/b2"}},
	  {"request":{"method":"GET","url":"Patient/old"}},
	  {"request":{"method":"GET","url":"Patient?gender=male"}},
	  {"request":{"method":"DELETE","url":"Patient/gone"}},
	  {"request":{"method":"GET","url":"Patient/nobody"}},
	  {"resource":{"resourceType":"Patient","id":"old"},"request":{"method":"PUT","url":"Patient/old","ifMatch":"W/\"7\""}},
	  {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient","ifNoneExist":"_id=old"}},
	  {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"NoSuchType"}},
	  {"resource":{"resourceType":"Patient"}}
	]}`

// TestBatch covers batch bundles (FHIR R4 §3.1.0.11.1): each entry
// succeeds or fails alone, and the response has one entry per request
// entry, in the same order.
func TestBatch(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.put(`{"resourceType":"Patient","id":"old","gender":"male"}`)
	s.put(`{"resourceType":"Patient","id":"gone"}`)
	b := s.submit([]byte(mixedBatch))
	if b.Type != "batch-response" {
		t.Errorf("Bundle.type %q", b.Type)
	}
	want := []string{"201", "201", "400", "200", "200", "204", "404", "412", "200", "404", "400"}
	if diff := cmp.Diff(want, entryStatuses(t, b)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for i, e := range b.Entry {
		failed := e.Response.Status >= "400"
		if failed != (len(e.Response.Outcome) > 0) {
			t.Errorf("entry %d: status %s with outcome %s", i, e.Response.Status, e.Response.Outcome)
		}
		if failed != (e.Resource == nil) && !strings.HasPrefix(e.Response.Status, "204") {
			t.Errorf("entry %d: status %s with resource %s", i, e.Response.Status, e.Resource)
		}
	}
	if !strings.Contains(string(b.Entry[2].Response.Outcome), `"expression":["Bundle.entry[2].resource.bogus"]`) {
		t.Errorf("the failed entry's outcome does not name the entry's element: %s", b.Entry[2].Response.Outcome)
	}
	if got := resourceType(t, b.Entry[4].Resource); got != "Bundle" {
		t.Errorf("search entry answered a %s", got)
	}
	if l := b.Entry[0].Response.Location; !strings.HasPrefix(l, s.base+"/Patient/") {
		t.Errorf("created entry's location %q", l)
	}
	if b.Entry[0].Response.Etag != `W/"1"` || b.Entry[0].Response.LastModified == "" {
		t.Errorf("created entry's etag %q lastModified %q", b.Entry[0].Response.Etag, b.Entry[0].Response.LastModified)
	}
	if r := s.get("/Patient/gone"); r.Status != http.StatusGone {
		t.Errorf("the batch's delete: read answers %d", r.Status)
	}
	if r := s.get("/Patient/b2"); r.Status != http.StatusNotFound {
		t.Errorf("the refused entry was written: %d", r.Status)
	}

	// The base with a trailing slash takes bundles too.
	r := s.do(http.MethodPost, "/", []byte(`{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Patient/b1"}}]}`))
	if r.Status != http.StatusOK || !cmp.Equal(entryStatuses(t, r.bundle(t)), []string{"200"}) {
		t.Errorf("POST /fhir/: %d %s", r.Status, r.Body)
	}

	// Read-only interactions all answer inside a bundle.
	b = s.submit([]byte(`{"resourceType":"Bundle","type":"batch","entry":[
	  {"request":{"method":"GET","url":"metadata"}},
	  {"request":{"method":"GET","url":"Patient/old/_history/1"}},
	  {"request":{"method":"GET","url":"Patient/old/_history"}},
	  {"request":{"method":"GET","url":"_history?_count=1"}},
	  {"request":{"method":"GET","url":"Patient/old/$everything"}},
	  {"request":{"method":"GET","url":"?_type=Patient&_id=old"}},
	  {"request":{"method":"GET","url":"Patient/old/Observation"}}
	]}`))
	if diff := cmp.Diff([]string{"200", "200", "200", "200", "200", "200", "200"}, entryStatuses(t, b)); diff != "" {
		t.Errorf("read-only entries (-want +got):\n%s", diff)
	}
	for i, want := range []string{"CapabilityStatement", "Patient", "Bundle", "Bundle", "Bundle", "Bundle", "Bundle"} {
		if i < len(b.Entry) && b.Entry[i].Resource != nil && resourceType(t, b.Entry[i].Resource) != want {
			t.Errorf("entry %d answered a %s, want %s", i, resourceType(t, b.Entry[i].Resource), want)
		}
	}

	// return=minimal leaves the resources out.
	b = s.submit([]byte(`{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}]}`), "Prefer", "return=minimal")
	if len(b.Entry) != 1 || b.Entry[0].Resource != nil || b.Entry[0].Response.Location == "" {
		t.Errorf("return=minimal batch: %+v", b.Entry)
	}
}

// TestBatchConditionalCreate loads master data twice, as Synthea's batch
// bundles do: the second time, ifNoneExist finds every resource.
func TestBatchConditionalCreate(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	batch := []byte(`{"resourceType":"Bundle","type":"batch","entry":[
	  {"fullUrl":"urn:uuid:a","resource":{"resourceType":"Practitioner","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999912345"}]},
	   "request":{"method":"POST","url":"Practitioner","ifNoneExist":"identifier=http://hl7.org/fhir/sid/us-npi|9999912345"}},
	  {"fullUrl":"urn:uuid:b","resource":{"resourceType":"Organization","identifier":[{"system":"https://github.com/synthetichealth/synthea","value":"b"}],"name":"General"},
	   "request":{"method":"POST","url":"Organization","ifNoneExist":"identifier=https://github.com/synthetichealth/synthea|b"}}
	]}`)
	first := s.submit(batch)
	if diff := cmp.Diff([]string{"201", "201"}, entryStatuses(t, first)); diff != "" {
		t.Errorf("first load (-want +got):\n%s", diff)
	}
	second := s.submit(batch)
	if diff := cmp.Diff([]string{"200", "200"}, entryStatuses(t, second)); diff != "" {
		t.Errorf("second load (-want +got):\n%s", diff)
	}
	for i := range first.Entry {
		a, b := first.Entry[i], second.Entry[i]
		if a.Resource == nil || b.Resource == nil || resourceID(t, a.Resource) != resourceID(t, b.Resource) {
			t.Errorf("entry %d: created %s, found %s", i, a.Resource, b.Resource)
		}
		if b.Response.Location == "" || b.Response.Location != a.Response.Location {
			t.Errorf("entry %d: found location %q, want %q as created", i, b.Response.Location, a.Response.Location)
		}
	}
	if diff := cmp.Diff(map[string]int{"Practitioner": 1, "Organization": 1}, s.counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

// refusedBundles are bundles the base refuses whole, with the status and
// the expression the OperationOutcome must name.
var refusedBundles = []struct {
	name, body string
	status     int
	expr       string
}{
	{"not JSON", `{"resourceType":"Bundle",`, http.StatusBadRequest, ""},
	{"empty", ``, http.StatusBadRequest, ""},
	{"not a bundle", `{"resourceType":"Patient"}`, http.StatusBadRequest, "resourceType"},
	{"collection", `{"resourceType":"Bundle","type":"collection","entry":[]}`, http.StatusBadRequest, "Bundle.type"},
	{"searchset", `{"resourceType":"Bundle","type":"searchset"}`, http.StatusBadRequest, "Bundle.type"},
	{"no type", `{"resourceType":"Bundle"}`, http.StatusBadRequest, "Bundle.type"},
	{"entry without request", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}`, http.StatusBadRequest, "Bundle.entry[0].request"},
	{"nested bundle", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Bundle","type":"batch"},"request":{"method":"POST","url":"/"}}]}`, http.StatusBadRequest, "Bundle.entry[0]"},
	{"bad url", `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"GET","url":""}}]}`, http.StatusBadRequest, "Bundle.entry[0].request.url"},
	{"conditional update", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"PUT","url":"Patient?identifier=x"}}]}`, http.StatusBadRequest, "Bundle.entry[0].request.url"},
}

// TestBundleRefused covers bundles the base refuses whole.
func TestBundleRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, tc := range refusedBundles {
		t.Run(tc.name, func(t *testing.T) {
			s := s.with(t)
			r := s.do(http.MethodPost, "", []byte(tc.body))
			wantError(t, r, tc.status, "", tc.expr)
		})
	}
	if c := s.counts(); len(c) != 0 {
		t.Errorf("refused bundles wrote %v", c)
	}
	// A method the base does not take.
	wantError(t, s.do(http.MethodPut, "", []byte(`{"resourceType":"Bundle","type":"batch"}`)), http.StatusMethodNotAllowed, "not-supported", "")
}
