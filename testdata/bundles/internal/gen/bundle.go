package main

import (
	"fmt"
)

// bundleBuilder collects the entries of one transaction bundle
// (R4 bundle.html, http.html#transaction).
type bundleBuilder struct {
	name    string
	entries []any
	count   map[string]int
}

func newBundle(name string) *bundleBuilder {
	return &bundleBuilder{name: name, count: map[string]int{}}
}

// fullURL gives the next resource of type typ a urn:uuid named after the
// bundle, the type and its position among that type's resources.
func (b *bundleBuilder) fullURL(typ string) string {
	b.count[typ]++
	return "urn:uuid:" + uuidFor(fmt.Sprintf("https://smartd.example/testdata/bundles/%s/%s/%d", b.name, typ, b.count[typ]))
}

// post adds a resource created by the server, which assigns its id.
func (b *bundleBuilder) post(r object) string {
	typ := resourceType(r)
	full := b.fullURL(typ)
	b.entries = append(b.entries, obj("fullUrl", full, "resource", r, "request", obj("method", "POST", "url", typ)))
	return full
}

// put adds a resource with a stable id; references to its urn:uuid become
// Type/id when the server processes the transaction.
func (b *bundleBuilder) put(r object, id string) string {
	typ := resourceType(r)
	full := b.fullURL(typ)
	b.entries = append(b.entries, obj("fullUrl", full, "resource", r, "request", obj("method", "PUT", "url", typ+"/"+id)))
	return full
}

func (b *bundleBuilder) bundle() object {
	return obj("resourceType", "Bundle", "type", "transaction", "entry", b.entries)
}

func resourceType(r object) string {
	if len(r) == 0 || r[0].key != "resourceType" {
		panic("resource does not start with resourceType")
	}
	return r[0].val.(string)
}
