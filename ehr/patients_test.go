package ehr_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

// rows returns the patient table's rows as cell texts.
func rows(doc *html.Node) [][]string {
	var out [][]string
	for _, tb := range elems(doc, "tbody") {
		for _, tr := range elems(tb, "tr") {
			var cells []string
			for c := range tr.ChildNodes() {
				if c.Type == html.ElementNode {
					cells = append(cells, text(c))
				}
			}
			out = append(out, cells)
		}
	}
	return out
}

func TestPatientList(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	jose := []string{"José Antonio Ñúñez", "male", "1971-03-14", "54 y", "100001"}
	tests := []struct {
		name   string
		query  url.Values
		status int
		want   [][]string // nil: only count
		count  int
		alert  string
	}{
		{"all", nil, http.StatusOK, nil, 6, ""},
		{"name, accents folded", url.Values{"name": {"nunez"}}, http.StatusOK, [][]string{jose}, 1, ""},
		{"birth date", url.Values{"birthdate": {"1971-03-14"}}, http.StatusOK, [][]string{jose}, 1, ""},
		{"MRN", url.Values{"identifier": {"100001"}}, http.StatusOK, [][]string{jose}, 1, ""},
		{"deceased and aged at death", url.Values{"name": {"kowalczyk"}}, http.StatusOK,
			[][]string{{"Walter Jan Kowalczyk deceased", "male", "1944-08-12", "80 y", "100004"}}, 1, ""},
		{"no match", url.Values{"name": {"zzzz"}}, http.StatusOK, nil, 0, ""},
		{"bad birth date", url.Values{"birthdate": {"yesterday"}}, http.StatusBadRequest, nil, 0, "The birth date must be a date, such as 1971-03-14."},
		{"bad cursor", url.Values{"cursor": {"!!"}}, http.StatusBadRequest, nil, 0, "This page of results is no longer available. Search again."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := b.get(basePath + "/ehr/?" + tc.query.Encode())
			if p.status != tc.status {
				t.Fatalf("status %d, want %d", p.status, tc.status)
			}
			got := rows(p.doc)
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			}
			if len(got) != tc.count {
				t.Errorf("%d rows, want %d", len(got), tc.count)
			}
			var alerts []string
			for _, n := range elems(p.doc, "p") {
				if attr(n, "role") == "alert" {
					alerts = append(alerts, text(n))
				}
			}
			if tc.alert != "" && !cmp.Equal(alerts, []string{tc.alert}) {
				t.Errorf("alerts %q, want [%q]", alerts, tc.alert)
			}
			// The search form is re-filled.
			for k := range tc.query {
				if k != "cursor" && hidden(p.doc, k) != tc.query.Get(k) {
					t.Errorf("field %s = %q, want %q", k, hidden(p.doc, k), tc.query.Get(k))
				}
			}
		})
	}
	// Each name links to the chart.
	p := b.get(basePath + "/ehr/?name=nunez")
	var links []string
	for _, a := range elems(p.doc, "a") {
		if strings.Contains(attr(a, "href"), "/patients/") {
			links = append(links, attr(a, "href"))
		}
	}
	if !cmp.Equal(links, []string{basePath + "/ehr/patients/smart-patient-1"}) {
		t.Errorf("chart links %q", links)
	}
}

func TestPatientListPaging(t *testing.T) {
	e := newEnv(t)
	// 45 more patients named Pager: three pages of 20, 20 and 5.
	var entries []string
	for i := range 45 {
		entries = append(entries, fmt.Sprintf(`{"resource":{"resourceType":"Patient","id":"pager-%02d","name":[{"family":"Pager","given":["P%02d"]}],"gender":"unknown","birthDate":"2000-01-01"},"request":{"method":"PUT","url":"Patient/pager-%02d"}}`, i, i, i))
	}
	if _, _, err := e.fhir.Submit([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(entries, ",") + `]}`)); err != nil {
		t.Fatal(err)
	}
	b := e.clinician()
	links := func(p page) (prev, next string) {
		for _, a := range elems(p.doc, "a") {
			switch attr(a, "rel") {
			case "prev":
				prev = attr(a, "href")
			case "next":
				next = attr(a, "href")
			}
		}
		return prev, next
	}
	var pages [][][]string
	var prevs []string
	path := basePath + "/ehr/?name=pager"
	for path != "" {
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, p.status)
		}
		if !strings.Contains(text(p.doc), "45 patients") {
			t.Errorf("page %d lacks the total", len(pages)+1)
		}
		if hidden(p.doc, "name") != "pager" {
			t.Errorf("page %d: search field %q", len(pages)+1, hidden(p.doc, "name"))
		}
		pages = append(pages, rows(p.doc))
		prev, next := links(p)
		prevs = append(prevs, prev)
		path = next
		if len(pages) > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(pages) != 3 || len(pages[0]) != 20 || len(pages[1]) != 20 || len(pages[2]) != 5 {
		t.Fatalf("page sizes %d, want 20, 20, 5", len(pages))
	}
	seen := map[string]bool{}
	for _, pg := range pages {
		for _, r := range pg {
			if seen[r[0]] {
				t.Errorf("%s listed twice", r[0])
			}
			seen[r[0]] = true
		}
	}
	if prevs[0] != "" {
		t.Errorf("first page has a previous link %q", prevs[0])
	}
	// Previous from the third page is the second, and from there the first.
	p2 := b.get(prevs[2])
	if diff := cmp.Diff(pages[1], rows(p2.doc)); diff != "" {
		t.Errorf("previous of page 3 (-page 2 +got):\n%s", diff)
	}
	prev, _ := links(p2)
	if diff := cmp.Diff(pages[0], rows(b.get(prev).doc)); diff != "" {
		t.Errorf("previous of page 2 (-page 1 +got):\n%s", diff)
	}
}
