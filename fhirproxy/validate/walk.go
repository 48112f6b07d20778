package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// segment is one step of an element path: a property name, and an index when
// the step is one item of an array.
type segment struct {
	name  string
	index int // -1 for the whole property
}

// walker checks a decoded document against the element tables, keeping the path
// to the element it is looking at so that errors can name it.
type walker struct {
	schema *schema
	path   []segment
	// sorted visits properties in key order instead of map order, so that of
	// several errors the same one is always reported. Check walks unsorted first
	// and again sorted only to report an error.
	sorted bool
}

func (w *walker) push(name string) { w.path = append(w.path, segment{name: name, index: -1}) }
func (w *walker) pop()             { w.path = w.path[:len(w.path)-1] }
func (w *walker) setIndex(i int)   { w.path[len(w.path)-1].index = i }

// where renders the current path, e.g. "Observation.code.coding[0]".
func (w *walker) where() string {
	var b strings.Builder
	for i, s := range w.path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// at renders the path of the property name of the current object.
func (w *walker) at(name string) string {
	if len(w.path) == 0 {
		return name
	}
	return w.where() + "." + name
}

// resource checks obj, a resource of the type rs. contained is set for a
// resource inside DomainResource.contained.
func (w *walker) resource(obj map[string]any, rs *resourceSchema, contained bool) *Error {
	// Resource.id has type id (R4 §2.24.0.1 "id"); element ids are plain strings.
	if s, ok := obj["id"].(string); ok && !validID(s) {
		return valueError(w.at("id"), fmt.Sprintf("id %q does not match [A-Za-z0-9\\-\\.]{1,64}", s))
	}
	return w.object(obj, rs.fields, rs, contained)
}

// anyResource checks obj, found where any type of resource may be (Bundle.entry.resource,
// Parameters.parameter.resource, DomainResource.contained), by its own resourceType.
func (w *walker) anyResource(obj map[string]any, contained bool) *Error {
	rs, err := w.resourceType(obj)
	if err != nil {
		return err
	}
	return w.resource(obj, rs, contained)
}

// resourceType looks up the type obj names in its resourceType property.
func (w *walker) resourceType(obj map[string]any) (*resourceSchema, *Error) {
	v, ok := obj["resourceType"]
	if !ok {
		return nil, structureError(w.at("resourceType"), "missing resourceType")
	}
	name, ok := v.(string)
	if !ok {
		return nil, structureError(w.at("resourceType"), "resourceType must be a string, not "+jsonKind(v))
	}
	rs := w.schema.resources[name]
	if rs == nil {
		return nil, invalidError(w.at("resourceType"), fmt.Sprintf("unknown resource type %q", name))
	}
	return rs, nil
}

// object checks the properties of obj against ct, then the required elements of
// ct. rs is set when obj is a resource of that type.
func (w *walker) object(obj map[string]any, ct *complexType, rs *resourceSchema, contained bool) *Error {
	if len(obj) == 0 {
		return structureError(w.where(), "empty object: FHIR JSON has no empty objects (R4 §2.6.2)")
	}
	if w.sorted {
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if err := w.property(obj, k, obj[k], ct, rs, contained); err != nil {
				return err
			}
		}
	} else {
		for k, v := range obj {
			if err := w.property(obj, k, v, ct, rs, contained); err != nil {
				return err
			}
		}
	}
	for _, req := range ct.required {
		if !present(obj, req.names, ct) {
			return requiredError(w.at(req.label), fmt.Sprintf("missing required element %q in %s", req.label, w.where()))
		}
	}
	return nil
}

// present reports whether obj has one of names, or a primitive extension of it
// (R4 §2.6.2.4: a primitive may carry only extensions, e.g. a data-absent-reason).
func present(obj map[string]any, names []string, ct *complexType) bool {
	for _, n := range names {
		if _, ok := obj[n]; ok {
			return true
		}
	}
	for _, n := range names {
		if ct.elements[n].kind.primitive() {
			if _, ok := obj["_"+n]; ok {
				return true
			}
		}
	}
	return false
}

// property checks one property k of obj.
func (w *walker) property(obj map[string]any, k string, v any, ct *complexType, rs *resourceSchema, contained bool) *Error {
	switch {
	case rs != nil && k == "resourceType":
		return nil // read by the caller
	case rs != nil && rs.domain && k == "contained":
		if contained {
			return structureError(w.at(k), "a contained resource cannot contain resources (R4 §2.37, dom-2)")
		}
		w.push(k)
		defer w.pop()
		return w.contained(v)
	case strings.HasPrefix(k, "_"):
		return w.primitiveExtension(obj, k, v, ct)
	}
	el := ct.elements[k]
	if el == nil {
		return structureError(w.at(k), fmt.Sprintf("unknown element %q in %s", k, w.where()))
	}
	w.push(k)
	defer w.pop()
	if !el.array {
		return w.value(el, v)
	}
	arr, ok := v.([]any)
	if !ok {
		return structureError(w.where(), "must be an array, not "+jsonKind(v))
	}
	if len(arr) == 0 {
		return structureError(w.where(), "empty array: FHIR JSON has no empty arrays (R4 §2.6.2)")
	}
	for i, item := range arr {
		w.setIndex(i)
		if item == nil && el.kind.primitive() && hasExtensionAt(obj, k, i) {
			continue // R4 §2.6.2.4: null stands in for a value that has only extensions
		}
		if err := w.value(el, item); err != nil {
			return err
		}
	}
	return nil
}

