package store

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"smartd/fhirproxy/search"
)

// Compartment restricts a search to the resources of one compartment, e.g.
// Patient/123 (FHIR R4 §3.1.1.5.4): the resource itself and every resource
// that references it through a parameter of the patient
// CompartmentDefinition. Only the Patient compartment is defined.
type Compartment struct{ Type, ID string }

// Result is one page of search results.
type Result struct {
	Matches  []Resource
	Included []Resource
	// Total is the number of matches over all pages, when HasTotal.
	Total    int
	HasTotal bool
	// Next continues with the next page; "" on the last one.
	Next string
}

// Page sizes (_count).
const (
	DefaultCount = 50
	MaxCount     = 1000
	// totalFreeCandidates: up to this many index candidates, a search
	// reports its total without being asked.
	totalFreeCandidates = 5000
	// maxInner bounds the matches of a chained or _has inner search.
	maxInner = 10000
)

// ErrTooCostly: a chained or _has search whose inner search matches too
// many resources.
var ErrTooCostly = errors.New("search too costly")

// Search runs a type search (q.Type set) or a system search, optionally
// within a compartment.
func (s *Store) Search(q *search.Query, comp *Compartment) (res *Result, err error) {
	err = s.View(func(v *View) error { res, err = v.Search(q, comp); return err })
	return res, err
}

// Search runs a search in this transaction (see Store.Search).
func (r reader) Search(q *search.Query, comp *Compartment) (*Result, error) {
	return r.SearchGuarded(q, comp, nil)
}

// SearchGuarded runs a search that sees only what g lets through, matches
// and included resources alike; a nil g sees everything.
func (r reader) SearchGuarded(q *search.Query, comp *Compartment, g Guard) (*Result, error) {
	cur, err := parseSearchCursor(q.Cursor)
	if err != nil {
		return nil, err
	}
	count := q.Count
	if count <= 0 {
		count = DefaultCount
	}
	count = min(count, MaxCount)
	if q.Summary == "count" {
		count = 0
	}
	wantTotal := q.Total == "accurate" || q.Total == "estimate" || q.Summary == "count"
	types := []string{q.Type}
	if q.Type == "" {
		types = q.Types
		if len(types) == 0 {
			types = r.types()
		}
		types = slices.Clone(types)
		slices.Sort(types)
	}
	res := &Result{HasTotal: true}
	for _, typ := range types {
		if cur.Type != "" && typ < cur.Type {
			continue
		}
		tc := searchCursor{}
		if typ == cur.Type || q.Type != "" {
			tc = cur
		}
		need := count - len(res.Matches)
		page, err := r.typeSearch(typ, q, comp, g, tc, need, wantTotal || q.Type == "")
		if err != nil {
			return nil, err
		}
		res.Matches = append(res.Matches, page.Matches...)
		res.Total += page.Total
		res.HasTotal = res.HasTotal && page.HasTotal
		if page.next == nil && need == 0 && count > 0 && page.Total > 0 && res.Next == "" {
			// A system search's page filled up with the types before this
			// one, which has matches: the next page starts at its first.
			page.next = &searchCursor{}
		}
		if page.next != nil {
			if q.Type == "" {
				page.next.Type = typ
			}
			res.Next = page.next.String()
			if !wantTotal {
				break
			}
		}
	}
	if q.Total == "none" || (q.Type == "" && res.Next != "" && !wantTotal) {
		res.HasTotal = false
	}
	if err := r.include(q, comp, g, res); err != nil {
		return nil, err
	}
	return res, nil
}

