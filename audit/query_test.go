package audit

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// queryStart is the time of the first record of the query fixture.
var queryStart = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// fixture records twelve actions, one a minute, named r0..r11 in their
// RequestID.
func fixture(t testing.TB) *Log {
	t.Helper()
	l, _ := openTest(t, Options{Retention: -1})
	recs := []Record{
		{Kind: KindAuth, ClientID: "growth", User: "dr.morgan", Interaction: AuthLogin, Status: 302},
		{Kind: KindAuth, ClientID: "growth", User: "Practitioner/p1", Interaction: AuthAuthorize, Status: 302, Scope: "launch patient/*.rs"},
		{Kind: KindAuth, ClientID: "growth", Interaction: AuthToken, Status: 200},
		{Kind: KindFHIR, ClientID: "growth", User: "Practitioner/p1", Patient: "A", Interaction: "read", ResourceType: "Patient", ResourceID: "A", Status: 200},
		{Kind: KindFHIR, ClientID: "growth", User: "Practitioner/p1", Patient: "A", Interaction: "read", ResourceType: "Patient", ResourceID: "B", Status: 403, Reason: "outside the patient compartment"},
		{Kind: KindFHIR, ClientID: "growth", User: "Practitioner/p1", Patient: "A", Interaction: "search-type", ResourceType: "Observation", Query: "patient=A", Status: 200},
		{Kind: KindFHIR, Interaction: "read", ResourceType: "Patient", ResourceID: "A", Status: 401, Reason: "no token"},
		{Kind: KindAuth, ClientID: "backend", Interaction: AuthToken, Status: 401, Reason: "invalid_client: assertion signature"},
		{Kind: KindAuth, ClientID: "backend", Interaction: AuthToken, Status: 200, Scope: "system/*.rs"},
		{Kind: KindFHIR, ClientID: "backend", Interaction: "search-type", ResourceType: "Observation", Status: 200},
		{Kind: KindFHIR, ClientID: "backend", Interaction: "read", ResourceType: "Observation", ResourceID: "x", Status: 404},
		{Kind: KindFHIR, ClientID: "growth-2", Interaction: "read", ResourceType: "Patient", ResourceID: "A", Status: 500},
	}
	for i, r := range recs {
		r.Time = queryStart.Add(time.Duration(i) * time.Minute)
		r.RequestID = fmt.Sprintf("r%d", i)
		l.Record(r)
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestQueryFilters(t *testing.T) {
	l := fixture(t)
	at := func(m int) time.Time { return queryStart.Add(time.Duration(m) * time.Minute) }
	for _, c := range []struct {
		name string
		f    Filter
		want []string
	}{
		{"everything", Filter{}, []string{"r11", "r10", "r9", "r8", "r7", "r6", "r5", "r4", "r3", "r2", "r1", "r0"}},
		{"client growth (not growth-2)", Filter{ClientID: "growth"}, []string{"r5", "r4", "r3", "r2", "r1", "r0"}},
		{"client backend", Filter{ClientID: "backend"}, []string{"r10", "r9", "r8", "r7"}},
		{"unknown client", Filter{ClientID: "nobody"}, []string{}},
		{"user", Filter{User: "Practitioner/p1"}, []string{"r5", "r4", "r3", "r1"}},
		{"patient", Filter{Patient: "A"}, []string{"r5", "r4", "r3"}},
		{"kind auth", Filter{Kind: KindAuth}, []string{"r8", "r7", "r2", "r1", "r0"}},
		{"denied", Filter{Outcome: OutcomeDenied}, []string{"r7", "r6", "r4"}},
		{"failure", Filter{Outcome: OutcomeFailure}, []string{"r11", "r10"}},
		{"type", Filter{ResourceType: "Observation"}, []string{"r10", "r9", "r5"}},
		{"since, inclusive", Filter{Since: at(9)}, []string{"r11", "r10", "r9"}},
		{"until, exclusive", Filter{Until: at(2)}, []string{"r1", "r0"}},
		{"window", Filter{Since: at(3), Until: at(6)}, []string{"r5", "r4", "r3"}},
		{"client and window", Filter{ClientID: "growth", Since: at(2), Until: at(4)}, []string{"r3", "r2"}},
		{"client, denied", Filter{ClientID: "backend", Outcome: OutcomeDenied}, []string{"r7"}},
		{"until before everything", Filter{Until: at(-1)}, []string{}},
		{"since after everything", Filter{Since: at(12)}, []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := requestIDs(all(t, l, c.f))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryPaging(t *testing.T) {
	l := fixture(t)
	for _, c := range []struct {
		name  string
		f     Filter
		pages []string
	}{
		{"pages of 5", Filter{Limit: 5}, []string{"[r11 r10 r9 r8 r7]", "[r6 r5 r4 r3 r2]", "[r1 r0]"}},
		{"exact pages: no empty last page", Filter{Limit: 6}, []string{"[r11 r10 r9 r8 r7 r6]", "[r5 r4 r3 r2 r1 r0]"}},
		{"client pages", Filter{ClientID: "growth", Limit: 4}, []string{"[r5 r4 r3 r2]", "[r1 r0]"}},
		{"a page that ends at since", Filter{Since: queryStart.Add(8 * time.Minute), Limit: 4}, []string{"[r11 r10 r9 r8]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var pages []string
			f := c.f
			for {
				recs, next, err := l.Query(f)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, fmt.Sprint(requestIDs(recs)))
				if next == "" {
					break
				}
				if next != recs[len(recs)-1].ID {
					t.Errorf("next %q is not the last record's id %q", next, recs[len(recs)-1].ID)
				}
				f.Cursor = next
			}
			if diff := cmp.Diff(c.pages, pages); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryScanBudget(t *testing.T) {
	l := fixture(t)
	l.maxScan = 3
	// Only r4 is a denied FHIR read of Patient/B; with 3 records examined
	// per call the pages come back short, with cursors, until the end.
	var pages []string
	f := Filter{Outcome: OutcomeDenied, Kind: KindFHIR}
	for range 10 {
		recs, next, err := l.Query(f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, fmt.Sprint(requestIDs(recs)))
		if next == "" {
			break
		}
		f.Cursor = next
	}
	want := []string{"[]", "[r6]", "[r4]", "[]"}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

func TestQueryRefusals(t *testing.T) {
	l := fixture(t)
	for _, c := range []struct {
		f    Filter
		want error
	}{
		{Filter{Cursor: "nope"}, ErrBadCursor},
		{Filter{Cursor: "zz23456789abcdef0123456789abcdef"}, ErrBadCursor},
		{Filter{Kind: "fhi"}, ErrBadFilter},
		{Filter{Outcome: "ok"}, ErrBadFilter},
		{Filter{Limit: -1}, ErrBadFilter},
	} {
		if _, _, err := l.Query(c.f); !errors.Is(err, c.want) {
			t.Errorf("Query(%+v): %v, want %v", c.f, err, c.want)
		}
	}
	recs, _, err := l.Query(Filter{Limit: MaxLimit + 1})
	if err != nil || len(recs) != 12 {
		t.Errorf("limit above the maximum: %d records, %v", len(recs), err)
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"", time.Time{}, false},
		{"1h", now.Add(-time.Hour), false},
		{" 90m ", now.Add(-90 * time.Minute), false},
		{"7d", now.Add(-7 * 24 * time.Hour), false},
		{"0d", now, false},
		{"2026-05-31T08:00:00Z", time.Date(2026, 5, 31, 8, 0, 0, 0, time.UTC), false},
		{"2026-05-31T10:00:00+02:00", time.Date(2026, 5, 31, 8, 0, 0, 0, time.UTC), false},
		{"2026-05-30", time.Date(2026, 5, 30, 0, 0, 0, 0, time.UTC), false},
		{"-1h", time.Time{}, true},
		{"-3d", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
	} {
		got, err := ParseTime(c.in, now)
		if (err != nil) != c.err || !got.Equal(c.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.err)
		}
		if err != nil && !errors.Is(err, ErrBadFilter) {
			t.Errorf("ParseTime(%q): %v is not ErrBadFilter", c.in, err)
		}
	}
}
