// Command gen writes smartd's synthetic sample bundles: one FHIR R4 transaction
// (http.html#transaction) with the organization and practitioners, PUT with
// stable ids, then one transaction per patient whose entries are POSTed with
// urn:uuid fullUrls and reference each other only backwards.
//
// Run it from the repository root:
//
//	go run ./testdata/bundles/internal/gen
//
// The output is deterministic: every date is fixed in the stories, and every
// urn:uuid is a name-based UUID (RFC 9562 §5.5), so a run reproduces the
// committed files byte for byte (the test checks this).
package main
