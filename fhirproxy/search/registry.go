package search

import (
	"slices"
	"strings"
)

// param is one registry entry: the public definition plus how Extract
// reads its values.
type param struct {
	def   Definition
	paths [][]step
	// only keeps references to this type alone: the R4 expressions of the
	// form "subject.where(resolve() is Patient)".
	only string
	// contact marks a token on ContactPoint (telecom): its value is indexed
	// without a system.
	contact bool
	// custom replaces the path walk for the parameters a path cannot say.
	custom func(x *extractor, doc map[string]any)
}

// typeParams are the type-specific parameters of one resource type.
type typeParams struct {
	list   []*param
	byName map[string]*param
}

// registry is every parameter the server indexes, built once.
type registry struct {
	common map[string]*param
	// commonList is common in name order.
	commonList []*param
	types      map[string]*typeParams
}

// reg is built once at package initialization and never modified.
var reg = buildRegistry()

// Lookup returns the definition of the search parameter name on
// resourceType. The common parameters (_id, _lastUpdated, _tag, _profile,
// _security) exist on every type, and are the only ones of a system
// search (resourceType ""). The returned slices are copies.
func Lookup(resourceType, name string) (Definition, bool) {
	p := reg.lookup(resourceType, name)
	if p == nil {
		return Definition{}, false
	}
	return cloneDef(p.def), true
}

// Definitions returns every search parameter of resourceType, the common
// ones included, sorted by name: the list a CapabilityStatement publishes.
func Definitions(resourceType string) []Definition {
	var out []Definition
	for _, p := range reg.commonList {
		out = append(out, cloneDef(p.def))
	}
	if tp := reg.types[resourceType]; tp != nil {
		for _, p := range tp.list {
			out = append(out, cloneDef(p.def))
		}
	}
	slices.SortFunc(out, func(a, b Definition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Indexed returns the resource types that have type-specific search
// parameters, sorted.
func Indexed() []string {
	out := make([]string, 0, len(reg.types))
	for t := range reg.types {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

func (r *registry) lookup(resourceType, name string) *param {
	if p := r.common[name]; p != nil {
		return p
	}
	if tp := r.types[resourceType]; tp != nil {
		return tp.byName[name]
	}
	return nil
}

func cloneDef(d Definition) Definition {
	d.Paths = slices.Clone(d.Paths)
	d.Targets = slices.Clone(d.Targets)
	return d
}

// commonParams are the parameters of every resource (R4 search,
// "Parameters for all resources"). _profile is a uri parameter in R4; it is
// indexed as a token whose code is the profile URL.
func commonParams() []param {
	return []param{
		tok("_id", "Logical id of this artifact", "id"),
		dat("_lastUpdated", "When the resource version last changed", "meta.lastUpdated"),
		tok("_tag", "Tags applied to this resource", "meta.tag"),
		tok("_profile", "Profiles this resource claims to conform to", "meta.profile"),
		tok("_security", "Security Labels applied to this resource", "meta.security"),
	}
}

// typeTables lists the type-specific tables, one per resource family.
func typeTables() []map[string][]param {
	return []map[string][]param{
		individualParams(),
		clinicalParams(),
		medicationParams(),
		workflowParams(),
		documentParams(),
		financialParams(),
	}
}

func buildRegistry() *registry {
	r := &registry{common: map[string]*param{}, types: map[string]*typeParams{}}
	for _, p := range commonParams() {
		p := compile(p)
		r.common[p.def.Name] = p
		r.commonList = append(r.commonList, p)
	}
	slices.SortFunc(r.commonList, func(a, b *param) int { return strings.Compare(a.def.Name, b.def.Name) })
	for _, table := range typeTables() {
		for typ, params := range table {
			if r.types[typ] != nil {
				panic("search: resource type " + typ + " defined twice")
			}
			tp := &typeParams{byName: map[string]*param{}}
			for _, p := range params {
				p := compile(p)
				if tp.byName[p.def.Name] != nil || r.common[p.def.Name] != nil {
					panic("search: parameter " + typ + "." + p.def.Name + " defined twice")
				}
				tp.byName[p.def.Name] = p
				tp.list = append(tp.list, p)
			}
			r.types[typ] = tp
		}
	}
	return r
}

func compile(p param) *param {
	for _, s := range p.def.Paths {
		steps := compilePath(s, p.def.Type)
		p.paths = append(p.paths, steps)
		if p.def.Type == Token && steps[len(steps)-1].name == "telecom" {
			p.contact = true
		}
	}
	return &p
}

// tok, str, dat and ref build table entries; refOnly builds a reference
// parameter that keeps only references to one type.

func tok(name, desc string, paths ...string) param {
	return param{def: Definition{Name: name, Type: Token, Paths: paths, Description: desc}}
}

func str(name, desc string, paths ...string) param {
	return param{def: Definition{Name: name, Type: String, Paths: paths, Description: desc}}
}

func dat(name, desc string, paths ...string) param {
	return param{def: Definition{Name: name, Type: Date, Paths: paths, Description: desc}}
}

// ref builds a reference parameter; nil targets means any type.
func ref(name string, targets []string, desc string, paths ...string) param {
	return param{def: Definition{Name: name, Type: Reference, Paths: paths, Targets: targets, Description: desc}}
}

func refOnly(name, typ, desc string, paths ...string) param {
	p := ref(name, []string{typ}, desc, paths...)
	p.only = typ
	return p
}

// ts spells a target list.
func ts(types ...string) []string { return types }
