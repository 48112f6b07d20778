package search

import (
	"slices"
	"strconv"
	"strings"
)

// MaxCount caps _count: a larger page size is served as MaxCount (R4
// search.html#count: "the server is not bound to return the number requested").
const MaxCount = 1000

// result handles the search result parameters (R4 search, "Search
// result parameters"); ok is false when name is not one of them.
func (p *parser) result(name, mod string, vals []string) (r *refusal, ok bool) {
	switch name {
	case "_format", "_pretty":
		// The HTTP layer reads them.
		return nil, true
	case "_include", "_revinclude":
		return p.includes(name, mod, vals), true
	case "_count", "_sort", "_total", "_summary", "_elements", "_cursor", "_type":
	default:
		return nil, false
	}
	if mod != "" {
		return unsupportedf("modifier :%s is not supported on %s", mod, name), true
	}
	switch name {
	case "_elements":
		return p.elements(vals), true
	case "_type":
		return p.types(vals), true
	}
	if len(vals) != 1 {
		return malformedf("%s must not repeat", name), true
	}
	v := vals[0]
	switch name {
	case "_count":
		return p.count(v), true
	case "_sort":
		return p.sort(v), true
	case "_total":
		switch v {
		case "none", "estimate", "accurate":
			p.q.Total = v
			return nil, true
		}
		return malformedf("_total is none, estimate or accurate, not %q", v), true
	case "_summary":
		switch v {
		case "count", "false":
			p.q.Summary = v
			return nil, true
		case "true", "text", "data":
			return unsupportedf("_summary=%s is not supported", v), true
		}
		return malformedf("_summary is true, text, data, count or false, not %q", v), true
	}
	// _cursor: opaque, from a next link we wrote.
	p.q.Cursor = v
	return nil, true
}

func (p *parser) count(v string) *refusal {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return malformedf("_count must be a non-negative integer, not %q", v)
	}
	p.q.Count = min(n, MaxCount)
	p.countZero = n == 0
	return nil
}

// sort reads _sort (R4 search.html#sort): date parameters, _lastUpdated among
// them, and _id can be sorted on.
func (p *parser) sort(v string) *refusal {
	for key := range strings.SplitSeq(v, ",") {
		name, desc := strings.CutPrefix(key, "-")
		if name == "" {
			return malformedf("empty sort key in %q", v)
		}
		def, ok := Lookup(p.q.Type, name)
		var r *refusal
		switch {
		case !ok:
			r = p.unknown(name)
		case def.Type != Date && def.Name != "_id":
			r = unsupportedf("cannot sort on %s: only date parameters and _id are sortable", name)
		default:
			p.q.Sort = append(p.q.Sort, SortKey{Param: def, Desc: desc})
			continue
		}
		if r = p.skip("_sort", r); r != nil {
			return r
		}
	}
	return nil
}

// elements reads _elements (R4 search.html#elements): top-level element names.
func (p *parser) elements(vals []string) *refusal {
	for _, v := range vals {
		for e := range strings.SplitSeq(v, ",") {
			e = strings.TrimSpace(e)
			if !isElementName(e) {
				return malformedf("%q is not an element name", e)
			}
			p.q.Elements = append(p.q.Elements, e)
		}
	}
	return nil
}

// types reads _type, which only a system search takes.
func (p *parser) types(vals []string) *refusal {
	if p.q.Type != "" {
		return unsupportedf("_type applies to system searches only")
	}
	for _, v := range vals {
		for t := range strings.SplitSeq(v, ",") {
			if !isTypeName(t) {
				return malformedf("%q is not a resource type", t)
			}
			if !slices.Contains(p.q.Types, t) {
				p.q.Types = append(p.q.Types, t)
			}
		}
	}
	return nil
}

// includes reads _include and _revinclude (R4 search.html#include), with the
// :iterate modifier (and its R3 name :recurse).
func (p *parser) includes(name, mod string, vals []string) *refusal {
	if mod != "" && mod != "iterate" && mod != "recurse" {
		return unsupportedf("modifier :%s is not supported on %s", mod, name)
	}
	rev := name == "_revinclude"
	for _, v := range vals {
		inc, r := p.include(v, rev, mod != "")
		if r != nil {
			if r = p.skip(name, r); r != nil {
				return r
			}
			continue
		}
		if rev {
			p.q.RevInclude = append(p.q.RevInclude, inc)
		} else {
			p.q.Include = append(p.q.Include, inc)
		}
	}
	return nil
}

// include reads "*", "Type:param" or "Type:param:TargetType"; param may be
// "*". A plain _include must start from the searched type; :iterate ones
// may start from the types earlier includes brought in.
func (p *parser) include(v string, rev, iterate bool) (Include, *refusal) {
	if v == "*" {
		inc := Include{SourceType: p.q.Type, Param: "*", Iterate: iterate}
		if rev {
			inc.SourceType = ""
		}
		return inc, nil
	}
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 || !isTypeName(parts[0]) || parts[1] == "" {
		return Include{}, malformedf("%q is not Type:parameter[:TargetType]", v)
	}
	inc := Include{SourceType: parts[0], Param: parts[1], Iterate: iterate}
	if len(parts) == 3 {
		if !isTypeName(parts[2]) {
			return inc, malformedf("%q is not a resource type", parts[2])
		}
		inc.TargetType = parts[2]
	}
	if !rev && !iterate && p.q.Type != "" && inc.SourceType != p.q.Type {
		return inc, unsupportedf("_include=%s does not start from %s (use _include:iterate)", v, p.q.Type)
	}
	if inc.Param == "*" {
		return inc, nil
	}
	def, ok := Lookup(inc.SourceType, inc.Param)
	switch {
	case !ok:
		return inc, unsupportedf("unknown search parameter %q for %s", inc.Param, inc.SourceType)
	case def.Type != Reference:
		return inc, malformedf("%s.%s is not a reference parameter", inc.SourceType, inc.Param)
	case inc.TargetType != "":
		return inc, checkTarget(def, inc.TargetType)
	}
	return inc, nil
}

// isElementName reports whether s is a plausible top-level element name.
func isElementName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
