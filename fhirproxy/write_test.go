package fhirproxy_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCreate covers create (FHIR R4 §3.1.0.6): 201, a server-assigned id
// (any id in the body is replaced), Location with the version, ETag,
// Last-Modified, and version 1 in meta.
func TestCreate(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	body := `{"resourceType":"Patient","id":"client-chose-this","meta":{"versionId":"99","tag":[{"system":"urn:t","code":"x"}]},"gender":"female"}`
	r := s.do(http.MethodPost, "/Patient", []byte(body))
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	res := r.resource(t)
	if res.ID == "" || res.ID == "client-chose-this" {
		t.Errorf("create kept or lost the id: %q", res.ID)
	}
	if res.Meta.VersionID != "1" || res.Meta.LastUpdated == "" {
		t.Errorf("meta %+v, want version 1 and lastUpdated", res.Meta)
	}
	if len(res.Meta.Tag) != 1 || res.Meta.Tag[0].Code != "x" {
		t.Errorf("meta.tag lost: %s", r.Body)
	}
	if got, want := r.Header.Get("Location"), s.base+"/Patient/"+res.ID+"/_history/1"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	if got := r.Header.Get("ETag"); got != `W/"1"` {
		t.Errorf("ETag %q", got)
	}
	if r.Header.Get("Last-Modified") == "" {
		t.Error("no Last-Modified")
	}
	if diff := cmp.Diff(string(r.Body), string(s.get("/Patient/"+res.ID).Body)); diff != "" {
		t.Errorf("create's body differs from a read:\n%s", diff)
	}
	// Two creates get two ids.
	if a, b := s.create(body), s.create(body); a == b {
		t.Errorf("two creates got the same id %q", a)
	}
	// application/json is accepted as the request content type too.
	r = s.do(http.MethodPost, "/Patient", []byte(body), "Content-Type", "application/json")
	if r.Status != http.StatusCreated {
		t.Errorf("create with application/json: %d %s", r.Status, r.Body)
	}
	wantError(t, s.do(http.MethodPost, "/Patient", []byte(body), "Content-Type", "application/xml"), http.StatusUnsupportedMediaType, "not-supported", "")
}

// TestConditionalCreate covers If-None-Exist (FHIR R4 §3.1.0.8): no
// match creates, one match returns it with 200, several fail with 412.
func TestConditionalCreate(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	body := `{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"42"}]}`
	first := s.do(http.MethodPost, "/Patient", []byte(body), "If-None-Exist", "identifier=urn:mrn|42")
	if first.Status != http.StatusCreated {
		t.Fatalf("first conditional create: %d %s", first.Status, first.Body)
	}
	again := s.do(http.MethodPost, "/Patient", []byte(body), "If-None-Exist", "identifier=urn:mrn|42")
	if again.Status != http.StatusOK || again.resource(t).ID != first.resource(t).ID {
		t.Errorf("second conditional create: %d %s, want 200 with %s", again.Status, again.Body, first.resource(t).ID)
	}
	// A client learns which resource matched from Location, as after a
	// create (HAPI FHIR sends it too); Prefer: return=minimal leaves nothing else.
	if got, want := again.Header.Get("Location"), first.Header.Get("Location"); got != want {
		t.Errorf("second conditional create: Location %q, want %q", got, want)
	}
	// Result parameters do not change what the condition matches.
	for _, cond := range []string{"identifier=urn:mrn|42&_summary=count", "identifier=urn:mrn|42&_count=0", "identifier=urn:mrn|42&_cursor=eyJpIjoienp6In0"} {
		r := s.do(http.MethodPost, "/Patient", []byte(body), "If-None-Exist", cond)
		if r.Status != http.StatusOK || r.resource(t).ID != first.resource(t).ID {
			t.Errorf("If-None-Exist %s: %d %s, want 200 with %s", cond, r.Status, r.Body, first.resource(t).ID)
		}
	}
	s.create(body) // a duplicate, unconditionally
	wantError(t, s.do(http.MethodPost, "/Patient", []byte(body), "If-None-Exist", "identifier=urn:mrn|42"), http.StatusPreconditionFailed, "multiple-matches", "")
	wantError(t, s.do(http.MethodPost, "/Patient", []byte(body), "If-None-Exist", "bogus=1"), http.StatusBadRequest, "", "bogus")
	if got := s.counts()["Patient"]; got != 2 {
		t.Errorf("%d patients, want 2", got)
	}
}