// types lists the resource types the store holds.
func (r reader) types() []string {
	var out []string
	r.btx.Bucket(bucketCounts).ForEach(func(k, _ []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out
}

type typePage struct {
	Matches  []Resource
	Total    int
	HasTotal bool
	next     *searchCursor
}

// typeSearch returns up to limit matches of one type after the cursor.
// The total is known when asked for, or when this first page saw every
// match.
func (r reader) typeSearch(typ string, q *search.Query, comp *Compartment, g Guard, cur searchCursor, limit int, wantTotal bool) (typePage, error) {
	var page typePage
	alts, all := reachesOf(g, typ)
	if !all && len(alts) == 0 {
		page.HasTotal = true // nothing of this type is visible
		return page, nil
	}
	crits, none, err := r.resolve(typ, q.Criteria, g)
	if err != nil || none {
		page.HasTotal = true
		return page, err
	}
	var check []Reach // alternatives checked candidate by candidate
	if !all {
		var folded bool
		if comp, crits, folded = narrow(alts, comp, crits); !folded {
			check = alts
		}
	}
	f := &filter{r: r, typ: typ, crits: crits, comp: comp, alts: check}
	candidates, streaming := r.candidates(typ, crits, comp, f)
	if !streaming && q.Total != "none" && len(candidates) <= totalFreeCandidates {
		wantTotal = true // the candidates are in hand: counting them is cheap
	}
	sorted := len(q.Sort) > 0 && q.Type != ""
	var keys map[string][]int64
	if sorted {
		if streaming {
			candidates = r.allLive(typ)
		}
		var kept []string
		for _, id := range candidates {
			if ok, err := f.match(id); err != nil {
				return page, err
			} else if ok {
				kept = append(kept, id)
			}
		}
		if keys, err = r.sortKeys(typ, kept, q.Sort); err != nil {
			return page, err
		}
		slices.SortFunc(kept, func(a, b string) int { return compareKeys(keys[a], a, keys[b], b) })
		candidates, streaming = kept, false
		f = &filter{none: true}
	}
	next := r.iterate(typ, candidates, streaming, cur, wantTotal)
	before := func(id string) bool {
		if cur.ID == "" {
			return false
		}
		if sorted {
			return compareKeys(keys[id], id, cur.Key, cur.ID) <= 0
		}
		return id <= cur.ID
	}
	seenAll := true
	for id, ok := next(); ok; id, ok = next() {
		isBefore := before(id)
		if isBefore && !wantTotal {
			continue
		}
		match, err := f.match(id)
		if err != nil {
			return page, err
		}
		if !match {
			continue
		}
		page.Total++
		if isBefore {
			continue
		}
		if len(page.Matches) < limit {
			res, err := r.Read(typ, id)
			if err != nil {
				return page, err
			}
			page.Matches = append(page.Matches, res)
			continue
		}
		if page.next == nil && limit > 0 {
			last := page.Matches[len(page.Matches)-1].ID
			page.next = &searchCursor{ID: last, Key: keys[last]}
		}
		if !wantTotal {
			seenAll = false
			break
		}
	}
	page.HasTotal = wantTotal || (cur.ID == "" && seenAll)
	return page, nil
}

// iterate yields candidate ids in order: from the slice, or, streaming, by
// walking every live resource of the type (the plan when no criterion can
// use the index), starting after the cursor unless totals are wanted.
func (r reader) iterate(typ string, ids []string, streaming bool, cur searchCursor, wantTotal bool) func() (string, bool) {
	if !streaming {
		i := 0
		return func() (string, bool) {
			if i == len(ids) {
				return "", false
			}
			i++
			return ids[i-1], true
		}
	}
	prefix := []byte(typ + "/")
	c := r.btx.Bucket(bucketResources).Cursor()
	start := prefix
	if cur.ID != "" && !wantTotal {
		start = append(append(bytes.Clone(prefix), cur.ID...), 0) // just after cur.ID
	}
	k, v := c.Seek(start)
	return func() (string, bool) {
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if h, err := decodeHeader(v); err != nil || h.op == OpDelete {
				continue
			}
			id := string(k[len(prefix):])
			k, v = c.Next()
			return id, true
		}
		return "", false
	}
}

// allLive lists the ids of the live resources of a type.
func (r reader) allLive(typ string) []string {
	var out []string
	prefix := []byte(typ + "/")
	c := r.btx.Bucket(bucketResources).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if h, err := decodeHeader(v); err == nil && h.op != OpDelete {
			out = append(out, string(k[len(prefix):]))
		}
	}
	return out
}

