package server

import (
	"strings"

	"smartd/fhirproxy/search"
)

// SupportsScopeParam reports whether the FHIR server can evaluate the
// parameter of a granular scope (SMART App Launch 2.2, scopes-and-launch-
// context.html, "Finer-grained resource constraints using search
// parameters") on resourceType, "*" for a wildcard scope: a search
// parameter it indexes for that type, or for "*" one that every type has
// (_id, _lastUpdated, _tag, _profile, _security). Modifiers ("code:in")
// are not supported, so a scope that uses one grants nothing.
func SupportsScopeParam(resourceType, param string) bool {
	if param == "" || strings.Contains(param, ":") {
		return false
	}
	if resourceType == "*" {
		resourceType = ""
	}
	_, ok := search.Lookup(resourceType, param)
	return ok
}
