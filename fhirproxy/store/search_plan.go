package store

import (
	"bytes"
	"math"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"smartd/fhirproxy/search"
)

// scan finds candidate ids in the inverted index for one criterion (or
// for a compartment): the keys under each prefix, kept when keep is nil
// or says yes to the term.
type scan struct {
	param    []byte   // the parameter's index prefix
	prefixes [][]byte // full key prefixes
	keep     func(term []byte) bool
	// complete says every id found satisfies the criterion, so it need
	// not be checked again.
	complete bool
}

// estimateCap bounds the keys counted to choose the driving scan.
const estimateCap = 4096

// estimate counts keys under the prefixes, up to estimateCap or limit:
// a count that reaches limit returns limit.
func (s *scan) estimate(b *bolt.Bucket, limit int) int {
	limit = min(limit, estimateCap)
	n := 0
	c := b.Cursor()
	for _, p := range s.prefixes {
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			if n++; n >= limit {
				return n
			}
		}
	}
	return s.penalty(n)
}

// penalty is the estimate of a scan with n keys, fewer than estimateCap.
func (s *scan) penalty(n int) int {
	if s.keep != nil && n > 0 {
		n += estimateCap // a filtered scan reads more than it keeps
	}
	return n
}

// cheapest returns the first of the scans (nil ones skipped) with the
// least estimate, and that estimate; ok is false when all are nil. It
// counts the keys of every scan in lockstep, one key each in turn, so the
// most selective scan is found after reading about as many keys of each
// other scan as it has, instead of up to estimateCap of each scan placed
// before it.
func cheapest(b *bolt.Bucket, scans []*scan) (best, n int, ok bool) {
	type counter struct {
		c    *bolt.Cursor
		p    int    // the prefix being read
		k    []byte // the current key; nil before the first
		n    int
		done bool
	}
	cs := make([]counter, len(scans))
	live := 0
	for i, s := range scans {
		if s != nil {
			cs[i].c, live = b.Cursor(), live+1
		} else {
			cs[i].done = true
		}
	}
	if live == 0 {
		return 0, 0, false
	}
	// step moves counter i to its next key, reporting false at the end.
	step := func(i int) bool {
		c, s := &cs[i], scans[i]
		for c.p < len(s.prefixes) {
			p := s.prefixes[c.p]
			if c.k == nil {
				c.k, _ = c.c.Seek(p)
			} else {
				c.k, _ = c.c.Next()
			}
			if c.k != nil && bytes.HasPrefix(c.k, p) {
				c.n++
				return true
			}
			c.p, c.k = c.p+1, nil
		}
		return false
	}
	// Round r reads key r of each scan. A scan that ends in round r has
	// r-1 keys; the first to end without a filter (whose estimate is its
	// count) is the cheapest: every other scan has as many keys or more,
	// or a filter and an estimate above estimateCap, or came later.
	for round := 1; round <= estimateCap && live > 0; round++ {
		for i := range cs {
			if cs[i].done || step(i) {
				continue
			}
			cs[i].done, live = true, live-1
			if est := scans[i].penalty(cs[i].n); est == cs[i].n {
				return i, est, true
			}
		}
	}
	// No unfiltered scan has fewer than estimateCap keys: the first least
	// of the estimates from the counts, as estimate would return them.
	n = math.MaxInt
	for i, s := range scans {
		if s == nil {
			continue
		}
		est := estimateCap
		if cs[i].done {
			est = s.penalty(cs[i].n)
		}
		if est < n {
			best, n, ok = i, est, true
		}
	}
	return best, n, ok
}

