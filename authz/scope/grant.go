package scope

import "slices"

// GrantOptions tunes Grant. The zero value supports every granular
// parameter.
type GrantOptions struct {
	// Supports reports whether the FHIR server can enforce a granular
	// parameter (its Name, modifier included, such as "category" or
	// "code:in") on resourceType ("*" for a wildcard scope). A scope that
	// would carry an unsupported parameter is not granted, and is never
	// replaced by a broader one. Nil means every parameter is supported.
	Supports func(resourceType, param string) bool
}

// Grant returns the part of requested that allowed permits, in the order of
// the request: requested ∩ allowed. Apply it again to intersect with what
// the user consented to, or with the original grant on refresh.
//
//   - Resource scopes meet only in the same context: `user/*.rs` does not
//     grant `patient/Observation.rs`. The IG calls patient scopes a
//     narrowing of user access, but meeting them would turn a user-level
//     policy into patient access without the patient compartment ever
//     being chosen by the policy; a server that wants both lists both.
//   - The resource type meets with wildcards on either side, permissions
//     intersect (`.*` against `.rs` gives `.rs`), and granular parameters
//     combine: an unrestricted side keeps the other side's parameters,
//     and two different restrictions are both kept (all must match). So
//     `patient/Observation.rs` against `patient/Observation.rs?category=x`
//     grants the granular scope only.
//   - One requested scope may become several (`patient/*.rs` against
//     `patient/Observation.read patient/Condition.read`); results that
//     share type and parameters are merged, and a result another result
//     covers is dropped.
//   - A result keeps the request's style: URI prefix, v1 suffix when the
//     permissions have one, and the parameters as written. A scope that
//     is granted whole comes back exactly as requested.
//   - Launch, identity and lifetime scopes are granted when allowed holds
//     the same scope; `launch/<type>` without a role in allowed also
//     grants it with any role. KindOther scopes are never granted.
//
// Grant never returns two scopes that print the same.
func Grant(requested, allowed Set, opts GrantOptions) Set {
	var out Set
	seen := make(map[string]bool)
	add := func(s Scope) {
		if k := s.String(); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	for _, r := range requested {
		switch r.Kind {
		case KindOther:
		case KindResource:
			for _, s := range grantResource(r, allowed, opts) {
				add(s)
			}
		default:
			if allowsNonResource(allowed, r) {
				add(r)
			}
		}
	}
	return out
}

// allowsNonResource reports whether allowed permits the launch, identity
// or lifetime scope r.
func allowsNonResource(allowed Set, r Scope) bool {
	for _, a := range allowed {
		if a.Kind != r.Kind {
			continue
		}
		if r.Kind != KindLaunch || a.Launch == r.Launch && (a.Role == "" || a.Role == r.Role) {
			return true
		}
	}
	return false
}

// candidate is one piece of a requested resource scope that allowed
// permits.
type candidate struct {
	typ    string
	params []Param
	perms  Perms
}

// grantResource returns the resource scopes that allowed permits of r.
func grantResource(r Scope, allowed Set, opts GrantOptions) []Scope {
	var cands []candidate
	for _, a := range allowed {
		if a.Kind != KindResource || a.Context != r.Context {
			continue
		}
		typ, ok := meetType(r.ResourceType, a.ResourceType)
		perms := r.Perms & a.Perms
		if !ok || perms == 0 {
			continue
		}
		params := meetParams(r.Params, a.Params)
		if !supported(opts, typ, params) {
			continue
		}
		merged := false
		for i := range cands {
			if cands[i].typ == typ && sameParams(cands[i].params, params) {
				cands[i].perms |= perms
				merged = true
				break
			}
		}
		if !merged {
			cands = append(cands, candidate{typ, params, perms})
		}
	}
	var out []Scope
	for i, c := range cands {
		covered := false
		for j, d := range cands {
			if i != j && covers(d, c) {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		s := r
		s.ResourceType, s.Perms = c.typ, c.perms
		if !sameParams(c.params, r.Params) {
			s.Params = c.params
		}
		s.Params = slices.Clone(s.Params) // the result shares no memory with the inputs
		if s.Syntax == V1 && !v1Expressible(s.Perms) {
			s.Syntax = V2
		}
		out = append(out, s)
	}
	return out
}

// meetType returns the resource type both r and a reach.
func meetType(r, a string) (string, bool) {
	switch {
	case r == a || a == "*":
		return r, true
	case r == "*":
		return a, true
	}
	return "", false
}

// meetParams returns the constraints of both r and a (all must match),
// reusing whichever side's spelling already says it all.
func meetParams(r, a []Param) []Param {
	switch {
	case subset(a, r):
		return r
	case subset(r, a):
		return a
	}
	out := make([]Param, len(r), len(r)+len(a))
	copy(out, r)
	for _, p := range a {
		if !contains(r, p) {
			out = append(out, p)
		}
	}
	return out
}

func supported(opts GrantOptions, typ string, params []Param) bool {
	if opts.Supports == nil {
		return true
	}
	for _, p := range params {
		if !opts.Supports(typ, p.Name) {
			return false
		}
	}
	return true
}

// covers reports whether d permits everything c does.
func covers(d, c candidate) bool {
	return (d.typ == "*" || d.typ == c.typ) && c.perms&^d.perms == 0 && subset(d.params, c.params)
}

// subset reports whether every constraint in x is in y, comparing decoded
// names and values.
func subset(x, y []Param) bool {
	for _, p := range x {
		if !contains(y, p) {
			return false
		}
	}
	return true
}

func sameParams(x, y []Param) bool { return subset(x, y) && subset(y, x) }

func contains(ps []Param, p Param) bool {
	for _, q := range ps {
		if q.Name == p.Name && q.Value == p.Value {
			return true
		}
	}
	return false
}