// candidates picks the cheapest index scan among the criteria and the
// compartment, and returns the ids it finds, sorted; streaming means no
// scan applies and every resource of the type must be walked.
func (r reader) candidates(typ string, crits []search.Criterion, comp *Compartment, f *filter) (ids []string, streaming bool) {
	idx := r.btx.Bucket(bucketIndex)
	var best *scan
	bestN := math.MaxInt
	var bestCrit = -1
	scans := make([]*scan, len(crits))
	for i, c := range crits {
		if c.Param.Name == "_id" && c.Modifier == "" {
			ids := make([]string, 0, len(c.Values))
			for _, v := range c.Values {
				ids = append(ids, v.Code)
			}
			slices.Sort(ids)
			return slices.Compact(ids), false
		}
		scans[i] = scanFor(typ, c)
	}
	if i, n, ok := cheapest(idx, scans); ok {
		best, bestN, bestCrit = scans[i], n, i
	}
	if comp != nil {
		s := compartmentScan(typ, comp)
		if n := s.estimate(idx, bestN); n < bestN || best == nil {
			best, bestCrit = s, -1
			ids := s.ids(idx)
			f.compDriven, f.fromIndex = true, typ != comp.Type
			if typ == comp.Type {
				ids = append(ids, comp.ID)
				slices.Sort(ids)
				ids = slices.Compact(ids)
			}
			return ids, false
		}
	}
	if best == nil {
		return nil, true
	}
	if best.complete && bestCrit >= 0 && len(crits) == 1 && comp == nil {
		f.none = true // the scan alone decides
	}
	if best.complete {
		f.drivenBy = bestCrit + 1
	}
	f.fromIndex = true
	return best.ids(idx), false
}

// resolve turns chained and _has criteria into plain ones by running their
// inner searches; none reports a criterion that can match nothing.
func (r reader) resolve(typ string, crits []search.Criterion, g Guard) (out []search.Criterion, none bool, err error) {
	out = make([]search.Criterion, 0, len(crits))
	for _, c := range crits {
		switch {
		case c.Chain != nil:
			ids, err := r.innerIDs(c.Chain.Type, c.Chain.Criterion, g)
			if err != nil {
				return nil, false, err
			}
			if len(ids) == 0 {
				return nil, true, nil
			}
			plain := search.Criterion{Param: c.Param}
			for _, id := range ids {
				plain.Values = append(plain.Values, search.Value{Ref: c.Chain.Type + "/" + id})
			}
			out = append(out, plain)
		case c.Has != nil:
			ids, err := r.innerIDs(c.Has.Type, c.Has.Criterion, g)
			if err != nil {
				return nil, false, err
			}
			plain := search.Criterion{Param: search.Definition{Name: "_id", Type: search.Token}}
			for _, id := range ids {
				vals, err := r.forward(resourceKey(c.Has.Type, id))
				if err != nil {
					return nil, false, err
				}
				for _, v := range vals {
					if v.Param == c.Has.RefParam && v.Type == search.Reference && strings.HasPrefix(v.Ref, typ+"/") {
						plain.Values = append(plain.Values, search.Value{Code: v.Ref[len(typ)+1:]})
					}
				}
			}
			if len(plain.Values) == 0 {
				return nil, true, nil
			}
			out = append(out, plain)
		default:
			out = append(out, c)
		}
	}
	return out, false, nil
}

// innerIDs returns every id of typ matching one criterion that g lets
// through, so that a chain or _has cannot probe what the request may not
// see.
func (r reader) innerIDs(typ string, c search.Criterion, g Guard) ([]string, error) {
	page, err := r.typeSearch(typ, &search.Query{Type: typ, Criteria: []search.Criterion{c}}, nil, g, searchCursor{}, maxInner+1, false)
	if err != nil {
		return nil, err
	}
	if len(page.Matches) > maxInner {
		return nil, fmt.Errorf("%w: the inner search on %s matches more than %d resources", ErrTooCostly, typ, maxInner)
	}
	ids := make([]string, len(page.Matches))
	for i, m := range page.Matches {
		ids[i] = m.ID
	}
	return ids, nil
}