// TestUpdate covers update (FHIR R4 §3.1.0.4): create-on-update with a
// client id (201), update (200) with a new version, the id rules, and
// If-Match optimistic locking (412 on mismatch).
func TestUpdate(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	v1 := `{"resourceType":"Patient","id":"p1","gender":"male"}`
	r := s.do(http.MethodPut, "/Patient/p1", []byte(v1))
	if r.Status != http.StatusCreated {
		t.Fatalf("create-on-update: %d %s", r.Status, r.Body)
	}
	if got, want := r.Header.Get("Location"), s.base+"/Patient/p1/_history/1"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	if res := r.resource(t); res.ID != "p1" || res.Meta.VersionID != "1" {
		t.Errorf("create-on-update wrote %+v", res)
	}

	v2 := `{"resourceType":"Patient","id":"p1","gender":"female"}`
	r = s.do(http.MethodPut, "/Patient/p1", []byte(v2))
	if r.Status != http.StatusOK || r.Header.Get("ETag") != `W/"2"` || r.resource(t).Meta.VersionID != "2" {
		t.Fatalf("update: %d ETag %q %s", r.Status, r.Header.Get("ETag"), r.Body)
	}
	if !strings.Contains(string(s.get("/Patient/p1").Body), `"gender":"female"`) {
		t.Error("the update is not read back")
	}
	// The index follows the update: the old value no longer matches.
	if got := s.search("/Patient?gender=male").ids(); len(got) != 0 {
		t.Errorf("gender=male still finds %v after the update", got)
	}
	if got := s.search("/Patient?gender=female").ids(); !cmp.Equal(got, []string{"p1"}) {
		t.Errorf("gender=female finds %v", got)
	}

	// If-Match: the current version updates, another is refused.
	r = s.do(http.MethodPut, "/Patient/p1", []byte(v1), "If-Match", `W/"2"`)
	if r.Status != http.StatusOK || r.resource(t).Meta.VersionID != "3" {
		t.Fatalf("update If-Match W/\"2\": %d %s", r.Status, r.Body)
	}
	wantError(t, s.do(http.MethodPut, "/Patient/p1", []byte(v2), "If-Match", `W/"2"`), http.StatusPreconditionFailed, "conflict", "")
	wantError(t, s.do(http.MethodPut, "/Patient/p1", []byte(v2), "If-Match", `"2"`), http.StatusPreconditionFailed, "conflict", "")
	wantError(t, s.do(http.MethodPut, "/Patient/p1", []byte(v2), "If-Match", `W/"x"`), http.StatusBadRequest, "invalid", "If-Match")
	wantError(t, s.do(http.MethodPut, "/Patient/nobody", []byte(`{"resourceType":"Patient","id":"nobody"}`), "If-Match", `W/"1"`), http.StatusPreconditionFailed, "conflict", "")
	if got := s.get("/Patient/p1").resource(t).Meta.VersionID; got != "3" {
		t.Errorf("refused updates wrote: version %s", got)
	}

	// The body's id must be there and match the URL's.
	wantError(t, s.do(http.MethodPut, "/Patient/p1", []byte(`{"resourceType":"Patient"}`)), http.StatusBadRequest, "required", "Patient.id")
	wantError(t, s.do(http.MethodPut, "/Patient/p1", []byte(`{"resourceType":"Patient","id":"p2"}`)), http.StatusBadRequest, "invalid", "Patient.id")
	wantError(t, s.do(http.MethodPut, "/Patient/p1", []byte(`{"resourceType":"Observation","id":"p1","status":"final","code":{"text":"x"}}`)), http.StatusBadRequest, "invalid", "resourceType")
	wantError(t, s.do(http.MethodPut, "/Patient/p1", nil), http.StatusBadRequest, "invalid", "")
}

// TestDelete covers delete (FHIR R4 §3.1.0.7): 204, then read is 410 and
// history keeps every version; If-Match on delete; deleting again or
// deleting nothing succeeds; a PUT after a delete recreates (201).
func TestDelete(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.put(`{"resourceType":"Patient","id":"d1","gender":"male"}`)
	s.put(`{"resourceType":"Patient","id":"d1","gender":"female"}`)

	wantError(t, s.do(http.MethodDelete, "/Patient/d1", nil, "If-Match", `W/"1"`), http.StatusPreconditionFailed, "conflict", "")
	r := s.do(http.MethodDelete, "/Patient/d1", nil, "If-Match", `W/"2"`)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if got := r.Header.Get("ETag"); got != `W/"3"` {
		t.Errorf("delete ETag %q, want W/\"3\"", got)
	}
	wantError(t, s.get("/Patient/d1"), http.StatusGone, "deleted", "")
	wantError(t, s.get("/Patient/d1/_history/3"), http.StatusGone, "deleted", "")
	if r := s.get("/Patient/d1/_history/2"); r.Status != http.StatusOK {
		t.Errorf("vread of a version before the delete: %d", r.Status)
	}
	h := s.get("/Patient/d1/_history").bundle(t)
	var statuses []string
	for _, e := range h.Entry {
		statuses = append(statuses, e.Request.Method+" "+e.Response.Status)
	}
	if diff := cmp.Diff([]string{"DELETE 204 No Content", "PUT 200 OK", "POST 201 Created"}, statuses); diff != "" {
		t.Errorf("history after delete (-want +got):\n%s", diff)
	}
	if got := s.search("/Patient").ids(); len(got) != 0 {
		t.Errorf("a deleted patient is still found: %v", got)
	}
	if got := s.counts()["Patient"]; got != 0 {
		t.Errorf("counts say %d patients after the delete", got)
	}

	// Deleting again changes nothing; deleting what never existed is fine.
	if r := s.do(http.MethodDelete, "/Patient/d1", nil); r.Status != http.StatusNoContent {
		t.Errorf("second delete: %d %s", r.Status, r.Body)
	}
	if n := len(s.get("/Patient/d1/_history").bundle(t).Entry); n != 3 {
		t.Errorf("a second delete wrote a version: %d versions", n)
	}
	if r := s.do(http.MethodDelete, "/Patient/never", nil); r.Status != http.StatusNoContent {
		t.Errorf("delete of nothing: %d %s", r.Status, r.Body)
	}

	// Recreate by PUT.
	r = s.do(http.MethodPut, "/Patient/d1", []byte(`{"resourceType":"Patient","id":"d1"}`))
	if r.Status != http.StatusCreated || r.resource(t).Meta.VersionID != "4" {
		t.Errorf("PUT after delete: %d %s, want 201 version 4", r.Status, r.Body)
	}
}

