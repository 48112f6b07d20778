// Package search holds FHIR R4 search (http://hl7.org/fhir/R4/search.html):
// the search parameters the server indexes, how their values are extracted
// from a resource, how a search query is parsed, and how one criterion is
// matched against a resource's indexed values. It does no I/O; the store
// keeps the indexes and runs the searches.
//
// # Basics
//
// Lookup, Definitions and Indexed describe the parameter registry: the R4
// definitions (names, types, paths and targets as in the R4 search
// parameter registry) for the resource types Indexed lists, plus the
// common parameters _id, _lastUpdated, _tag, _profile and _security, which
// every type has. PatientCompartment gives the R4 patient compartment
// (http://hl7.org/fhir/R4/compartmentdefinition-patient.html); every
// parameter it names is in the registry.
//
// Extract turns a resource into the IndexValue list the store indexes.
// Parse turns a query string into a Query of ANDed Criteria and result
// parameters. Criterion.Matches decides one criterion against one
// resource's values for that parameter; the store resolves chained and
// _has criteria itself by running the inner criterion as a sub-search
// (Criterion.ResolvedChain and Criterion.ResolvedHas turn the sub-search's
// answer back into a plain criterion).
//
// Four parameter types are indexed (R4 search, "Search Parameter Types"):
// token, reference, string and date. Values are read as follows.
//
//   - token: Coding (system|code), each coding of a CodeableConcept,
//     Identifier (system|value), ContactPoint (its value, no system), and
//     the code, boolean ("true"/"false"), string and canonical primitives
//     (the value, no system). Codes compare case-sensitively.
//   - string: a HumanName gives its text, family, given, prefix and suffix
//     parts and an Address its text, line, city, district, state,
//     postalCode and country, each as a separate value. Values are
//     normalized (Normalize) to lower case without accents; :exact
//     compares the text as written.
//   - date: date, dateTime and instant values denote the range their
//     precision implies ("2021" is the whole year); a Period runs from its
//     start to its end, an open end being unbounded. Timing is ignored.
//   - reference: Reference.reference as "Type/id" with any
//     "/_history/n" removed; an absolute URL under our base is made
//     relative, other absolute URLs are kept as written, and contained
//     ("#id"), urn: and conditional ("Type?query") references are skipped.
//
// # Caveats
//
// A dateTime or search date with a time but no time zone is read as UTC,
// and so is a date without a time: R4 says such values are in the
// server's local time, and this server's local time is UTC.
//
// Parse never validates resource type names against the full R4 list:
// _type values and the types named in _has, _include and chains only have
// to look like type names (and be known to the registry where a parameter
// of theirs must be found). The caller checks _type against the types it
// serves.
//
// A parameter the server does not support (an unknown name or modifier, a
// chain deeper than one level, a nested _has) is reported in
// Query.Ignored, or is an *Error under Prefer: handling=strict (R4
// search.html#errors). A parameter without a value is always ignored. A
// value the server cannot read (a malformed date, a bad _count) is always
// an *Error.
package search
