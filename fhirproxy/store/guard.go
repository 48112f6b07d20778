package store

import (
	"slices"
	"sync"

	"smartd/fhirproxy/search"
)

// Reach is one way a resource can be visible to a request: it is a member
// of Compartment (when not nil) and matches every one of Criteria (plain
// criteria of the resource's type: no chains, no _has).
type Reach struct {
	Compartment *Compartment
	Criteria    []search.Criterion
	// probes remembers, per resource type, the index probe of the
	// compartment's membership (made by NewReach; nil builds it per use).
	probes *sync.Map
}

// NewReach returns a Reach that remembers the index probes it builds, for
// a Reach reused across requests (an access token's decisions).
func NewReach(comp *Compartment, crits []search.Criterion) Reach {
	return Reach{Compartment: comp, Criteria: crits, probes: new(sync.Map)}
}

// probe returns the compartment membership probe of typ.
func (a Reach) probe(typ string) (*probe, bool) {
	if a.probes == nil {
		return compartmentProbe(typ, a.Compartment)
	}
	if p, ok := a.probes.Load(typ); ok {
		return p.(*probe), p.(*probe) != nil
	}
	p, ok := compartmentProbe(typ, a.Compartment)
	if !ok {
		p = nil
	}
	a.probes.Store(typ, p)
	return p, ok
}

// Guard limits what a request may see. A resource is visible when it
// satisfies at least one of the Reaches of its type. Searches apply it in
// the query, so that pages stay full and totals honest; reads, includes,
// history and $everything apply it to each resource.
type Guard interface {
	// Reaches returns the alternatives for resources of typ. all is true
	// when every resource of typ is visible; with all false and no
	// alternatives, none is.
	Reaches(typ string) (alts []Reach, all bool)
}

// reachesOf asks g about typ; a nil g lets everything through.
func reachesOf(g Guard, typ string) (alts []Reach, all bool) {
	if g == nil {
		return nil, true
	}
	return g.Reaches(typ)
}

// Admits reports whether a resource whose search index values are vals
// is visible through g. Use it on a version's own values (vread, history,
// a resource about to be written); Visible reads the current ones.
func Admits(g Guard, typ, id string, vals []search.IndexValue) bool {
	alts, all := reachesOf(g, typ)
	return all || admitted(typ, id, vals, alts)
}

// admitted reports whether the values satisfy one of alts.
func admitted(typ, id string, vals []search.IndexValue, alts []Reach) bool {
	var mine []search.IndexValue
	for _, a := range alts {
		if a.Compartment != nil && !inCompartment(typ, id, vals, a.Compartment) {
			continue
		}
		ok := true
		for _, c := range a.Criteria {
			if c.Param.Name == "_id" {
				if !matchID(c, id) {
					ok = false
					break
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
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Visible reports whether the current version of typ/id exists and is
// visible through g, by its indexed values (no parsing of the resource).
func (r reader) Visible(g Guard, typ, id string) (bool, error) {
	alts, all := reachesOf(g, typ)
	if all {
		return true, nil
	}
	if len(alts) == 0 {
		return false, nil
	}
	if ok, decided := r.memberOf(alts, typ, id); decided {
		return ok, nil
	}
	vals, err := r.forward(resourceKey(typ, id))
	if err != nil || vals == nil {
		return false, err
	}
	return admitted(typ, id, vals, alts), nil
}

// narrow folds a guard's single alternative into a search's compartment
// and criteria, so that the index plans it like any other criterion. It
// reports false when the alternatives must instead be checked one by one.
func narrow(alts []Reach, comp *Compartment, crits []search.Criterion) (*Compartment, []search.Criterion, bool) {
	if len(alts) != 1 {
		return comp, crits, false
	}
	a := alts[0]
	if a.Compartment != nil && comp != nil && *a.Compartment != *comp {
		return comp, crits, false
	}
	if a.Compartment != nil {
		comp = a.Compartment
	}
	return comp, append(slices.Clip(crits), a.Criteria...), true
}

// memberOf decides visibility by index lookups alone when every
// alternative is a bare compartment (the common patient/ scope): one probe
// per compartment parameter, no decoding of the resource's values. decided
// is false when some alternative has criteria.
func (r reader) memberOf(alts []Reach, typ, id string) (ok, decided bool) {
	for _, a := range alts {
		if len(a.Criteria) > 0 || a.Compartment == nil {
			return false, false
		}
	}
	// An absent or deleted resource has no index keys: no probe finds it.
	c := r.btx.Bucket(bucketIndex).Cursor()
	var buf []byte
	for _, a := range alts {
		if typ == a.Compartment.Type && id == a.Compartment.ID {
			return true, true
		}
		pr, ok := a.probe(typ)
		if !ok {
			return false, false
		}
		var in bool
		if in, buf = pr.has(c, id, buf); in {
			return true, true
		}
	}
	return false, true
}

// AdmitsWrite is Admits for content being written (or replaced, or
// deleted): besides lying within one of the alternatives, content admitted
// through a compartment must name no other patient in its compartment
// parameters, so that a patient-confined token cannot put data into (or
// take it out of) another patient's record: an Observation with subject B
// and performer A is in both compartments, and A's token may not write it.
func AdmitsWrite(g Guard, typ, id string, vals []search.IndexValue) bool {
	alts, all := reachesOf(g, typ)
	if all {
		return true
	}
	params := search.PatientCompartment(typ)
	for _, a := range alts {
		if !admitted(typ, id, vals, []Reach{a}) {
			continue
		}
		if a.Compartment == nil || onlyOwner(vals, params, a.Compartment) {
			return true
		}
	}
	return false
}

// onlyOwner reports whether every patient reference among the compartment
// parameters' values is to the compartment's owner.
func onlyOwner(vals []search.IndexValue, params []string, comp *Compartment) bool {
	own := comp.Type + "/" + comp.ID
	for _, v := range vals {
		if v.Type != search.Reference || !slices.Contains(params, v.Param) {
			continue
		}
		if typ, _ := splitRef(v.Ref); typ == comp.Type && v.Ref != own {
			return false
		}
	}
	return true
}
