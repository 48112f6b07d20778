// Package validate checks one FHIR R4 resource, given as the raw JSON a client
// sent, before the server stores it. It is only a gate: the server stores and
// serves the bytes it received and never re-encodes them, so nothing here
// builds or rewrites a resource.
//
// # Basics
//
// [Check] decodes the body once (with json.Decoder.UseNumber, so numbers keep
// their written form) and returns the resource type and the decoded document
// for the caller to index. Every refusal is an [*Error] carrying the HTTP
// status, the OperationOutcome issue type and the FHIRPath-like location of the
// offending element, such as "Observation.code.coding[0].system".
//
// The element tables come from github.com/samply/golang-fhir-models (v0.3.2):
// its structs, walked once by reflection over their json tags, give each
// type's elements, their JSON kinds and which are required (a tag without
// omitempty); its enums give the codes of required bindings. Its UnmarshalXxx
// functions are not called at run time (the walk checks all they check, and
// they took half of Check's time); the tests use them as an oracle.
// resources_gen.go, the table of resource types, is generated from the models'
// source: run `go generate ./fhirproxy/validate` after changing their version.
//
// # Checks
//
//   - The body is UTF-8 JSON holding one object with a known resourceType
//     (R4 §2.6.2 "JSON Representation of Resources"), equal to the type the
//     caller expects if it names one: 400 "structure" or "invalid".
//   - Every property is an element of its type, a `_name` primitive extension
//     of a primitive element (§2.6.2.4), resourceType on a resource, or contained
//     on a DomainResource (§2.37): 400 "structure".
//   - Values have the JSON kind of their element; integers are 32-bit and
//     written without fraction or exponent (§2.24.0.1): 400 "structure" or
//     "value".
//   - No empty objects, arrays or strings, and no nulls outside the arrays
//     that primitive extensions pair with (§2.6.2): 400 "structure". The
//     Synthea sample data has none of these.
//   - Codes of required bindings are in their value set: 422 "code-invalid".
//   - Required elements (minimum cardinality 1) are present, in backbone
//     elements too; a required choice element (medication[x]) needs one of
//     its types: 422 "required".
//   - Resource ids match [A-Za-z0-9\-\.]{1,64} (§2.24.0.1 "id"): 400 "value".
//   - Resources inside resources (Bundle.entry.resource,
//     Bundle.entry.response.outcome, Parameters.parameter.resource, contained)
//     are checked by their own resourceType; a contained resource cannot
//     contain others (dom-2).
//
// # Caveats
//
// Check does not check the lexical forms of primitives beyond their JSON kind
// (dates, uris, base64), the sign of positiveInt and unsignedInt (the models
// write both as int), bindings weaker than required, invariants other than
// dom-2, profiles, or references. A duplicate property name is not detected:
// encoding/json keeps the last one. Of several errors in one document Check
// reports the first in property-name order, the same one every time.
package validate
