package search

import "strings"

// StripBase rewrites the reference values that are absolute URLs under
// base (e.g. "http://127.0.0.1:8080/fhir/Patient/1") to the relative
// "Type/id" the index holds, in every criterion, chained and _has ones
// included. Other absolute URLs stay as written.
func (q *Query) StripBase(base string) {
	base = strings.TrimSuffix(base, "/")
	for i := range q.Criteria {
		stripCriterion(&q.Criteria[i], base)
	}
}

func stripCriterion(c *Criterion, base string) {
	if c.Chain != nil {
		stripCriterion(&c.Chain.Criterion, base)
	}
	if c.Has != nil {
		stripCriterion(&c.Has.Criterion, base)
	}
	if c.Param.Type != Reference {
		return
	}
	for i := range c.Values {
		if rel, ok := underBase(c.Values[i].Ref, base); ok {
			c.Values[i].Ref = stripHistory(rel)
		}
	}
}

// ResolvedChain returns the plain criterion a chained criterion stands for
// once the store has found the resources of c.Chain.Type matching
// c.Chain.Criterion: c.Param referring to any of refs ("Type/id"). With no
// refs it matches nothing.
func (c Criterion) ResolvedChain(refs []string) Criterion {
	vals := make([]Value, len(refs))
	for i, r := range refs {
		vals[i] = Value{Ref: r}
	}
	return Criterion{Param: c.Param, Values: vals}
}

// ResolvedHas returns the plain criterion a _has criterion stands for once
// the store has found the resources of c.Has.Type matching c.Has.Criterion
// and collected the ids of the searched type their c.Has.RefParam refers
// to: an _id criterion on those ids. With no ids it matches nothing.
func (c Criterion) ResolvedHas(ids []string) Criterion {
	vals := make([]Value, len(ids))
	for i, id := range ids {
		vals[i] = Value{Code: id}
	}
	return Criterion{Param: cloneDef(reg.common["_id"].def), Values: vals}
}
