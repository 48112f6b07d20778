package scope

import "slices"

// Decision is the answer to "may this token do interaction I on type T?":
// allow or deny, and when allowed the constraint the store must apply.
//
// A resource is within the grant when it satisfies at least one of the
// Constraints (their union). A store that cannot apply a filter must deny
// or leave the resource out; it must never ignore it. A Decision shares
// Params and By with the Set it came from: treat it as read-only.
type Decision struct {
	// Allowed is true when at least one granted scope permits the
	// interaction; then Constraints is not empty.
	Allowed bool
	// Reason says why the request was denied, in words fit for an
	// OperationOutcome ("no granted scope allows search on Observation");
	// "" when allowed.
	Reason string
	// Constraints lists, per context (patient, then user, then system),
	// what the granted scopes of that context let through.
	Constraints []Constraint
	// By holds the granted scopes that permit the interaction, in grant
	// order, for audit records.
	By Set
}

// Constraint is what the scopes of one context allow.
type Constraint struct {
	// Context says whose data: the patient in launch context's compartment
	// (ContextPatient), what the user may access (ContextUser), or what the
	// client's policy allows (ContextSystem).
	Context Context
	// Unfiltered is true when a scope without parameters allows the
	// interaction: every resource of the requested type (for a
	// system-level search, of every type) that the context reaches passes.
	// Filters is then nil.
	Unfiltered bool
	// Filters, when not Unfiltered, are alternatives: a resource passes
	// when it matches any of them. None is covered by another.
	Filters []Filter
}

// Filter is the restriction one granular or type-specific scope imposes.
type Filter struct {
	// ResourceType is the type the filter admits: the requested type, or
	// for a system-level search the scope's type ("*" for any).
	ResourceType string
	// Params must all match, with FHIR search semantics for each name.
	// Nil means every resource of ResourceType.
	Params []Param
}

// Unfiltered reports whether some constraint of d has no filter, so every
// resource the context reaches passes in that context.
func (d Decision) Unfiltered() bool {
	for _, c := range d.Constraints {
		if c.Unfiltered {
			return true
		}
	}
	return false
}

// Decide decides whether the granted scopes in set permit interaction i on
// resourceType. It does no I/O. Pass resourceType "" only with Search, for
// system-level search and history: the decision then lists per-type
// filters unless a wildcard scope allows search unfiltered.
//
// Denied: an unknown interaction, a missing or malformed type, "*" as a
// type, and anything no resource scope permits. Non-resource scopes
// (openid, launch...) permit no FHIR interaction. For batch and
// transaction, decide each entry; for an interaction code, see
// InteractionOf.
func (set Set) Decide(i Interaction, resourceType string) Decision {
	switch {
	case !i.valid():
		return deny("unknown interaction " + i.String())
	case resourceType == "" && i != Search:
		return deny(i.String() + " needs a resource type")
	case resourceType != "" && !isTypeName(resourceType):
		return deny("\"" + resourceType + "\" is not a resource type name")
	}
	var d Decision
	perContext := make(map[Context]*Constraint)
	for _, s := range set {
		if s.Kind != KindResource || !s.Perms.Has(i) {
			continue
		}
		if resourceType != "" && s.ResourceType != "*" && s.ResourceType != resourceType {
			continue
		}
		d.By = append(d.By, s)
		c := perContext[s.Context]
		if c == nil {
			c = &Constraint{Context: s.Context}
			perContext[s.Context] = c
		}
		if c.Unfiltered {
			continue
		}
		f := Filter{ResourceType: resourceType, Params: s.Params}
		if resourceType == "" {
			f.ResourceType = s.ResourceType
		}
		if f.Params == nil && (resourceType != "" || f.ResourceType == "*") {
			c.Unfiltered, c.Filters = true, nil
			continue
		}
		c.add(f)
	}
	for ctx := ContextPatient; ctx <= ContextSystem; ctx++ {
		if c := perContext[ctx]; c != nil {
			d.Constraints = append(d.Constraints, *c)
		}
	}
	if len(d.Constraints) == 0 {
		target := "on " + resourceType
		if resourceType == "" {
			target = "across resource types"
		}
		return deny("no granted scope allows " + i.String() + " " + target)
	}
	d.Allowed = true
	return d
}

func deny(reason string) Decision { return Decision{Reason: reason} }

// add adds f to c's alternatives unless one already covers it, and drops
// those f covers.
func (c *Constraint) add(f Filter) {
	if slices.ContainsFunc(c.Filters, func(g Filter) bool { return g.covers(f) }) {
		return
	}
	c.Filters = slices.DeleteFunc(c.Filters, f.covers)
	c.Filters = append(c.Filters, f)
}

// covers reports whether every resource g admits f admits too, comparing
// parameters by decoded name and value.
func (f Filter) covers(g Filter) bool {
	return (f.ResourceType == "*" || f.ResourceType == g.ResourceType) && subset(f.Params, g.Params)
}
