package fhirproxy_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// observation returns an Observation of patient with an id and a date.
func observation(id, patient, date string) string {
	o := `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/` + patient + `"}`
	if id != "" {
		o += `,"id":"` + id + `"`
	}
	if date != "" {
		o += `,"effectiveDateTime":"` + date + `"`
	}
	return o + "}"
}

// transaction builds a transaction bundle that PUTs resources with ids
// and POSTs the others.
func transaction(resources ...string) []byte {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[`)
	for i, r := range resources {
		if i > 0 {
			b.WriteByte(',')
		}
		typ := r[len(`{"resourceType":"`) : strings.Index(r[len(`{"resourceType":"`):], `"`)+len(`{"resourceType":"`)]
		req := `{"method":"POST","url":"` + typ + `"}`
		if _, after, ok := strings.Cut(r, `"id":"`); ok {
			id := after[:strings.IndexByte(after, '"')]
			req = `{"method":"PUT","url":"` + typ + "/" + id + `"}`
		}
		b.WriteString(`{"resource":` + r + `,"request":` + req + `}`)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// pageThrough follows next links from first, calling between after each
// page, and returns the match refs page by page. Each page's self link
// must answer that same page.
func pageThrough(t *testing.T, s *testServer, first string, count int, between func(page int)) [][]string {
	t.Helper()
	var pages [][]string
	next := first
	for next != "" {
		if len(pages) > 200 {
			t.Fatal("more than 200 pages: the next links loop")
		}
		b := s.search(next)
		refs := b.refs("match")
		if len(refs) > count {
			t.Errorf("page %d has %d matches, _count is %d", len(pages), len(refs), count)
		}
		if len(refs) == 0 && b.link("next") != "" {
			t.Errorf("page %d is empty but has a next link", len(pages))
		}
		if self := b.link("self"); self == "" {
			t.Errorf("page %d has no self link", len(pages))
		} else if again := s.search(self).refs("match"); !cmp.Equal(again, refs) {
			t.Errorf("page %d: its self link %s answers %v, not %v", len(pages), self, again, refs)
		}
		pages = append(pages, refs)
		next = b.link("next")
		if between != nil {
			between(len(pages))
		}
	}
	return pages
}

func flatten(pages [][]string) []string {
	var out []string
	for _, p := range pages {
		out = append(out, p...)
	}
	return out
}

// TestSearchPaging checks keyset paging (FHIR R4 §3.1.1.6 "Paging"):
// next links keep working, results come in id order, and resources added
// between page fetches cause neither duplicates nor gaps: the union of the
// pages is the original set plus possibly some of the new resources.
func TestSearchPaging(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.put(`{"resourceType":"Patient","id":"pp"}`)
	var resources []string
	for i := range 23 {
		resources = append(resources, observation(fmt.Sprintf("obs-%02d", i*4+2), "pp", ""))
	}
	resources = append(resources, observation("", "other", "")) // not a match
	s.submit(transaction(resources...))
	var original []string
	for i := range 23 {
		original = append(original, fmt.Sprintf("Observation/obs-%02d", i*4+2))
	}

	// Plain paging: id order, every match once.
	pages := pageThrough(t, s, "/Observation?patient=pp&_count=5", 5, nil)
	if len(pages) != 5 {
		t.Errorf("%d pages, want 5", len(pages))
	}
	if diff := cmp.Diff(original, flatten(pages)); diff != "" {
		t.Errorf("paged results (-want +got):\n%s", diff)
	}

	// Insert matching resources between page fetches: some before the
	// cursor, some after it, some server-assigned.
	var added []string
	n := 0
	pages = pageThrough(t, s, "/Observation?patient=pp&_count=4", 4, func(page int) {
		for _, id := range []string{fmt.Sprintf("obs-%02d", page*12+1), fmt.Sprintf("obs-%02d", 99-page), "obs-00" + fmt.Sprint(page)} {
			n++
			if got := s.put(observation(id, "pp", "")); got.ID != id {
				t.Fatal(got)
			}
			added = append(added, "Observation/"+id)
		}
		added = append(added, "Observation/"+s.create(observation("", "pp", "")))
	})
	got := flatten(pages)
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r] {
			t.Errorf("%s is on two pages", r)
		}
		seen[r] = true
	}
	for _, r := range original {
		if !seen[r] {
			t.Errorf("%s, there before the first page, is on none", r)
		}
		delete(seen, r)
	}
	for _, r := range added {
		delete(seen, r)
	}
	if len(seen) > 0 {
		t.Errorf("pages hold resources that are neither original nor added: %v", seen)
	}
	if !slices.IsSorted(got) {
		t.Errorf("unsorted paging is not in id order: %v", got)
	}
	if n == 0 {
		t.Fatal("nothing was inserted between pages")
	}
}

