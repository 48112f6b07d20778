package fhirproxy_test

import (
	"net/http"
	"strings"
	"testing"

	"smartd/server"
)

// TestErrors checks that every refusal is an OperationOutcome with the
// right status and issue type, naming the element or parameter at fault
// (FHIR R4 §3.1.0.4.1 and http.html "HTTP Status Codes").
func TestErrors(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.put(`{"resourceType":"Patient","id":"p"}`)
	s.put(`{"resourceType":"Patient","id":"deleted"}`)
	if r := s.do(http.MethodDelete, "/Patient/deleted", nil); r.Status != http.StatusNoContent {
		t.Fatal(r.Status)
	}
	long := strings.Repeat("a", 65)
	for _, tc := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code, expr               string
	}{
		{"bad JSON", "POST", "/Patient", `{"resourceType":"Patient",`, nil, 400, "structure", ""},
		{"not an object", "POST", "/Patient", `["Patient"]`, nil, 400, "structure", ""},
		{"trailing data", "POST", "/Patient", `{"resourceType":"Patient"} {}`, nil, 400, "structure", ""},
		{"empty body", "POST", "/Patient", ``, nil, 400, "", ""},
		{"wrong type for the URL", "POST", "/Patient", `{"resourceType":"Observation","status":"final","code":{"text":"x"}}`, nil, 400, "invalid", "resourceType"},
		{"no resourceType", "POST", "/Patient", `{"id":"x"}`, nil, 400, "", "resourceType"},
		{"unknown resourceType in body", "POST", "/Patient", `{"resourceType":"Patience"}`, nil, 400, "", "resourceType"},
		{"unknown element", "POST", "/Patient", `{"resourceType":"Patient","nickname":"Jo"}`, nil, 400, "structure", "Patient.nickname"},
		{"unknown nested element", "POST", "/Patient", `{"resourceType":"Patient","name":[{"family":"A","middle":"B"}]}`, nil, 400, "structure", "Patient.name[0].middle"},
		{"wrong JSON kind", "POST", "/Patient", `{"resourceType":"Patient","active":"yes"}`, nil, 400, "", "Patient.active"},
		{"missing required element", "POST", "/Observation", `{"resourceType":"Observation","code":{"text":"x"}}`, nil, 422, "required", "Observation.status"},
		{"missing required nested element", "POST", "/Patient", `{"resourceType":"Patient","link":[{"type":"seealso"}]}`, nil, 422, "required", "Patient.link[0].other"},
		{"bad code", "POST", "/Patient", `{"resourceType":"Patient","gender":"unknownish"}`, nil, 422, "code-invalid", "Patient.gender"},
		{"bad code in update", "PUT", "/Patient/p", `{"resourceType":"Patient","id":"p","gender":"x"}`, nil, 422, "code-invalid", "Patient.gender"},
		{"malformed id in body", "PUT", "/Patient/p", `{"resourceType":"Patient","id":"p q"}`, nil, 400, "", "Patient.id"},
		{"version conflict", "PUT", "/Patient/p", `{"resourceType":"Patient","id":"p"}`, []string{"If-Match", `W/"9"`}, 412, "conflict", ""},
		{"unknown resource type", "GET", "/Patience", "", nil, 404, "not-supported", "Patience"},
		{"unknown resource type read", "GET", "/Patience/1", "", nil, 404, "not-supported", "Patience"},
		{"unknown resource type create", "POST", "/Patience", `{"resourceType":"Patience"}`, nil, 404, "not-supported", "Patience"},
		{"lower-case type", "GET", "/patient/p", "", nil, 404, "not-supported", "patient"},
		{"not found", "GET", "/Patient/nobody", "", nil, 404, "not-found", ""},
		{"gone", "GET", "/Patient/deleted", "", nil, 410, "deleted", ""},
		{"malformed id", "GET", "/Patient/a_b", "", nil, 400, "invalid", "a_b"},
		{"id too long", "GET", "/Patient/" + long, "", nil, 400, "invalid", long},
		{"malformed id in update", "PUT", "/Patient/a_b", `{"resourceType":"Patient","id":"a_b"}`, nil, 400, "invalid", "a_b"},
		{"no interaction here", "GET", "/Patient/p/_history/1/extra", "", nil, 404, "not-supported", ""},
		{"DELETE on a type", "DELETE", "/Patient", "", nil, 405, "not-supported", ""},
		{"PATCH", "PATCH", "/Patient/p", `{}`, nil, 405, "not-supported", ""},
		{"POST to an instance", "POST", "/Patient/p", `{"resourceType":"Patient"}`, nil, 405, "not-supported", ""},
		{"PUT metadata", "PUT", "/metadata", `{}`, nil, 405, "not-supported", ""},
		{"DELETE history", "DELETE", "/_history", "", nil, 405, "not-supported", ""},
		{"GET _search", "GET", "/Patient/_search", "", nil, 405, "not-supported", ""},
		{"DELETE base", "DELETE", "", "", nil, 405, "not-supported", ""},
		{"unsupported _format", "GET", "/Patient/p?_format=xml", "", nil, 406, "not-supported", ""},
		{"unsupported Accept", "GET", "/Patient/p", "", []string{"Accept", "application/fhir+xml"}, 406, "not-supported", ""},
		{"unsupported Content-Type", "POST", "/Patient", `<Patient/>`, []string{"Content-Type", "application/fhir+xml"}, 415, "not-supported", ""},
		{"form body on a create", "POST", "/Patient", `gender=male`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "not-supported", ""},
		{"JSON body on _search", "POST", "/Patient/_search", `{"gender":"male"}`, nil, 415, "not-supported", ""},
		{"malformed If-Match", "PUT", "/Patient/p", `{"resourceType":"Patient","id":"p"}`, []string{"If-Match", "yesterday"}, 400, "invalid", "If-Match"},
		{"compartment of another type", "GET", "/Observation/o/Patient", "", nil, 400, "not-supported", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := s.with(t)
			var body []byte
			if tc.body != "" || tc.method == "POST" || tc.method == "PUT" {
				body = []byte(tc.body)
			}
			r := s.do(tc.method, tc.path, body, tc.headers...)
			wantError(t, r, tc.status, tc.code, tc.expr)
		})
	}
	if got := s.get("/Patient/p").resource(t).Meta.VersionID; got != "1" {
		t.Errorf("refused requests wrote Patient/p: version %s", got)
	}
	if c := s.counts(); c["Patient"] != 1 || len(c) != 1 {
		t.Errorf("refused requests wrote: %v", c)
	}
}

