package fhirproxy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/validate"
)

// historyRefs lists "METHOD Type/id/_history/v" for each history entry.
func historyRefs(t *testing.T, base string, b bundle) []string {
	t.Helper()
	if b.Type != "history" {
		t.Fatalf("Bundle.type %q, want history", b.Type)
	}
	var out []string
	for _, e := range b.Entry {
		if e.Request == nil || e.Response == nil {
			t.Fatalf("history entry without request or response: %+v", e)
		}
		ref := e.FullURL
		if e.Response.Etag == "" {
			t.Errorf("history entry %s has no etag", ref)
		}
		var v string
		fmt.Sscanf(e.Response.Etag, `W/"%s`, &v)
		v = v[:len(v)-1]
		if len(e.Resource) > 0 {
			var h resourceHead
			json.Unmarshal(e.Resource, &h)
			if h.Meta.VersionID != v {
				t.Errorf("%s: meta.versionId %q, etag %q", ref, h.Meta.VersionID, e.Response.Etag)
			}
		}
		out = append(out, e.Request.Method+" "+strings.TrimPrefix(ref, base+"/")+"/"+v)
	}
	return out
}

// TestHistory covers instance, type and system history (FHIR R4
// §3.1.0.12): newest first, every version including deletes, _count
// paging with next links, and _since.
func TestHistory(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.put(`{"resourceType":"Patient","id":"a","gender":"male"}`)
	s.put(`{"resourceType":"Patient","id":"b","gender":"male"}`)
	s.put(`{"resourceType":"Patient","id":"a","gender":"female"}`)
	obs := `{"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/a"}}`
	s.put(obs)
	time.Sleep(5 * time.Millisecond)
	mid := time.Now().UTC()
	time.Sleep(5 * time.Millisecond)
	if r := s.do(http.MethodDelete, "/Patient/b", nil); r.Status != http.StatusNoContent {
		t.Fatal(r.Status)
	}
	s.put(`{"resourceType":"Patient","id":"a","gender":"other"}`)

	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/Patient/a/_history", []string{"PUT Patient/a/3", "PUT Patient/a/2", "POST Patient/a/1"}},
		{"/Patient/_history", []string{"PUT Patient/a/3", "DELETE Patient/b/2", "PUT Patient/a/2", "POST Patient/b/1", "POST Patient/a/1"}},
		{"/_history", []string{"PUT Patient/a/3", "DELETE Patient/b/2", "POST Observation/o/1", "PUT Patient/a/2", "POST Patient/b/1", "POST Patient/a/1"}},
		{"/_history?_since=" + url.QueryEscape(mid.Format(time.RFC3339Nano)), []string{"PUT Patient/a/3", "DELETE Patient/b/2"}},
		{"/Patient/a/_history?_since=" + url.QueryEscape(mid.Format(time.RFC3339Nano)), []string{"PUT Patient/a/3"}},
		{"/Observation/_history", []string{"POST Observation/o/1"}},
		{"/Encounter/_history", nil},
	} {
		t.Run(tc.path, func(t *testing.T) {
			s := s.with(t)
			r := s.get(tc.path)
			if r.Status != http.StatusOK {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if _, _, err := validate.Check(r.Body, "Bundle"); err != nil {
				t.Errorf("not a valid Bundle: %v", err)
			}
			got := historyRefs(t, s.base, r.bundle(t))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// Paging: _count=2 over the system history, following next links.
	var pages [][]string
	next := "/_history?_count=2"
	for next != "" && len(pages) < 10 {
		b := s.get(next).bundle(t)
		pages = append(pages, historyRefs(t, s.base, b))
		if self := historyRefs(t, s.base, s.get(b.link("self")).bundle(t)); !cmp.Equal(self, pages[len(pages)-1]) {
			t.Errorf("page %d: its self link answers %v", len(pages), self)
		}
		next = b.link("next")
		if len(b.Entry) > 2 {
			t.Errorf("a _count=2 page has %d entries", len(b.Entry))
		}
	}
	var all []string
	for _, p := range pages {
		all = append(all, p...)
	}
	want := []string{"PUT Patient/a/3", "DELETE Patient/b/2", "POST Observation/o/1", "PUT Patient/a/2", "POST Patient/b/1", "POST Patient/a/1"}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("paged history (-want +got):\n%s", diff)
	}
	// Instance history pages the same way.
	b := s.get("/Patient/a/_history?_count=1").bundle(t)
	var inst []string
	for range 5 {
		inst = append(inst, historyRefs(t, s.base, b)...)
		if b.link("next") == "" {
			break
		}
		b = s.get(b.link("next")).bundle(t)
	}
	if diff := cmp.Diff([]string{"PUT Patient/a/3", "PUT Patient/a/2", "POST Patient/a/1"}, inst); diff != "" {
		t.Errorf("paged instance history (-want +got):\n%s", diff)
	}

	// The history of a resource that never existed is 404, as a read is
	// (HAPI FHIR answers the same); a deleted one keeps its history.
	wantError(t, s.get("/Patient/nobody/_history"), http.StatusNotFound, "not-found", "")
	if r := s.get("/Patient/b/_history"); r.Status != http.StatusOK {
		t.Errorf("history of a deleted patient: %d %s", r.Status, r.Body)
	}
	wantError(t, s.get("/_history?_since=yesterday"), http.StatusBadRequest, "invalid", "_since")
	wantError(t, s.get("/_history?_count=-1"), http.StatusBadRequest, "invalid", "_count")
	wantError(t, s.get("/Patient/a/_history?bogus=1", "Prefer", "handling=strict"), http.StatusBadRequest, "not-supported", "bogus")
	// A history bundle cannot report an ignored parameter, so even without
	// strict handling an unsupported one is refused, never dropped.
	wantError(t, s.get("/_history?_at=2020"), http.StatusBadRequest, "not-supported", "_at")
	wantError(t, s.get("/_history?_cursor=!!"), http.StatusBadRequest, "invalid", "_cursor")
}
