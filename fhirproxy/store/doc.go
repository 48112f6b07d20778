// Package store keeps FHIR resources, their versions and their search
// indexes in one bbolt file.
//
// # Basics
//
// Every resource version is kept (FHIR R4 §3.1.0.5 "vread" and §3.1.0.12
// "history"); a delete writes a tombstone version. The search index is
// written in the same bbolt write transaction as the resource, so a search
// never sees a resource without its index entries or the other way round.
// A FHIR transaction bundle is one Update: all of its writes or none.
//
// The store does not parse FHIR: callers hand it compact resource JSON and
// the index values they extracted (package search), and the store sets
// id and meta (versionId, lastUpdated) on the bytes and keeps them.
//
// # Buckets
//
//	resources  "Type/id"                 -> header: version, lastUpdated, deleted
//	versions   "Type/id" 0 version(8)    -> op(1) lastUpdated(8) JSON (empty JSON: deleted)
//	changes    seq(8)                    -> "Type/id" 0 version(8)   (type and system history)
//	index      Type 0 param 0 term 0 id  -> nil                      (inverted index)
//
// Index terms start with a byte naming their kind: T code 0 system
// (token), R "Type/id" (reference), N normalized text (string), D lo hi
// (date, 8 bytes each, order-preserving).
//
//	forward    "Type/id"                 -> the current version's index values
//	counts     Type                      -> number of live resources
//
// # Caveats
//
// Writes inside an Update are buffered and applied in key order when the
// function returns (inserting random keys into one large bbolt transaction
// grows quadratically), so reads inside an Update see the state before it
// unless Tx.Flush applies the writes queued so far: a transaction may not
// touch one resource twice.
package store