// TestSearchSortPaging checks _sort on dates, ascending and descending,
// with ties broken by id and resources without a value last, across
// pages, also with resources added between pages.
func TestSearchSortPaging(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	dates := []string{"2020-01-01", "2019-06-01T10:00:00Z", "2020-01-01", "2021", "", "2019-06-01T12:00:00+02:00", "2020-01-01", "2018-12-31T23:00:00-05:00", "", "2022-02-02"}
	var resources []string
	for i, d := range dates {
		resources = append(resources, observation(fmt.Sprintf("s%d", i), "ps", d))
	}
	s.submit(transaction(resources...))
	// UTC starts: s7 2019-01-01T04:00, s5 2019-06-01T10:00 (tie with s1),
	// s1, s0 s2 s6 2020-01-01, s3 2021, s9 2022, then s4 s8 with no date.
	asc := []string{"s7", "s1", "s5", "s0", "s2", "s6", "s3", "s9", "s4", "s8"}
	desc := []string{"s9", "s3", "s0", "s2", "s6", "s1", "s5", "s7", "s4", "s8"}
	for _, tc := range []struct {
		sort string
		want []string
	}{
		{"date", asc},
		{"-date", desc},
		{"-date,_lastUpdated", desc},
		{"_id", []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"}},
		{"-_id", []string{"s9", "s8", "s7", "s6", "s5", "s4", "s3", "s2", "s1", "s0"}},
		{"date,-_id", []string{"s7", "s5", "s1", "s6", "s2", "s0", "s3", "s9", "s8", "s4"}},
	} {
		for _, count := range []int{1, 3, 4, 50} {
			pages := pageThrough(t, s, fmt.Sprintf("/Observation?patient=ps&_sort=%s&_count=%d", tc.sort, count), count, nil)
			var got []string
			for _, r := range flatten(pages) {
				got = append(got, strings.TrimPrefix(r, "Observation/"))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("_sort=%s _count=%d (-want +got):\n%s", tc.sort, count, diff)
			}
		}
	}

	// New resources between pages: still no duplicates, every original.
	i := 0
	pages := pageThrough(t, s, "/Observation?patient=ps&_sort=-date&_count=3", 3, func(int) {
		i++
		s.put(observation(fmt.Sprintf("n%d", i), "ps", fmt.Sprintf("20%02d", 17+i)))
	})
	seen := map[string]int{}
	for _, r := range flatten(pages) {
		seen[strings.TrimPrefix(r, "Observation/")]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s is on %d pages", id, n)
		}
	}
	for _, id := range desc {
		if seen[id] != 1 {
			t.Errorf("%s is missing from the pages", id)
		}
	}
}

// TestSystemSearchPaging pages a system search across types, with page
// boundaries at and inside the type boundaries.
func TestSystemSearchPaging(t *testing.T) {
	t.Parallel()
	s := newFixtureServer(t)
	all := sorted(s.search("?_type=Patient,Observation,Condition&_count=100").refs("match"))
	if len(all) != 11 {
		t.Fatalf("%d resources, want 11: %v", len(all), all)
	}
	for count := 1; count <= 12; count++ {
		for _, extra := range []string{"", "&_total=accurate"} {
			pages := pageThrough(t, s, fmt.Sprintf("?_type=Patient,Observation,Condition&_count=%d%s", count, extra), count, nil)
			if diff := cmp.Diff(all, sorted(flatten(pages))); diff != "" {
				t.Errorf("_count=%d%s (-want +got):\n%s", count, extra, diff)
			}
		}
	}
	b := s.search("?_type=Patient,Observation,Condition&_count=2&_total=accurate")
	if b.Total == nil || *b.Total != 11 {
		t.Errorf("_total=accurate on a system search: %v", b.Total)
	}
	// _sort on a system search is not applied: it is reported, or refused
	// under strict handling, never silently dropped.
	out := s.search("?_type=Patient&_sort=-_lastUpdated").outcomes(t)
	if len(out) != 1 || len(out[0].Issue) != 1 || !cmp.Equal(out[0].Issue[0].Expression, []string{"_sort"}) {
		t.Errorf("system search _sort: outcome %+v, want an issue on _sort", out)
	}
	wantError(t, s.get("?_type=Patient&_sort=-_lastUpdated", "Prefer", "handling=strict"), http.StatusBadRequest, "not-supported", "_sort")
}
