// Package rawjson edits FHIR JSON resources at the byte level, keeping every
// byte it does not need to change: key order, number spelling such as
// 28.104000000000003, string escapes, non-ASCII text and whitespace.
//
// # Basics
//
// The FHIR R4 RESTful API (http.html, create and update) lets the
// server change only id and meta of a resource it stores: it assigns
// Resource.id and sets meta.versionId and meta.lastUpdated (resource.html#Meta).
// Transaction processing (http.html#trules, "Transaction Processing Rules")
// also rewrites the references to entries the transaction creates. Decoding
// into map[string]any or structs and re-encoding would change numbers,
// escapes and key order, so this package splices the bytes instead:
//
//   - [Top], [SetTop], [DeleteTop] and [KeepTop] read and edit top-level
//     members; KeepTop is the core of _elements (search.html#elements).
//   - [SetMeta] sets id, meta.versionId and meta.lastUpdated in one call;
//     [FormatInstant] formats the instant it expects (datatypes.html#instant).
//   - [AddTag] appends a Coding to meta.tag, e.g. the SUBSETTED tag that
//     _elements and _summary require.
//   - [RewriteReferences] visits the string value of every "reference" member
//     at any depth (Reference.reference, references.html), contained
//     resources, extensions and Bundle entries included, and replaces the
//     ones asked for.
//   - [Compact] removes insignificant whitespace like encoding/json.Compact.
//
// Every function validates its whole input with a hand-written scanner that
// accepts exactly what encoding/json.Valid accepts (UTF-8 is not checked,
// nesting is limited to 10000 levels) and returns an error wrapping
// [ErrSyntax] or [ErrTooDeep] otherwise; what they return is valid JSON.
//
// # Caveats
//
// Only members named "reference" are rewritten. The transaction rules also
// ask servers to replace matching links found in elements of type uri, url,
// oid and uuid (Attachment.url among them) and in the narrative's
// <a href=""> and <img src="">; that is out of scope here.
//
// Duplicate member names are not FHIR, but JSON allows them. This package
// follows encoding/json, where the last occurrence wins: [Top] returns the
// last value, [SetMeta] and [AddTag] edit the last meta, and [SetTop] and
// [SetMeta] leave exactly one member of each name they set, at the position
// of the first occurrence. [DeleteTop] removes them all; [KeepTop] keeps them
// all.
//
// Members that an edit inserts are written compactly, borrowing the
// separator and key-value spacing of the object's first members; members and
// whitespace that are kept stay as written. [Top] returns a slice of its
// input, and [RewriteReferences] returns its input when it replaces nothing:
// like any value read inside a bbolt transaction, copy them before the
// input's memory is reused.
package rawjson
