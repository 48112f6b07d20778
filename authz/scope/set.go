package scope

// Set is an ordered list of scopes: a parsed scope parameter, a client's
// allowed scopes, or a grant. Parse never puts the same token in twice, and
// Grant never returns the same printed scope twice.
type Set []Scope

// Equal reports whether set and t hold Equal scopes in the same order.
func (set Set) Equal(t Set) bool {
	if len(set) != len(t) {
		return false
	}
	for i := range set {
		if !set[i].Equal(t[i]) {
			return false
		}
	}
	return true
}

// Has reports whether set holds a scope of kind k: Has(KindOpenID) for
// `openid`, Has(KindOfflineAccess) for `offline_access`, Has(KindResource)
// for any resource scope.
func (set Set) Has(k Kind) bool {
	for _, s := range set {
		if s.Kind == k {
			return true
		}
	}
	return false
}

// HasLaunch reports whether set holds `launch` (typ == "") or
// `launch/<typ>` ("patient", "encounter", ...), with or without a role.
func (set Set) HasLaunch(typ string) bool {
	for _, s := range set {
		if s.Kind == KindLaunch && s.Launch == typ {
			return true
		}
	}
	return false
}

// HasContext reports whether set holds a resource scope in context c. A
// grant with a patient/ scope needs a patient in launch context (SMART App
// Launch 2.2, "Apps that launch from the EHR").
func (set Set) HasContext(c Context) bool {
	for _, s := range set {
		if s.Kind == KindResource && s.Context == c {
			return true
		}
	}
	return false
}

// Unknown returns the KindOther scopes in set, in order: extension scopes
// the server does not define and malformed SMART scopes (Scope.Problem).
// They are never granted; a server may list them in warnings or on the
// consent page. It returns nil when every scope was understood.
func (set Set) Unknown() Set {
	var out Set
	for _, s := range set {
		if s.Kind == KindOther {
			out = append(out, s)
		}
	}
	return out
}
