package fhirproxy

import (
	"strings"

	"smartd/fhirproxy/validate"
)

// rewriteDoc applies fn to every "reference" string in a decoded resource,
// as rawjson.RewriteReferences does on its bytes, so that the index is
// extracted from the references as stored.
func rewriteDoc(v any, fn func(string) (string, bool)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "reference" {
				if n, ok := fn(s); ok {
					v[k] = n
				}
				continue
			}
			rewriteDoc(x, fn)
		}
	case []any:
		for _, x := range v {
			rewriteDoc(x, fn)
		}
	}
}

// conditionalRef splits a conditional reference "Type?query" (FHIR R4
// §3.1.0.11.2, transaction processing rules).
func conditionalRef(ref string) (typ, query string, ok bool) {
	typ, query, ok = strings.Cut(ref, "?")
	if !ok || !validate.IsResourceType(typ) || strings.Contains(typ, "/") {
		return "", "", false
	}
	return typ, query, true
}
