package search

import "strings"

// Matches reports whether a resource whose index values for c.Param are
// vals satisfies c; vals holds that parameter's values only. It does not
// evaluate Chain or Has: the store runs their inner criterion as a
// sub-search and matches the criterion ResolvedChain or ResolvedHas
// returns instead.
//
// Any value matching any of the ORed Values is a match. :missing=true
// matches a resource without values and :missing=false one with some;
// :not matches when no value matches, so a resource without values too.
func (c Criterion) Matches(vals []IndexValue) bool {
	switch c.Modifier {
	case "missing":
		return len(c.Values) > 0 && c.Values[0].Missing == (len(vals) == 0)
	case "not":
		return !c.anyMatch(vals)
	}
	return c.anyMatch(vals)
}

func (c *Criterion) anyMatch(vals []IndexValue) bool {
	for i := range vals {
		for j := range c.Values {
			if c.matchOne(&c.Values[j], &vals[i]) {
				return true
			}
		}
	}
	return false
}

func (c *Criterion) matchOne(v *Value, iv *IndexValue) bool {
	switch c.Param.Type {
	case Token:
		return tokenMatches(v, iv)
	case String:
		switch c.Modifier {
		case "exact":
			return iv.Text == v.Text
		case "contains":
			return strings.Contains(iv.Norm, v.Norm)
		}
		return strings.HasPrefix(iv.Norm, v.Norm)
	case Reference:
		return refMatches(v.Ref, iv.Ref)
	case Date:
		return DateMatches(v.Prefix, v.Lo, v.Hi, iv.Lo, iv.Hi)
	}
	return false
}

// tokenMatches implements R4 search.html#token: "code" matches in any system,
// "|code" only without a system, "system|code" both, and "system|" any
// code of the system. Codes compare case-sensitively.
func tokenMatches(v *Value, iv *IndexValue) bool {
	if !v.HasSystem {
		return iv.Code == v.Code
	}
	return iv.System == v.System && (v.Code == "" || iv.Code == v.Code)
}

// refMatches compares a search reference with an indexed one: exactly,
// or, for a bare id, with a relative reference of any type with that id
// (R4 search.html#reference).
func refMatches(want, got string) bool {
	if want == got {
		return true
	}
	if strings.IndexByte(want, '/') >= 0 {
		return false
	}
	typ, id, ok := strings.Cut(got, "/")
	return ok && id == want && isTypeName(typ)
}

// DateMatches reports whether a resource's date range [lo, hi] satisfies
// the search value prefix with range [slo, shi] (all inclusive, Unix
// milliseconds; "" means eq). Each case quotes R4 search, "Prefixes", where "the
// range above the search value" starts after shi and "the range below" ends
// before slo.
func DateMatches(prefix string, slo, shi, lo, hi int64) bool {
	// "the range of the search value fully contains the range of the
	// target value"
	eq := slo <= lo && hi <= shi
	switch prefix {
	case "", "eq":
		return eq
	case "ne":
		// "the range of the search value does not fully contain the range
		// of the target value"
		return !eq
	case "gt":
		// "the range above the search value intersects (i.e. overlaps)
		// with the range of the target value"
		return hi > shi
	case "lt":
		// "the range below the search value intersects (i.e. overlaps)
		// with the range of the target value"
		return lo < slo
	case "ge":
		// "the range above the search value intersects (i.e. overlaps)
		// with the range of the target value, or the range of the search
		// value fully contains the range of the target value"
		return hi > shi || eq
	case "le":
		// "the range below the search value intersects (i.e. overlaps)
		// with the range of the target value or the range of the search
		// value fully contains the range of the target value"
		return lo < slo || eq
	case "sa":
		// "the range of the search value does not overlap with the range
		// of the target value, and the range above the search value
		// contains the range of the target value"
		return lo > shi
	case "eb":
		// "the range of the search value does overlap not with the range
		// of the target value, and the range below the search value
		// contains the range of the target value"
		return hi < slo
	}
	return false
}
