package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Check validates one resource, given as the raw JSON the client sent, and returns
// its resourceType and the document decoded with json.Decoder.UseNumber. wantType ""
// accepts any resource type; otherwise the resourceType must equal it. Every
// refusal is an *Error. On error the other results are zero.
func Check(raw []byte, wantType string) (resourceType string, doc map[string]any, err error) {
	doc, e := decode(raw)
	if e != nil {
		return "", nil, e
	}
	s := loadSchema()
	w := &walker{schema: s}
	rs, e := w.resourceType(doc)
	if e != nil {
		return "", nil, e
	}
	rt := doc["resourceType"].(string) // resourceType checked it is a string
	if wantType != "" && rt != wantType {
		return "", nil, invalidError("resourceType", fmt.Sprintf("resource type %q does not match the URL's %q", rt, wantType))
	}
	if e := walk(s, rs, rt, doc); e != nil {
		return "", nil, e
	}
	return rt, doc, nil
}

// decode reads raw as exactly one JSON object (R4 §2.6.2: UTF-8 JSON), keeping
// numbers as written.
func decode(raw []byte) (map[string]any, *Error) {
	if !utf8.Valid(raw) {
		return nil, structureError("", "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, structureError("", "the body is empty")
		}
		return nil, structureError("", "invalid JSON: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, structureError("", "invalid JSON: data after the resource")
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, structureError("", "the body must be a JSON object, not "+jsonKind(v))
	}
	return doc, nil
}

// walk checks doc, a resource of type rs named rt. Its first walk visits
// properties in map order; only when it finds an error is the walk repeated in
// key order, so that the same document always gets the same error.
func walk(s *schema, rs *resourceSchema, rt string, doc map[string]any) *Error {
	w := &walker{schema: s, path: make([]segment, 1, 16)}
	w.path[0] = segment{name: rt, index: -1}
	if w.resource(doc, rs, false) == nil {
		return nil
	}
	w = &walker{schema: s, path: make([]segment, 1, 16), sorted: true}
	w.path[0] = segment{name: rt, index: -1}
	return w.resource(doc, rs, false)
}