// TestMethodNotAllowed checks that a 405 names the methods the URL
// takes in an Allow header (RFC 9110 §15.5.6: the server MUST send it).
func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/Patient", "GET, HEAD, POST"},
		{"PATCH", "/Patient/p", "GET, HEAD, PUT, DELETE"},
		{"POST", "/Patient/p", "GET, HEAD, PUT, DELETE"},
		{"PUT", "/metadata", "GET, HEAD"},
		{"DELETE", "", "GET, HEAD, POST"},
		{"GET", "/Patient/_search", "POST"},
		{"POST", "/Patient/p/_history", "GET, HEAD"},
		{"OPTIONS", "/_history", "GET, HEAD"},
	} {
		r := s.do(tc.method, tc.path, nil)
		wantError(t, r, http.StatusMethodNotAllowed, "not-supported", "")
		if got := r.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}

// TestBodyTooLarge checks 413 for bodies over MaxBody, for resources and
// bundles alike, and that a body at the limit is read.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *server.Config) { c.MaxBody = 1024 })
	pad := func(n int) string {
		p := `{"resourceType":"Patient","name":[{"text":"`
		return p + strings.Repeat("x", n-len(p)-len(`"}]}`)) + `"}]}`
	}
	if r := s.do(http.MethodPost, "/Patient", []byte(pad(1024))); r.Status != http.StatusCreated {
		t.Errorf("a body of exactly MaxBody: %d %s", r.Status, r.Body)
	}
	wantError(t, s.do(http.MethodPost, "/Patient", []byte(pad(1025))), http.StatusRequestEntityTooLarge, "too-costly", "1024")
	wantError(t, s.do(http.MethodPut, "/Patient/big", []byte(pad(4096))), http.StatusRequestEntityTooLarge, "too-costly", "")
	bundle := `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + pad(2000) + `,"request":{"method":"POST","url":"Patient"}}]}`
	wantError(t, s.do(http.MethodPost, "", []byte(bundle)), http.StatusRequestEntityTooLarge, "too-costly", "")
	form := "name=" + strings.Repeat("x", 2000)
	wantError(t, s.do(http.MethodPost, "/Patient/_search", []byte(form), "Content-Type", "application/x-www-form-urlencoded"), http.StatusRequestEntityTooLarge, "too-costly", "")
	if c := s.counts(); c["Patient"] != 1 {
		t.Errorf("counts %v, want the one patient at the limit", c)
	}
}
