package search

import (
	"math"
	"strings"
)

// Extract returns the index values of a resource of resourceType decoded
// with json.Decoder.UseNumber (numbers are json.Number): the common
// parameters' values and those of the type's own parameters, in registry
// order, without duplicates within a parameter. It never fails: a value
// that cannot be indexed (a malformed date, an unresolved reference) is
// skipped. baseURL (e.g. "http://127.0.0.1:8080/fhir") makes absolute
// references to this server index as relative "Type/id".
func Extract(resourceType string, doc map[string]any, baseURL string) []IndexValue {
	x := extractor{base: strings.TrimSuffix(baseURL, "/"), out: make([]IndexValue, 0, 32)}
	for _, p := range reg.commonList {
		x.param(p, doc)
	}
	if tp := reg.types[resourceType]; tp != nil {
		for _, p := range tp.list {
			x.param(p, doc)
		}
	}
	return x.out
}

// extractor collects the values of one resource.
type extractor struct {
	base string
	out  []IndexValue
	cur  *param
}

func (x *extractor) param(p *param, doc map[string]any) {
	x.cur = p
	start := len(x.out)
	if p.custom != nil {
		p.custom(x, doc)
	} else {
		for _, steps := range p.paths {
			x.walk(doc, steps)
		}
	}
	x.out = append(x.out[:start], dedupe(x.out[start:])...)
}

func (x *extractor) add(v IndexValue) {
	v.Param, v.Type = x.cur.def.Name, x.cur.def.Type
	x.out = append(x.out, v)
}

func (x *extractor) leaf(v any) {
	switch x.cur.def.Type {
	case Token:
		x.tokenValue(v)
	case String:
		x.stringValue(v)
	case Date:
		x.dateValue(v)
	case Reference:
		x.referenceValue(v)
	}
}

func (x *extractor) tokenValue(v any) {
	switch v := v.(type) {
	case string:
		if v != "" {
			x.add(IndexValue{Code: v})
		}
	case bool:
		x.add(IndexValue{Code: boolCode(v)})
	case map[string]any:
		if codings, ok := v["coding"].([]any); ok { // CodeableConcept
			for _, c := range codings {
				if c, ok := c.(map[string]any); ok {
					x.coding(c)
				}
			}
			return
		}
		if value, ok := v["value"].(string); ok { // Identifier or ContactPoint
			if value == "" {
				return
			}
			if x.cur.contact {
				x.add(IndexValue{Code: value})
				return
			}
			system, _ := v["system"].(string)
			x.add(IndexValue{System: system, Code: value})
			return
		}
		x.coding(v)
	}
}

func (x *extractor) coding(c map[string]any) {
	code, _ := c["code"].(string)
	if code == "" {
		return
	}
	system, _ := c["system"].(string)
	x.add(IndexValue{System: system, Code: code})
}

func boolCode(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// stringParts are the HumanName and Address parts a string parameter on
// the whole element indexes, each as a separate value.
var stringParts = []string{"text", "family", "given", "prefix", "suffix", "line", "city", "district", "state", "postalCode", "country"}

func (x *extractor) stringValue(v any) {
	switch v := v.(type) {
	case string:
		x.text(v)
	case map[string]any:
		for _, k := range stringParts {
			switch part := v[k].(type) {
			case string:
				x.text(part)
			case []any:
				for _, s := range part {
					if s, ok := s.(string); ok {
						x.text(s)
					}
				}
			}
		}
	}
}

func (x *extractor) text(s string) {
	if s != "" {
		x.add(IndexValue{Norm: Normalize(s), Text: s})
	}
}

func (x *extractor) dateValue(v any) {
	switch v := v.(type) {
	case string:
		if lo, hi, ok := DateRange(v); ok {
			x.add(IndexValue{Lo: lo, Hi: hi})
		}
	case map[string]any: // Period; a Timing has neither start nor end
		start, hasStart := v["start"].(string)
		end, hasEnd := v["end"].(string)
		if !hasStart && !hasEnd {
			return
		}
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		var ok bool
		if hasStart {
			if lo, _, ok = DateRange(start); !ok {
				return
			}
		}
		if hasEnd {
			if _, hi, ok = DateRange(end); !ok {
				return
			}
		}
		if lo <= hi {
			x.add(IndexValue{Lo: lo, Hi: hi})
		}
	}
}

func (x *extractor) referenceValue(v any) {
	var r string
	switch v := v.(type) {
	case map[string]any:
		r, _ = v["reference"].(string)
	case string: // a canonical
		r = v
	}
	r, ok := indexRef(r, x.base)
	if !ok || (x.cur.only != "" && refType(r) != x.cur.only) {
		return
	}
	x.add(IndexValue{Ref: r})
}

// dedupe removes repeated values, keeping the first of each; small lists
// are scanned, long ones (a Provenance target list) go through a map.
func dedupe(vs []IndexValue) []IndexValue {
	if len(vs) < 2 {
		return vs
	}
	out := vs[:1]
	if len(vs) <= 32 {
	next:
		for _, v := range vs[1:] {
			for _, seen := range out {
				if v == seen {
					continue next
				}
			}
			out = append(out, v)
		}
		return out
	}
	seen := make(map[IndexValue]struct{}, len(vs))
	seen[vs[0]] = struct{}{}
	for _, v := range vs[1:] {
		if _, dup := seen[v]; !dup {
			seen[v] = struct{}{}
			out = append(out, v)
		}
	}
	return out
}
