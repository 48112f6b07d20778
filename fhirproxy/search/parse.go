package search

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// refusal says why a parameter cannot be used. A malformed one is always
// an *Error; an unsupported one is ignored unless handling is strict; an
// empty one is always ignored.
type refusal struct {
	reason    string
	malformed bool
	empty     bool
}

func malformedf(format string, args ...any) *refusal {
	return &refusal{reason: fmt.Sprintf(format, args...), malformed: true}
}

func unsupportedf(format string, args ...any) *refusal {
	return &refusal{reason: fmt.Sprintf(format, args...)}
}

// parser holds the state of one Parse call.
type parser struct {
	q         *Query
	strict    bool
	countZero bool
}

// Parse parses the query of a type search (resourceType != "") or of a
// system search (resourceType ""), R4 search.html. strict is Prefer:
// handling=strict. Errors are *Error (HTTP 400) naming the parameter as
// written in the query. In lenient handling, unknown or unsupported
// parameters and modifiers land in Query.Ignored instead.
//
// Parameters are read in name order, so Criteria are in a stable order.
// Each repetition of a parameter is a separate criterion (AND) and the
// comma-separated values of one are its Values (OR); "\," "\|" "\$" and
// "\\" escape those characters. A parameter without a value is ignored,
// even in strict handling (R4 search.html#errors).
//
// Reference values are kept as written: call Query.StripBase to make
// absolute URLs of this server relative. _format and _pretty are accepted
// and left to the HTTP layer; _type values need only look like type names,
// and the caller checks they are served.
func Parse(resourceType string, params url.Values, strict bool) (*Query, error) {
	p := &parser{q: &Query{Type: resourceType}, strict: strict}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		if r := p.param(key, params[key]); r != nil {
			if r = p.skip(key, r); r != nil {
				return nil, &Error{Param: key, Reason: r.reason}
			}
		}
	}
	if p.countZero {
		// "_count=0" asks for the total only, which is what _summary=count
		// answers; the server default page size must not apply.
		p.q.Summary = "count"
	}
	return p.q, nil
}

// skip records an unsupported parameter as ignored and returns nil, or
// returns r when it must fail the search (malformed, or strict handling).
func (p *parser) skip(key string, r *refusal) *refusal {
	if r.malformed || (p.strict && !r.empty) {
		return r
	}
	p.q.Ignored = append(p.q.Ignored, Issue{Param: key, Reason: r.reason})
	return nil
}

func (p *parser) param(key string, vals []string) *refusal {
	if key == "_has" || strings.HasPrefix(key, "_has:") {
		return p.has(key, vals)
	}
	head, rest, chained := strings.Cut(key, ".")
	name, mod, _ := strings.Cut(head, ":")
	if !chained {
		if r, ok := p.result(name, mod, vals); ok {
			return r
		}
	}
	def, ok := Lookup(p.q.Type, name)
	if !ok {
		return p.unknown(name)
	}
	if chained {
		return p.chain(def, mod, rest, vals)
	}
	return p.add(vals, func(v string) (Criterion, *refusal) {
		return criterion(def, mod, v)
	})
}

// add parses each repetition of a parameter with build and adds the
// criteria, all or none: an unusable repetition refuses the parameter,
// except an empty one, which is skipped unless all are empty.
func (p *parser) add(vals []string, build func(v string) (Criterion, *refusal)) *refusal {
	cs := make([]Criterion, 0, len(vals))
	var empty *refusal
	for _, v := range vals {
		c, r := build(v)
		switch {
		case r != nil && r.empty:
			empty = r
		case r != nil:
			return r
		default:
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 && empty != nil {
		return empty
	}
	p.q.Criteria = append(p.q.Criteria, cs...)
	return nil
}

func (p *parser) unknown(name string) *refusal {
	if p.q.Type == "" {
		return unsupportedf("%q is not a parameter of a system search", name)
	}
	return unsupportedf("unknown search parameter %q for %s", name, p.q.Type)
}

// chain reads a chained parameter, one level deep (R4 search, "Chained
// parameters"): "subject:Patient.name=peter", or "subject.name=peter" when
// subject can only refer to one type. The criterion has no Modifier:
// Chain.Type names the type.
func (p *parser) chain(def Definition, mod, rest string, vals []string) *refusal {
	if def.Type != Reference {
		return malformedf("%s is a %s parameter: only reference parameters can be chained", def.Name, def.Type)
	}
	var typ string
	switch {
	case mod == "" && len(def.Targets) == 1:
		typ = def.Targets[0]
	case mod == "":
		return malformedf("%s may refer to several resource types: name one, as in %s:Type.%s", def.Name, def.Name, rest)
	case isTypeName(mod):
		if r := checkTarget(def, mod); r != nil {
			return r
		}
		typ = mod
	default:
		return malformedf("modifier :%s cannot be chained", mod)
	}
	if strings.Contains(rest, ".") {
		return unsupportedf("chains deeper than one level are not supported")
	}
	name, innerMod, _ := strings.Cut(rest, ":")
	inner, ok := Lookup(typ, name)
	if !ok {
		return unsupportedf("unknown search parameter %q for %s", name, typ)
	}
	return p.add(vals, func(v string) (Criterion, *refusal) {
		c, r := criterion(inner, innerMod, v)
		return Criterion{Param: def, Chain: &Chain{Type: typ, Criterion: c}}, r
	})
}

// has reads "_has:Type:ref:param[:modifier]" (R4 search.html#has, "Reverse
// chaining"), one level deep. The criterion's Param is only named "_has".
func (p *parser) has(key string, vals []string) *refusal {
	if p.q.Type == "" {
		return unsupportedf("_has needs a resource type")
	}
	parts := strings.Split(key, ":")
	if len(parts) >= 4 && parts[3] == "_has" {
		return unsupportedf("nested _has is not supported")
	}
	if len(parts) < 4 || len(parts) > 5 {
		return malformedf("expected _has:Type:reference:parameter")
	}
	typ, refName, name := parts[1], parts[2], parts[3]
	innerMod := ""
	if len(parts) == 5 {
		innerMod = parts[4]
	}
	if !isTypeName(typ) {
		return malformedf("%q is not a resource type", typ)
	}
	refDef, ok := Lookup(typ, refName)
	if !ok {
		return unsupportedf("unknown search parameter %q for %s", refName, typ)
	}
	if refDef.Type != Reference {
		return malformedf("%s.%s is not a reference parameter", typ, refName)
	}
	if len(refDef.Targets) > 0 && !slices.Contains(refDef.Targets, p.q.Type) {
		return malformedf("%s.%s cannot refer to %s", typ, refName, p.q.Type)
	}
	if strings.Contains(name, ".") {
		return unsupportedf("chained parameters inside _has are not supported")
	}
	inner, ok := Lookup(typ, name)
	if !ok {
		return unsupportedf("unknown search parameter %q for %s", name, typ)
	}
	return p.add(vals, func(v string) (Criterion, *refusal) {
		c, r := criterion(inner, innerMod, v)
		return Criterion{Param: Definition{Name: "_has"}, Has: &Has{Type: typ, RefParam: refName, Criterion: c}}, r
	})
}

// checkTarget refuses a type modifier the parameter cannot refer to.
func checkTarget(def Definition, typ string) *refusal {
	if len(def.Targets) > 0 && !slices.Contains(def.Targets, typ) {
		return malformedf("%s cannot refer to %s", def.Name, typ)
	}
	return nil
}
