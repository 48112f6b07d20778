package store

import (
	"math"

	bolt "go.etcd.io/bbolt"

	"smartd/fhirproxy/search"
)

// filter checks a candidate against every criterion and the compartment:
// by index lookups where a probe decides a criterion exactly (see probe),
// on the candidate's forward index otherwise.
type filter struct {
	r     reader
	typ   string
	crits []search.Criterion
	comp  *Compartment
	// alts, when not nil, are a guard's alternatives: a candidate must
	// satisfy one of them too.
	alts []Reach
	// none: the driving scan decided everything; accept every candidate.
	none bool
	// drivenBy is 1 + the index of the criterion whose complete scan
	// produced the candidates, so they need no second check of it; 0 when
	// no criterion's scan did.
	drivenBy int
	// compDriven: the candidates are the compartment's members.
	compDriven bool
	// fromIndex: every candidate came from an index scan, so is live.
	fromIndex bool
	plan      *filterPlan // made at the first candidate
}

// filterPlan is how a filter checks each candidate.
type filterPlan struct {
	idx    *bolt.Bucket
	cursor *bolt.Cursor // of idx, for the probes
	probes []*probe
	comp   *probe // compartment membership, when probed
	// skip marks the criteria not checked on the forward index: _id,
	// probed and driving ones. compOK: nor is the compartment.
	skip    []bool
	compOK  bool
	forward bool // something is checked on the forward index
	buf     []byte
}

func (f *filter) newPlan() *filterPlan {
	p := &filterPlan{idx: f.r.btx.Bucket(bucketIndex), skip: make([]bool, len(f.crits)), compOK: f.comp == nil || f.compDriven}
	p.cursor = p.idx.Cursor()
	for i, c := range f.crits {
		switch {
		case c.Param.Name == "_id", i+1 == f.drivenBy:
			p.skip[i] = true
		default:
			if pr, ok := probeFor(p.idx, f.typ, c); ok {
				p.probes, p.skip[i] = append(p.probes, pr), true
			}
		}
		p.forward = p.forward || !p.skip[i]
	}
	if !p.compOK {
		p.comp, p.compOK = compartmentProbe(f.typ, f.comp)
	}
	p.forward = p.forward || !p.compOK || f.alts != nil
	return p
}

func (f *filter) match(id string) (bool, error) {
	if (f.none || (len(f.crits) == 0 && f.comp == nil)) && f.alts == nil {
		return true, nil
	}
	if f.plan == nil {
		f.plan = f.newPlan()
	}
	p := f.plan
	for _, c := range f.crits {
		if c.Param.Name == "_id" && !matchID(c, id) {
			return false, nil
		}
	}
	live := f.fromIndex // an index key of id is found: it is live
	var ok bool
	for _, pr := range p.probes {
		if ok, p.buf = pr.has(p.cursor, id, p.buf); !ok {
			return false, nil
		}
		live = true
	}
	if p.comp != nil && (f.typ != f.comp.Type || id != f.comp.ID) {
		if ok, p.buf = p.comp.has(p.cursor, id, p.buf); !ok {
			return false, nil
		}
		live = true
	}
	if !p.forward {
		return live || f.r.btx.Bucket(bucketForward).Get(resourceKey(f.typ, id)) != nil, nil
	}
	vals, err := f.r.forward(resourceKey(f.typ, id))
	if err != nil {
		return false, err
	}
	if vals == nil {
		return false, nil // deleted
	}
	if !p.compOK && !inCompartment(f.typ, id, vals, f.comp) {
		return false, nil
	}
	var mine []search.IndexValue
	for i, c := range f.crits {
		if p.skip[i] {
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
	if f.alts != nil && !admitted(f.typ, id, vals, f.alts) {
		return false, nil
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
// earliest start ascending or the latest end descending, a resource with
// no value last either way; for _id a marker that lets the ids decide.
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
			case s.Param.Name == "_id" && s.Desc:
				key[i] = sortIDDesc
			case s.Param.Name == "_id":
				key[i] = sortID
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

// The sort keys of _sort=_id and _sort=-_id: the ids decide there. No
// date key comes near (years -292 million and 292 million).
const (
	sortID     = math.MinInt64
	sortIDDesc = math.MinInt64 + 1
)

// compareKeys orders by sort keys, then by id.
func compareKeys(a []int64, aid string, b []int64, bid string) int {
	for i := range min(len(a), len(b)) {
		if a[i] == sortIDDesc && b[i] == sortIDDesc {
			aid, bid = bid, aid
			break
		}
		if a[i] == sortID && b[i] == sortID {
			break
		}
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
