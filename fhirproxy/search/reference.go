package search

import "strings"

// indexRef normalizes a Reference.reference for the index (R4
// references.html, "Literal References"): contained ("#id"), urn: and
// conditional ("Type?query") references cannot be indexed; an absolute URL
// under base becomes relative; other absolute URLs are kept as written; a
// relative
// reference loses its "/_history/n" suffix and must be "Type/id".
func indexRef(r, base string) (string, bool) {
	if r == "" || r[0] == '#' || strings.HasPrefix(r, "urn:") || strings.IndexByte(r, '?') >= 0 {
		return "", false
	}
	if rel, ok := underBase(r, base); ok {
		r = rel
	}
	if strings.Contains(r, "://") {
		return r, true
	}
	r = stripHistory(r)
	if !isRelativeRef(r) {
		return "", false
	}
	return r, true
}

// underBase returns r relative to base when r is an absolute URL under it.
func underBase(r, base string) (string, bool) {
	if base == "" || len(r) <= len(base)+1 || r[len(base)] != '/' || !strings.HasPrefix(r, base) {
		return "", false
	}
	return r[len(base)+1:], true
}

func stripHistory(r string) string {
	if i := strings.Index(r, "/_history/"); i >= 0 {
		return r[:i]
	}
	return r
}

// refType returns the resource type of a "Type/id" reference or of an
// absolute ".../Type/id" URL, or "" when it has none.
func refType(r string) string {
	r = stripHistory(r)
	i := strings.LastIndexByte(r, '/')
	if i < 0 {
		return ""
	}
	r = r[:i]
	typ := r[strings.LastIndexByte(r, '/')+1:]
	if !isTypeName(typ) {
		return ""
	}
	return typ
}

// isRelativeRef reports whether r is "Type/id".
func isRelativeRef(r string) bool {
	typ, id, ok := strings.Cut(r, "/")
	return ok && isTypeName(typ) && isID(id)
}

// isTypeName reports whether s looks like a resource type name: an ASCII
// capital followed by letters.
func isTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// isID reports whether s is a FHIR id: 1 to 64 of [A-Za-z0-9-.].
func isID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
