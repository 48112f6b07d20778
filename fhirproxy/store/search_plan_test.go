package store_test

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
)

// planStore is a store of Observations with random, overlapping index
// values, some updated and some deleted, to check the search planner
// (index scans, probes, forward-index checks) against the definition of a
// match: Criterion.Matches on every resource's index values.
type planStore struct {
	st  *store.Store
	ids []string // every Observation id ever written
}

func newPlanStore(tb testing.TB) *planStore {
	tb.Helper()
	st, err := store.Open(filepath.Join(tb.TempDir(), "plan.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	ps := &planStore{st: st}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	tok := func(param, system, code string) search.IndexValue {
		return search.IndexValue{Param: param, Type: search.Token, System: system, Code: code}
	}
	ref := func(param, r string) search.IndexValue {
		return search.IndexValue{Param: param, Type: search.Reference, Ref: r}
	}
	values := func() []search.IndexValue {
		var vals []search.IndexValue
		switch n := rng.IntN(10); {
		case n < 6:
			p := fmt.Sprintf("Patient/p%d", rng.IntN(6))
			vals = append(vals, ref("patient", p), ref("subject", p))
		case n < 8:
			vals = append(vals, ref("subject", fmt.Sprintf("Group/p%d", rng.IntN(6))))
		}
		if rng.IntN(3) == 0 {
			vals = append(vals, ref("performer", pick("Patient/p1", "Practitioner/p1", "Practitioner/x")))
		}
		for range rng.IntN(3) {
			vals = append(vals, tok("category", pick("s1", "s2", ""), pick("vital-signs", "vital-signs", "laboratory", "a b", "vital")))
		}
		for range 1 + rng.IntN(2) {
			vals = append(vals, tok("code", pick("loinc", "snomed", ""), pick("1", "2", "3", "10")))
		}
		if rng.IntN(2) == 0 {
			text := pick("Smith", "smithers", "Smyth", "Jones", "Smith Jr", "smith")
			vals = append(vals, search.IndexValue{Param: "value-string", Type: search.String, Norm: search.Normalize(text), Text: text})
		}
		if rng.IntN(4) > 0 {
			lo := int64(rng.IntN(40)) * 365 * 86400000 // 1970 to 2009
			vals = append(vals, search.IndexValue{Param: "date", Type: search.Date, Lo: lo, Hi: lo + int64(rng.IntN(3))*86400000*200})
		}
		return vals
	}
	for round := range 3 {
		err := st.Update(func(tx *store.Tx) error {
			for i := range 400 {
				id := fmt.Sprintf("o%d", i)
				if round == 0 {
					ps.ids = append(ps.ids, id)
				}
				var err error
				switch {
				case round == 0 || rng.IntN(8) == 0:
					_, err = tx.Put(store.Write{Type: "Observation", ID: id, Body: []byte(`{"resourceType":"Observation"}`), Index: values()})
				case round == 2 && rng.IntN(10) == 0:
					_, err = tx.Delete("Observation", id, 0)
					if err != nil && strings.Contains(err.Error(), "deleted") {
						err = nil
					}
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return ps
}

// check runs query (within Patient/comp when comp is not "") both ways
// and reports any difference. Queries the brute force cannot evaluate
// (chains, _has) and unparsable ones are skipped.
func (ps *planStore) check(t *testing.T, query, comp string) {
	t.Helper()
	vals, err := url.ParseQuery(query)
	if err != nil {
		return
	}
	q, err := search.Parse("Observation", vals, false)
	if err != nil {
		return
	}
	for _, c := range q.Criteria {
		if c.Chain != nil || c.Has != nil {
			return
		}
	}
	q.Count, q.Cursor, q.Summary, q.Total, q.Include, q.RevInclude = store.MaxCount, "", "", "", nil, nil
	var cp *store.Compartment
	if comp != "" {
		cp = &store.Compartment{Type: "Patient", ID: comp}
	}
	res, err := ps.st.Search(q, cp)
	if err != nil {
		t.Errorf("Observation?%s in compartment %q: %v", query, comp, err)
		return
	}
	var got []string
	for _, m := range res.Matches {
		got = append(got, m.ID)
	}
	slices.Sort(got)
	want, err := ps.bruteForce(q, cp)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Observation?%s in compartment %q (-brute force +planner):\n%s", query, comp, diff)
	}
}

// bruteForce evaluates every criterion with Criterion.Matches on every
// live Observation's index values.
func (ps *planStore) bruteForce(q *search.Query, comp *store.Compartment) ([]string, error) {
	var out []string
	err := ps.st.View(func(v *store.View) error {
		for _, id := range ps.ids {
			vals, err := v.Index("Observation", id)
			if err != nil {
				return err
			}
			if vals == nil || comp != nil && !inPatientCompartment(vals, comp) {
				continue
			}
			ok := true
			for _, c := range q.Criteria {
				if c.Param.Name == "_id" {
					ok = ok && slices.ContainsFunc(c.Values, func(v search.Value) bool { return v.Code == id }) != (c.Modifier == "not")
					continue
				}
				var mine []search.IndexValue
				for _, v := range vals {
					if v.Param == c.Param.Name {
						mine = append(mine, v)
					}
				}
				ok = ok && c.Matches(mine)
			}
			if ok {
				out = append(out, id)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

func inPatientCompartment(vals []search.IndexValue, comp *store.Compartment) bool {
	params := search.PatientCompartment("Observation")
	for _, v := range vals {
		if v.Type == search.Reference && v.Ref == comp.Type+"/"+comp.ID && slices.Contains(params, v.Param) {
			return true
		}
	}
	return false
}

// planQueries are the criteria the table combines, and the fuzz seeds:
// probed ones (tokens with a code, typed references, string prefixes),
// ones only the forward index decides (bare ids, system|, :not,
// :missing, :exact, :contains, dates) and _id.
var planQueries = []string{
	"patient=p1", "patient=Patient/p2", "subject=Group/p3", "subject=p3", "performer=Patient/p1",
	"category=vital-signs", "category=s1|vital-signs", "category=|vital-signs", "category=s2|",
	"category=laboratory,vital-signs", "category=a b", "category=vital", "category:not=laboratory",
	"category:missing=true", "category:missing=false", "code=1", "code=loinc|2", "code=|10", "code=nothing",
	"value-string=smi", "value-string=Smith Jr", "value-string:exact=Smith", "value-string:contains=th",
	"date=ge2000", "date=lt1980", "_id=o5,o7,o100,o399,nobody", "_id:not=o1",
}

func TestSearchPlanMatchesBruteForce(t *testing.T) {
	ps := newPlanStore(t)
	n := 0
	for i, a := range planQueries {
		ps.check(t, url.PathEscape(a), "")
		for _, b := range planQueries[i+1:] {
			query := a + "&" + b
			ps.check(t, query, "")
			ps.check(t, query, "p1")
			n += 2
		}
	}
	for _, q := range []string{"", "category=vital-signs", "code=1&category=vital-signs", "patient=p2", "_id=o1,o2,o3"} {
		for _, comp := range []string{"p1", "p2", "nobody"} {
			ps.check(t, q, comp)
		}
	}
	// Three criteria, so that two are probed or checked besides the
	// driving one.
	for _, query := range []string{
		"patient=p1&category=vital-signs&code=1",
		"patient=Patient/p1&category=s1|vital-signs&value-string=smi",
		"category=vital-signs&code=loinc|1&date=ge1990",
		"subject=Patient/p4&code=2,3&category:not=laboratory",
		"code=1&code=2&patient=p0",
	} {
		ps.check(t, query, "")
		ps.check(t, query, "p4")
	}
	if n < 500 {
		t.Errorf("only %d pairs were checked", n)
	}
}

// FuzzSearchPlanMatchesBruteForce runs any query the parser accepts both
// ways on the same store.
func FuzzSearchPlanMatchesBruteForce(f *testing.F) {
	for i, a := range planQueries {
		f.Add(a, "")
		if i+1 < len(planQueries) {
			f.Add(a+"&"+planQueries[i+1], "p1")
		}
	}
	ps := newPlanStore(f)
	f.Fuzz(func(t *testing.T, query, comp string) {
		if strings.ContainsAny(comp, "/\x00") || len(comp) > 64 {
			return
		}
		ps.check(t, query, comp)
	})
}
