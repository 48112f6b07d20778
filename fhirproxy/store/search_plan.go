package store

import (
	"bytes"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"smartd/fhirproxy/search"
)

// scan finds candidate ids in the inverted index for one criterion (or
// for a compartment): the keys under each prefix, kept when keep is nil
// or says yes to the term.
type scan struct {
	param    []byte   // the parameter's index prefix
	prefixes [][]byte // full key prefixes
	keep     func(term []byte) bool
	// complete says every id found satisfies the criterion, so it need
	// not be checked again.
	complete bool
}

// estimateCap bounds the keys counted to choose the driving scan.
const estimateCap = 4096

// estimate counts keys under the prefixes, up to estimateCap.
func (s *scan) estimate(b *bolt.Bucket) int {
	n := 0
	c := b.Cursor()
	for _, p := range s.prefixes {
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			if n++; n >= estimateCap {
				return n
			}
		}
	}
	if s.keep != nil && n > 0 {
		n += estimateCap // a filtered scan reads more than it keeps
	}
	return n
}

// ids returns the sorted, distinct ids the scan finds.
func (s *scan) ids(b *bolt.Bucket) []string {
	var out []string
	c := b.Cursor()
	for _, p := range s.prefixes {
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			sep := bytes.LastIndexByte(k, 0)
			if s.keep != nil && !s.keep(k[len(s.param):sep]) {
				continue
			}
			out = append(out, string(k[sep+1:]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func prefixOf(pp []byte, parts ...string) []byte {
	k := bytes.Clone(pp)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// scanFor returns the index scan for a criterion, or nil when the
// criterion cannot drive a search (:missing, :not, ne).
func scanFor(typ string, c search.Criterion) *scan {
	if c.Chain != nil || c.Has != nil || c.Modifier == "missing" || c.Modifier == "not" {
		return nil
	}
	pp := paramPrefix(typ, c.Param.Name)
	s := &scan{param: pp, complete: true}
	switch c.Param.Type {
	case search.Token:
		if c.Modifier != "" {
			return nil
		}
		for _, v := range c.Values {
			switch {
			case !v.HasSystem:
				s.prefixes = append(s.prefixes, prefixOf(pp, "T", clean(v.Code), "\x00"))
			case v.Code == "":
				// "system|": every code of a system; the scan reads the
				// whole parameter and keeps that system's terms.
				s.prefixes = [][]byte{prefixOf(pp, "T")}
				s.keep = func(term []byte) bool {
					code, sys, _ := bytes.Cut(term[1:], []byte{0})
					return c.Matches([]search.IndexValue{{Param: c.Param.Name, Type: search.Token, System: string(sys), Code: string(code)}})
				}
			default:
				s.prefixes = append(s.prefixes, prefixOf(pp, "T", clean(v.Code), "\x00", clean(v.System), "\x00"))
			}
		}
		if s.keep != nil {
			s.prefixes = [][]byte{prefixOf(pp, "T")}
		}
	case search.Reference:
		for _, v := range c.Values {
			ref := v.Ref
			if c.Modifier != "" && !strings.Contains(ref, "/") {
				ref = c.Modifier + "/" + ref
			}
			if strings.Contains(ref, "/") {
				s.prefixes = append(s.prefixes, prefixOf(pp, "R", clean(ref), "\x00"))
				continue
			}
			if len(c.Param.Targets) == 0 {
				return nil
			}
			for _, t := range c.Param.Targets {
				s.prefixes = append(s.prefixes, prefixOf(pp, "R", t, "/", clean(ref), "\x00"))
			}
		}
	case search.String:
		switch c.Modifier {
		case "":
			for _, v := range c.Values {
				s.prefixes = append(s.prefixes, prefixOf(pp, "N", clean(v.Norm)))
			}
		case "exact":
			for _, v := range c.Values {
				s.prefixes = append(s.prefixes, prefixOf(pp, "N", clean(v.Norm), "\x00"))
			}
			s.complete = false
		case "contains":
			s.prefixes = [][]byte{prefixOf(pp, "N")}
			s.keep = func(term []byte) bool {
				return c.Matches([]search.IndexValue{{Param: c.Param.Name, Type: search.String, Norm: string(term[1:]), Text: string(term[1:])}})
			}
		default:
			return nil
		}
	case search.Date:
		if c.Modifier != "" {
			return nil
		}
		for _, v := range c.Values {
			if v.Prefix == "ne" {
				return nil
			}
		}
		s.prefixes = [][]byte{prefixOf(pp, "D")}
		s.keep = func(term []byte) bool {
			if len(term) != 17 {
				return false
			}
			return c.Matches([]search.IndexValue{{Param: c.Param.Name, Type: search.Date,
				Lo: unsortableInt(term[1:9]), Hi: unsortableInt(term[9:17])}})
		}
	default:
		return nil
	}
	if len(s.prefixes) == 0 {
		return nil
	}
	return s
}

// compartmentScan finds the resources of typ in a compartment by the
// reference parameters the CompartmentDefinition names.
func compartmentScan(typ string, comp *Compartment) *scan {
	params := search.PatientCompartment(typ)
	s := &scan{complete: true}
	ref := comp.Type + "/" + comp.ID
	for _, p := range params {
		pp := paramPrefix(typ, p)
		s.prefixes = append(s.prefixes, prefixOf(pp, "R", clean(ref), "\x00"))
	}
	return s
}

// inCompartment checks compartment membership on a resource's values.
func inCompartment(typ, id string, vals []search.IndexValue, comp *Compartment) bool {
	if typ == comp.Type && id == comp.ID {
		return true
	}
	ref := comp.Type + "/" + comp.ID
	params := search.PatientCompartment(typ)
	for _, v := range vals {
		if v.Type == search.Reference && v.Ref == ref && slices.Contains(params, v.Param) {
			return true
		}
	}
	return false
}
