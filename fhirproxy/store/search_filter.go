package store

import (
	"math"

	"smartd/fhirproxy/search"
)

// filter checks a candidate against every criterion and the compartment
// on its forward index.
type filter struct {
	r     reader
	typ   string
	crits []search.Criterion
	comp  *Compartment
	// none: the driving scan decided everything; accept every candidate.
	none bool
}

func (f *filter) match(id string) (bool, error) {
	if f.none || (len(f.crits) == 0 && f.comp == nil) {
		return true, nil
	}
	vals, err := f.r.forward(resourceKey(f.typ, id))
	if err != nil {
		return false, err
	}
	if vals == nil {
		return false, nil // deleted
	}
	if f.comp != nil && !inCompartment(f.typ, id, vals, f.comp) {
		return false, nil
	}
	var mine []search.IndexValue
	for _, c := range f.crits {
		if c.Param.Name == "_id" {
			if !matchID(c, id) {
				return false, nil
			}
			continue
		}
		mine = mine[:0]
		for _, v := range vals {
			if v.Param == c.Param.Name {
				mine = append(mine, v)
			}
		}
		if !c.Matches(mine) {
			return false, nil
		}
	}
	return true, nil
}

func matchID(c search.Criterion, id string) bool {
	found := false
	for _, v := range c.Values {
		if v.Code == id {
			found = true
			break
		}
	}
	if c.Modifier == "not" {
		return !found
	}
	return found
}

// sortKeys computes the _sort keys of each id: for a date parameter the
// earliest start ascending or the latest end descending; a resource with
// no value sorts last either way.
func (r reader) sortKeys(typ string, ids []string, sorts []search.SortKey) (map[string][]int64, error) {
	out := make(map[string][]int64, len(ids))
	for _, id := range ids {
		vals, err := r.forward(resourceKey(typ, id))
		if err != nil {
			return nil, err
		}
		key := make([]int64, len(sorts))
		for i, s := range sorts {
			lo, hi, found := int64(math.MaxInt64), int64(math.MinInt64), false
			for _, v := range vals {
				if v.Param == s.Param.Name && v.Type == search.Date {
					lo, hi, found = min(lo, v.Lo), max(hi, v.Hi), true
				}
			}
			switch {
			case !found:
				key[i] = math.MaxInt64
			case s.Desc:
				key[i] = -hi // negated so that every key sorts ascending
			default:
				key[i] = lo
			}
		}
		out[id] = key
	}
	return out, nil
}

// compareKeys orders by sort keys, then by id.
func compareKeys(a []int64, aid string, b []int64, bid string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case aid < bid:
		return -1
	case aid > bid:
		return 1
	}
	return 0
}
