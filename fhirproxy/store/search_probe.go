package store

import (
	"bytes"
	"strings"

	bolt "go.etcd.io/bbolt"

	"smartd/fhirproxy/search"
)

// A probe checks one criterion on a candidate by looking up its index keys
// instead of decoding the candidate's forward index: the criterion matches
// exactly when some term's key with the candidate's id exists. On a store
// of a million resources a lookup costs about a microsecond, where
// decoding an Observation's forward index costs several and allocates.
type probe struct {
	// terms are index key prefixes, each a whole term and its NUL, so
	// that appending an id gives a key.
	terms [][]byte
}

// maxProbeTerms bounds the terms one probe looks up per candidate; a
// criterion with more is checked on the forward index.
const maxProbeTerms = 16

// has reports whether the index holds id under one of the terms; buf is
// scratch space, returned for reuse. It seeks with one cursor of the index
// bucket, reused: Bucket.Get makes a cursor per call, whose stack is most
// of what a lookup allocates.
func (p *probe) has(c *bolt.Cursor, id string, buf []byte) (bool, []byte) {
	for _, t := range p.terms {
		buf = append(append(buf[:0], t...), id...)
		if k, _ := c.Seek(buf); bytes.Equal(k, buf) {
			return true, buf
		}
	}
	return false, buf
}

// probeFor returns the probe of a criterion when key existence is exactly
// what Criterion.Matches decides: plain tokens with a code, references to
// "Type/id" or an absolute URL, and string prefixes. A value the index
// would have altered (one holding NUL, see clean) gets no probe.
func probeFor(idx *bolt.Bucket, typ string, c search.Criterion) (*probe, bool) {
	if c.Chain != nil || c.Has != nil || c.Modifier != "" {
		return nil, false
	}
	pp := paramPrefix(typ, c.Param.Name)
	p := &probe{}
	for _, v := range c.Values {
		switch c.Param.Type {
		case search.Token:
			switch {
			case hasNUL(v.Code) || hasNUL(v.System) || v.HasSystem && v.Code == "":
				return nil, false
			case !v.HasSystem: // "code": any system, so every term of the code
				p.terms = appendTerms(p.terms, idx, prefixOf(pp, "T", v.Code, "\x00"))
			default: // "system|code" and "|code": one term
				p.terms = append(p.terms, prefixOf(pp, "T", v.Code, "\x00", v.System, "\x00"))
			}
		case search.Reference:
			// A bare id matches "Type/id" of any type: not one term.
			if hasNUL(v.Ref) || !strings.Contains(v.Ref, "/") {
				return nil, false
			}
			p.terms = append(p.terms, prefixOf(pp, "R", v.Ref, "\x00"))
		case search.String:
			if hasNUL(v.Norm) {
				return nil, false
			}
			p.terms = appendTerms(p.terms, idx, prefixOf(pp, "N", v.Norm))
		default:
			return nil, false
		}
		if len(p.terms) > maxProbeTerms {
			return nil, false
		}
	}
	return p, true
}

// compartmentProbe returns the probe of compartment membership (less the
// compartment's own resource, which inCompartment also admits).
func compartmentProbe(typ string, comp *Compartment) (*probe, bool) {
	if hasNUL(comp.Type) || hasNUL(comp.ID) {
		return nil, false
	}
	return &probe{terms: compartmentScan(typ, comp).prefixes}, true
}

// appendTerms appends the distinct whole terms under prefix, skipping
// from each term to the next with one seek, and stops once there are more
// than maxProbeTerms.
func appendTerms(terms [][]byte, idx *bolt.Bucket, prefix []byte) [][]byte {
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); {
		i := bytes.LastIndexByte(k, 0) // ids hold no NUL: the term ends here
		if i < len(prefix) {
			break // not an index key of this parameter (cannot happen)
		}
		term := bytes.Clone(k[:i+1])
		if terms = append(terms, term); len(terms) > maxProbeTerms {
			break
		}
		// Just past every key of this term: its NUL raised to \x01.
		next := append(bytes.Clone(term[:i]), 1)
		k, _ = c.Seek(next)
	}
	return terms
}

func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }
