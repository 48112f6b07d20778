package authorize

import (
	"slices"
	"sync"

	"smartd/authz/scope"
)

// part is one narrower choice offered within a requested scope.
type part struct {
	scope scope.Scope
	value string // scope printed: the form value
	label string
}

// partList is the parts of one scope and their legend.
type partList struct {
	title string
	parts []part
}

// maxMemo bounds the scopes whose parts are remembered.
const maxMemo = 1024

// partsMemo remembers the parts of each printed scope: the consent page
// and its POST ask for the same few scopes over and over, and a wildcard
// has a part per common type. Its lists are shared: read-only.
type partsMemo struct {
	mu sync.RWMutex
	m  map[string]partList
}

// parts returns the narrower choices the consent page offers within s,
// and their legend: for a resource scope on a type with categories (and
// no category constraint yet, and a server that enforces one), one
// granular scope per category, `?category=<system>|<code>` (SMART App
// Launch 2.2, "Finer-grained resource constraints using search
// parameters"); for a wildcard scope, one scope per common resource type
// in the same syntax (v1 stays v1). Nil when s offers none. The result
// is shared: do not modify it.
func (h *Handler) parts(s scope.Scope) (string, []part) {
	if s.Kind != scope.KindResource {
		return "", nil
	}
	key := s.String()
	h.memo.mu.RLock()
	l, ok := h.memo.m[key]
	h.memo.mu.RUnlock()
	if !ok {
		l = h.makeParts(s)
		h.memo.mu.Lock()
		if h.memo.m == nil {
			h.memo.m = make(map[string]partList)
		}
		if len(h.memo.m) < maxMemo {
			h.memo.m[key] = l
		}
		h.memo.mu.Unlock()
	}
	return l.title, l.parts
}

// makeParts builds the parts of the resource scope s (see parts).
func (h *Handler) makeParts(s scope.Scope) partList {
	if s.ResourceType == "*" {
		out := make([]part, 0, len(wildcardTypes))
		for _, t := range wildcardTypes {
			n := s
			n.ResourceType = t.typ
			n.Params = slices.Clone(s.Params)
			out = append(out, part{n, n.String(), t.label})
		}
		return partList{"Types of data", out}
	}
	cats, ok := typeCategories[s.ResourceType]
	if !ok || hasParam(s, "category") || !h.supports(s.ResourceType, "category") {
		return partList{}
	}
	out := make([]part, 0, len(cats.codes))
	for _, c := range cats.codes {
		n := s
		n.Params = append(slices.Clone(s.Params), scope.Param{Name: "category", Value: c.system + "|" + c.code})
		out = append(out, part{n, n.String(), c.label})
	}
	return partList{cats.title, out}
}

// supports reports whether a granular parameter would be granted.
func (h *Handler) supports(resourceType, param string) bool {
	return h.opts.Grant.Supports == nil || h.opts.Grant.Supports(resourceType, param)
}

func hasParam(s scope.Scope, name string) bool {
	for _, p := range s.Params {
		if p.Name == name {
			return true
		}
	}
	return false
}

// chosen returns what the consent form kept of the requested scopes, in
// request order: a ticked scope (its string among ticked) whole when it
// offers no parts or all its parts are ticked (among narrow), else one
// scope per ticked part. Values the page did not offer are ignored, so
// the form can only narrow the request, never widen it; KindOther scopes
// are never offered.
func (h *Handler) chosen(requested scope.Set, ticked, narrow []string) scope.Set {
	tick := make(map[string]bool, len(ticked)+len(narrow))
	for _, v := range ticked {
		tick["s "+v] = true
	}
	for _, v := range narrow {
		tick["n "+v] = true
	}
	var out scope.Set
	for _, s := range requested {
		if s.Kind == scope.KindOther || !tick["s "+s.String()] {
			continue
		}
		_, ps := h.parts(s)
		var kept scope.Set
		for _, p := range ps {
			if tick["n "+p.value] {
				kept = append(kept, p.scope)
			}
		}
		if len(kept) == len(ps) {
			out = append(out, s)
		} else {
			out = append(out, kept...)
		}
	}
	return out
}

// offered returns the requested scopes the consent page offers: all but
// the KindOther ones, which are never granted.
func offered(requested scope.Set) scope.Set {
	out := make(scope.Set, 0, len(requested))
	for _, s := range requested {
		if s.Kind != scope.KindOther {
			out = append(out, s)
		}
	}
	return out
}