// ids returns the sorted, distinct ids the scan finds.
func (s *scan) ids(b *bolt.Bucket) []string {
	var out []string
	c := b.Cursor()
	for _, p := range s.prefixes {
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			sep := bytes.LastIndexByte(k, 0)
			if s.keep != nil && !s.keep(k[len(s.param):sep]) {
				continue
			}
			out = append(out, string(k[sep+1:]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func prefixOf(pp []byte, parts ...string) []byte {
	k := bytes.Clone(pp)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// scanFor returns the index scan for a criterion, or nil when the
// criterion cannot drive a search (:missing, :not, ne).
func scanFor(typ string, c search.Criterion) *scan {
	if c.Chain != nil || c.Has != nil || c.Modifier == "missing" || c.Modifier == "not" {
		return nil
	}
	pp := paramPrefix(typ, c.Param.Name)
	s := &scan{param: pp, complete: true}
	switch c.Param.Type {
	case search.Token:
		if c.Modifier != "" {
			return nil
		}
		for _, v := range c.Values {
			switch {
			case !v.HasSystem:
				s.prefixes = append(s.prefixes, prefixOf(pp, "T", clean(v.Code), "\x00"))
			case v.Code == "":
				// "system|": every code of a system; the scan reads the
				// whole parameter and keeps that system's terms.
				s.prefixes = [][]byte{prefixOf(pp, "T")}
				s.keep = func(term []byte) bool {
					code, sys, _ := bytes.Cut(term[1:], []byte{0})
					return c.Matches([]search.IndexValue{{Param: c.Param.Name, Type: search.Token, System: string(sys), Code: string(code)}})
				}
			default:
				s.prefixes = append(s.prefixes, prefixOf(pp, "T", clean(v.Code), "\x00", clean(v.System), "\x00"))
			}
		}
		if s.keep != nil {
			s.prefixes = [][]byte{prefixOf(pp, "T")}
		}
	case search.Reference:
		for _, v := range c.Values {
			ref := v.Ref
			if c.Modifier != "" && !strings.Contains(ref, "/") {
				ref = c.Modifier + "/" + ref
			}
			if strings.Contains(ref, "/") {
				s.prefixes = append(s.prefixes, prefixOf(pp, "R", clean(ref), "\x00"))
				continue
			}
			if len(c.Param.Targets) == 0 {
				return nil
			}
			for _, t := range c.Param.Targets {
				s.prefixes = append(s.prefixes, prefixOf(pp, "R", t, "/", clean(ref), "\x00"))
			}
		}
	case search.String:
		switch c.Modifier {
		case "":
			for _, v := range c.Values {
				s.prefixes = append(s.prefixes, prefixOf(pp, "N", clean(v.Norm)))
			}
		case "exact":
			for _, v := range c.Values {
				s.prefixes = append(s.prefixes, prefixOf(pp, "N", clean(v.Norm), "\x00"))
			}
			s.complete = false
		case "contains":
			s.prefixes = [][]byte{prefixOf(pp, "N")}
			s.keep = func(term []byte) bool {
				return c.Matches([]search.IndexValue{{Param: c.Param.Name, Type: search.String, Norm: string(term[1:]), Text: string(term[1:])}})
			}
		default:
			return nil
		}
	case search.Date:
		if c.Modifier != "" {
			return nil
		}
		for _, v := range c.Values {
			if v.Prefix == "ne" {
				return nil
			}
		}
		s.prefixes = [][]byte{prefixOf(pp, "D")}
		s.keep = func(term []byte) bool {
			if len(term) != 17 {
				return false
			}
			return c.Matches([]search.IndexValue{{Param: c.Param.Name, Type: search.Date,
				Lo: unsortableInt(term[1:9]), Hi: unsortableInt(term[9:17])}})
		}
	default:
		return nil
	}
	if len(s.prefixes) == 0 {
		return nil
	}
	return s
}

// compartmentScan finds the resources of typ in a compartment by the
// reference parameters the CompartmentDefinition names.
func compartmentScan(typ string, comp *Compartment) *scan {
	params := search.PatientCompartment(typ)
	s := &scan{complete: true}
	ref := comp.Type + "/" + comp.ID
	for _, p := range params {
		pp := paramPrefix(typ, p)
		s.prefixes = append(s.prefixes, prefixOf(pp, "R", clean(ref), "\x00"))
	}
	return s
}

// inCompartment checks compartment membership on a resource's values.
func inCompartment(typ, id string, vals []search.IndexValue, comp *Compartment) bool {
	if typ == comp.Type && id == comp.ID {
		return true
	}
	ref := comp.Type + "/" + comp.ID
	params := search.PatientCompartment(typ)
	for _, v := range vals {
		if v.Type == search.Reference && v.Ref == ref && slices.Contains(params, v.Param) {
			return true
		}
	}
	return false
}
