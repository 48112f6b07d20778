// Package fhirproxy is smartd's FHIR R4 REST surface (FHIR R4 §3.1.0,
// "RESTful API"): read, vread, create, update, delete, history, search,
// Patient/$everything, batch and transaction bundles, and the
// CapabilityStatement generated from what the code supports.
//
// All HTTP decoding happens in one place (ParseRequest), which turns a
// method, path and query into a typed Request; interactions receive the
// typed request and return a response or an *Error; one function renders
// errors as OperationOutcome. Resources are stored and served as the JSON
// the client sent, with only id and meta changed (and, in transactions,
// the references the transaction rules rewrite).
package fhirproxy