// TestPrefer covers Prefer: return (FHIR R4 §3.1.0.4.1 / http.html#ops):
// representation by default, minimal, and OperationOutcome.
func TestPrefer(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	body := []byte(`{"resourceType":"Patient","gender":"male"}`)
	for _, tc := range []struct {
		prefer string
		want   string // resourceType of the body, "" for none
	}{
		{"", "Patient"},
		{"return=representation", "Patient"},
		{"return=minimal", ""},
		{"return=OperationOutcome", "OperationOutcome"},
		{"handling=lenient; return=minimal", ""},
	} {
		t.Run(tc.prefer, func(t *testing.T) {
			s := s.with(t)
			var hdr []string
			if tc.prefer != "" {
				hdr = []string{"Prefer", tc.prefer}
			}
			for _, step := range []struct {
				method, path string
				status       int
			}{
				{http.MethodPost, "/Patient", http.StatusCreated},
				{http.MethodPut, "/Patient/pref", 0},
			} {
				b := body
				if step.method == http.MethodPut {
					b = []byte(`{"resourceType":"Patient","id":"pref"}`)
				}
				r := s.do(step.method, step.path, b, hdr...)
				if step.status != 0 && r.Status != step.status || r.Status >= 300 {
					t.Fatalf("%s %s: %d %s", step.method, step.path, r.Status, r.Body)
				}
				if r.Header.Get("Location") == "" || r.Header.Get("ETag") == "" {
					t.Errorf("%s: Location %q ETag %q", step.method, r.Header.Get("Location"), r.Header.Get("ETag"))
				}
				if tc.want == "" {
					if len(r.Body) != 0 {
						t.Errorf("%s return=minimal sent %s", step.method, r.Body)
					}
					continue
				}
				if got := resourceType(t, r.Body); got != tc.want {
					t.Errorf("%s body is a %s, want %s", step.method, got, tc.want)
				}
			}
		})
	}
}

// TestConcurrentWrites checks that concurrent writes (which bbolt may
// coalesce into one transaction) each get their own version: of many
// updates with the same If-Match exactly one wins, and concurrent creates
// all land with distinct ids.
func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.put(`{"resourceType":"Patient","id":"race"}`)
	const n = 12
	statuses := make(chan int, n)
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf(`{"resourceType":"Patient","id":"race","gender":"%s"}`, []string{"male", "female"}[i%2])
			statuses <- s.do(http.MethodPut, "/Patient/race", []byte(body), "If-Match", `W/"1"`).Status
		})
		wg.Go(func() {
			r := s.do(http.MethodPost, "/Observation", []byte(observation("", "race", "")))
			if r.Status == http.StatusCreated {
				ids <- r.resource(t).ID
			}
		})
	}
	wg.Wait()
	close(statuses)
	close(ids)
	won := 0
	for st := range statuses {
		switch st {
		case http.StatusOK:
			won++
		case http.StatusPreconditionFailed:
		default:
			t.Errorf("update status %d", st)
		}
	}
	if won != 1 {
		t.Errorf("%d updates with If-Match W/\"1\" succeeded, want 1", won)
	}
	if got := s.get("/Patient/race").resource(t).Meta.VersionID; got != "2" {
		t.Errorf("version %s, want 2", got)
	}
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct observations created, want %d", len(seen), n)
	}
	if got := s.search("/Observation?patient=race&_summary=count").Total; got == nil || *got != n {
		t.Errorf("search finds %v observations, want %d", got, n)
	}
	if c := s.counts(); c["Observation"] != n || c["Patient"] != 1 {
		t.Errorf("counts %v", c)
	}
	if h := s.get("/_history?_count=100").bundle(t); len(h.Entry) != 2+n {
		t.Errorf("system history has %d entries, want %d", len(h.Entry), 2+n)
	}
}
