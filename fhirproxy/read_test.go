package fhirproxy_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const patientJSON = `{"resourceType":"Patient","name":[{"family":"Ñúñez","given":["José"]}],"gender":"male","birthDate":"1971-03-14"}`

// TestRead covers read and vread (FHIR R4 §3.1.0.2, §3.1.0.3): status,
// ETag, Last-Modified, Content-Type and the stored meta.
func TestRead(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.create(patientJSON)
	upd := strings.Replace(patientJSON, `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"`+id+`","active":true,`, 1)
	if got := s.put(upd); got.Meta.VersionID != "2" {
		t.Fatalf("update wrote version %q, want 2", got.Meta.VersionID)
	}

	r := s.get("/Patient/" + id)
	if r.Status != http.StatusOK {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	if got, want := r.Header.Get("Content-Type"), "application/fhir+json; charset=utf-8"; got != want {
		t.Errorf("Content-Type %q, want %q", got, want)
	}
	if got := r.Header.Get("ETag"); got != `W/"2"` {
		t.Errorf("ETag %q, want W/\"2\"", got)
	}
	res := r.resource(t)
	if res.ID != id || res.Meta.VersionID != "2" {
		t.Errorf("read id %q version %q, want %q 2", res.ID, res.Meta.VersionID, id)
	}
	lu, err := time.Parse(time.RFC3339Nano, res.Meta.LastUpdated)
	if err != nil {
		t.Fatalf("meta.lastUpdated %q: %v", res.Meta.LastUpdated, err)
	}
	if d := time.Since(lu); d < 0 || d > time.Minute {
		t.Errorf("meta.lastUpdated %s is not now", lu)
	}
	lm, err := http.ParseTime(r.Header.Get("Last-Modified"))
	if err != nil || !lm.Equal(lu.Truncate(time.Second)) {
		t.Errorf("Last-Modified %q (%v), want %s", r.Header.Get("Last-Modified"), err, lu.Truncate(time.Second))
	}
	if !strings.Contains(string(r.Body), `"family":"Ñúñez"`) || !strings.Contains(string(r.Body), `"active":true`) {
		t.Errorf("read body lost content: %s", r.Body)
	}

	v1 := s.get("/Patient/" + id + "/_history/1")
	if v1.Status != http.StatusOK || v1.Header.Get("ETag") != `W/"1"` {
		t.Fatalf("vread 1: %d ETag %q", v1.Status, v1.Header.Get("ETag"))
	}
	if got := v1.resource(t); got.Meta.VersionID != "1" || strings.Contains(string(v1.Body), `"active"`) {
		t.Errorf("vread 1 returned %s", v1.Body)
	}
	v2 := s.get("/Patient/" + id + "/_history/2")
	if diff := cmp.Diff(string(r.Body), string(v2.Body)); diff != "" {
		t.Errorf("vread 2 differs from read (-read +vread):\n%s", diff)
	}

	// HEAD answers the read's headers without a body.
	h := s.do(http.MethodHead, "/Patient/"+id, nil)
	if h.Status != http.StatusOK || h.Header.Get("ETag") != `W/"2"` || len(h.Body) != 0 {
		t.Errorf("HEAD: %d ETag %q body %q", h.Status, h.Header.Get("ETag"), h.Body)
	}

	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/Patient/" + id + "/_history/3", http.StatusNotFound, "not-found"},
		{"/Patient/nope", http.StatusNotFound, "not-found"},
		{"/Observation/" + id, http.StatusNotFound, "not-found"},
		{"/Patient/" + id + "/_history/0", http.StatusBadRequest, "invalid"},
		{"/Patient/" + id + "/_history/x", http.StatusBadRequest, "invalid"},
	} {
		wantError(t, s.get(tc.path), tc.status, tc.code, "")
	}
}

// TestFormats covers content negotiation (FHIR R4 §3.1.0.1.10): JSON for
// application/json, */*, fhir+json and _format=json; 406 for XML and
// Turtle.
func TestFormats(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.create(patientJSON)
	for _, tc := range []struct {
		name   string
		query  string
		accept string
		status int
	}{
		{"no accept", "", "", 200},
		{"application/json", "", "application/json", 200},
		{"fhir+json", "", "application/fhir+json", 200},
		{"fhir+json with fhirVersion", "", "application/fhir+json; fhirVersion=4.0", 200},
		{"any", "", "*/*", 200},
		{"browser", "", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200},
		{"json after xml", "", "application/fhir+xml, application/json;q=0.5", 200},
		{"_format=json", "_format=json", "application/fhir+xml", 200},
		{"_format=application/fhir+json", "_format=application/fhir%2Bjson", "", 200},
		{"_format=application/json", "_format=application/json", "", 200},
		{"_format=application/fhir+json unencoded", "_format=application/fhir+json", "", 200},
		{"_format with fhirVersion", "_format=application%2Ffhir%2Bjson%3B%20fhirVersion%3D4.0", "", 200},
		{"_format=application/fhir+xml unencoded", "_format=application/fhir+xml", "", 406},
		{"_format=application/json+fhir unencoded", "_format=application/json+fhir", "", 200},
		{"_format=fhir+json unencoded, xml Accept", "_format=application/fhir+json", "application/fhir+xml", 200},
		{"fhir+xml", "", "application/fhir+xml", 406},
		{"xml", "", "application/xml", 406},
		{"turtle", "", "text/turtle", 406},
		{"_format=xml", "_format=xml", "", 406},
		{"_format=application/fhir+xml", "_format=application/fhir%2Bxml", "application/json", 406},
		{"_format=ttl", "_format=ttl", "", 406},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := s.with(t)
			target := "/Patient/" + id
			if tc.query != "" {
				target += "?" + tc.query
			}
			var r reply
			if tc.accept == "" {
				r = s.get(target)
			} else {
				r = s.get(target, "Accept", tc.accept)
			}
			if tc.status != 200 {
				wantError(t, r, tc.status, "not-supported", "")
				return
			}
			if r.Status != 200 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
				t.Errorf("Content-Type %q", ct)
			}
			if r.resource(t).ID != id {
				t.Errorf("body %s", r.Body)
			}
		})
	}

	// _pretty=true indents, and the content is the same.
	pretty := s.get("/Patient/" + id + "?_pretty=true")
	if !strings.Contains(string(pretty.Body), "\n  \"resourceType\": \"Patient\"") {
		t.Errorf("_pretty=true: %s", pretty.Body)
	}
	if diff := cmp.Diff(s.get("/Patient/"+id).object(t), pretty.object(t)); diff != "" {
		t.Errorf("_pretty changed the content:\n%s", diff)
	}
}

// TestBase checks that /fhir and /fhir/ are both the base and that nothing
// under /fhir redirects (the client refuses redirects).
func TestBase(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.create(patientJSON)
	for _, path := range []string{
		s.base, s.base + "/", s.base + "?_type=Patient", s.base + "/?_type=Patient",
		s.base + "/Patient", s.base + "/Patient/", s.base + "/Patient/" + id, s.base + "/Patient/" + id + "/",
		s.base + "/metadata", s.base + "/metadata/", s.base + "/_history", s.base + "/_history/",
	} {
		r := s.get(path)
		if r.Status != http.StatusOK {
			t.Errorf("GET %s: %d %.200s", path, r.Status, r.Body)
		}
	}
	for _, path := range []string{s.base + "/Patient//" + id, s.base + "//Patient"} {
		if r := s.get(path); r.Status >= 300 && r.Status < 400 {
			t.Errorf("GET %s redirected: %d", path, r.Status)
		}
	}
}