// hasExtensionAt reports whether obj["_"+name][i] is an object.
func hasExtensionAt(obj map[string]any, name string, i int) bool {
	ext, ok := obj["_"+name].([]any)
	if !ok || i >= len(ext) {
		return false
	}
	_, ok = ext[i].(map[string]any)
	return ok
}

// value checks one value (not an array) of the element el at the current path.
func (w *walker) value(el *element, v any) *Error {
	switch el.kind {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return w.typeError("a string", v)
		}
		if s == "" {
			return w.emptyString()
		}
	case kindBool:
		if _, ok := v.(bool); !ok {
			return w.typeError("a boolean", v)
		}
	case kindInteger:
		n, ok := v.(json.Number)
		if !ok {
			return w.typeError("an integer", v)
		}
		return w.integer(n)
	case kindDecimal:
		if _, ok := v.(json.Number); !ok {
			return w.typeError("a number", v)
		}
	case kindCode:
		s, ok := v.(string)
		if !ok {
			return w.typeError("a code string", v)
		}
		if s == "" {
			return w.emptyString()
		}
		if _, ok := el.codes.codes[s]; !ok {
			return codeInvalidError(w.where(), fmt.Sprintf("unknown %s code %q", el.codes.name, s))
		}
	case kindComplex:
		m, ok := v.(map[string]any)
		if !ok {
			return w.typeError("an object", v)
		}
		return w.object(m, el.complex, nil, false)
	case kindResource:
		m, ok := v.(map[string]any)
		if !ok {
			return w.typeError("a resource object", v)
		}
		return w.anyResource(m, false)
	}
	return nil
}

// integer checks a FHIR integer, a signed 32-bit number written without fraction
// or exponent (R4 §2.24.0.1 "integer").
func (w *walker) integer(n json.Number) *Error {
	_, err := strconv.ParseInt(string(n), 10, 32)
	if err == nil {
		return nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return valueError(w.where(), fmt.Sprintf("integer %s is out of the 32-bit range", n))
	}
	return structureError(w.where(), fmt.Sprintf("must be an integer, not %s", n))
}

// contained checks DomainResource.contained (R4 §2.37): an array of resources.
func (w *walker) contained(v any) *Error {
	arr, ok := v.([]any)
	if !ok {
		return structureError(w.where(), "must be an array, not "+jsonKind(v))
	}
	if len(arr) == 0 {
		return structureError(w.where(), "empty array: FHIR JSON has no empty arrays (R4 §2.6.2)")
	}
	for i, item := range arr {
		w.setIndex(i)
		m, ok := item.(map[string]any)
		if !ok {
			return w.typeError("a resource object", item)
		}
		if err := w.anyResource(m, true); err != nil {
			return err
		}
	}
	return nil
}

// primitiveExtension checks `_name`, the id and extensions of the primitive
// element name (R4 §2.6.2.4): an object, or for a repeating element an array of
// objects and nulls as long as the array of values.
func (w *walker) primitiveExtension(obj map[string]any, k string, v any, ct *complexType) *Error {
	base := k[1:]
	el := ct.elements[base]
	if el == nil || !el.kind.primitive() {
		return structureError(w.at(k), fmt.Sprintf("unknown element %q in %s", k, w.where()))
	}
	w.push(k)
	defer w.pop()
	if !el.array {
		m, ok := v.(map[string]any)
		if !ok {
			return w.typeError("an object", v)
		}
		return w.object(m, w.schema.primExtend, nil, false)
	}
	arr, ok := v.([]any)
	if !ok {
		return structureError(w.where(), "must be an array, not "+jsonKind(v))
	}
	if len(arr) == 0 {
		return structureError(w.where(), "empty array: FHIR JSON has no empty arrays (R4 §2.6.2)")
	}
	values, hasValues := obj[base].([]any)
	if hasValues && len(values) != len(arr) {
		return structureError(w.where(), fmt.Sprintf("has %d items but %q has %d", len(arr), base, len(values)))
	}
	for i, item := range arr {
		w.setIndex(i)
		if item == nil {
			if hasValues && values[i] != nil {
				continue
			}
			return structureError(w.where(), "null without a value at the same index of "+strconv.Quote(base))
		}
		m, ok := item.(map[string]any)
		if !ok {
			return w.typeError("an object or null", item)
		}
		if err := w.object(m, w.schema.primExtend, nil, false); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) typeError(want string, got any) *Error {
	return structureError(w.where(), fmt.Sprintf("must be %s, not %s", want, jsonKind(got)))
}

func (w *walker) emptyString() *Error {
	return structureError(w.where(), "empty string: FHIR JSON has no empty strings (R4 §2.6.2)")
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// validID reports whether s matches the R4 id type: [A-Za-z0-9\-\.]{1,64}.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
