package store

import (
	"errors"
	"slices"
	"strings"

	"smartd/fhirproxy/search"
)

// maxIncluded bounds the resources _include and _revinclude add to a page.
const maxIncluded = 5000

// include adds the _include and _revinclude resources of a page (FHIR R4
// §3.1.1.5.4): resources the matches reference, and resources that
// reference the matches (and, for :iterate, those of the resources
// included), each once and never one already on the page. Within a
// compartment, included resources must be in it too, and a guard drops
// those it does not let through.
func (r reader) include(q *search.Query, comp *Compartment, g Guard, res *Result) error {
	if len(q.Include) == 0 && len(q.RevInclude) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, m := range res.Matches {
		seen[m.Ref()] = true
	}
	add := func(typ, id string) error {
		ref := typ + "/" + id
		if seen[ref] || len(res.Included) >= maxIncluded {
			return nil
		}
		seen[ref] = true
		if ok, err := r.Visible(g, typ, id); err != nil || !ok {
			return err
		}
		got, err := r.Read(typ, id)
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrGone) {
			return nil
		}
		if err != nil {
			return err
		}
		if comp != nil {
			vals, err := r.forward(resourceKey(typ, id))
			if err != nil {
				return err
			}
			if !inCompartment(typ, id, vals, comp) && search.PatientCompartment(typ) != nil {
				return nil
			}
		}
		res.Included = append(res.Included, got)
		return nil
	}
	sources := res.Matches
	for pass := 0; len(sources) > 0; pass++ {
		from := len(res.Included)
		if err := r.includePass(q, sources, pass > 0, add); err != nil {
			return err
		}
		sources = res.Included[from:] // :iterate goes on from what this pass added
	}
	return nil
}

// includePass adds what the includes find from sources; after the first
// pass only the :iterate ones apply.
func (r reader) includePass(q *search.Query, sources []Resource, iterateOnly bool, add func(typ, id string) error) error {
	for _, inc := range q.Include {
		if iterateOnly && !inc.Iterate {
			continue
		}
		for _, m := range sources {
			if inc.SourceType != "*" && inc.SourceType != m.Type {
				continue
			}
			vals, err := r.forward(resourceKey(m.Type, m.ID))
			if err != nil {
				return err
			}
			for _, v := range vals {
				if v.Type != search.Reference || (inc.Param != "*" && v.Param != inc.Param) {
					continue
				}
				typ, id := splitRef(v.Ref)
				if typ == "" || strings.Contains(id, "/") || (inc.TargetType != "" && typ != inc.TargetType) {
					continue
				}
				if err := add(typ, id); err != nil {
					return err
				}
			}
		}
	}
	idx := r.btx.Bucket(bucketIndex)
	for _, inc := range q.RevInclude {
		if iterateOnly && !inc.Iterate {
			continue
		}
		sourceTypes := []string{inc.SourceType}
		if inc.SourceType == "" {
			sourceTypes = r.types() // _revinclude=*
		}
		for _, st := range sourceTypes {
			params := []string{inc.Param}
			if inc.Param == "*" || inc.Param == "" {
				params = nil
				for _, d := range search.Definitions(st) {
					if d.Type == search.Reference {
						params = append(params, d.Name)
					}
				}
			}
			for _, m := range sources {
				if inc.TargetType != "" && inc.TargetType != m.Type {
					continue
				}
				for _, p := range params {
					s := scan{param: paramPrefix(st, p)}
					s.prefixes = [][]byte{prefixOf(s.param, "R", clean(m.Ref()), "\x00")}
					for _, id := range s.ids(idx) {
						if err := add(st, id); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// Everything returns a patient's record (Patient/$everything, FHIR R4
// §patient-operation-everything): the patient, every resource in its
// compartment, and the resources those reference (practitioners,
// organizations, locations, medications), sorted by type and id.
func (r reader) Everything(patientID string) ([]Resource, error) {
	pat, err := r.Read("Patient", patientID)
	if err != nil {
		return nil, err
	}
	comp := &Compartment{Type: "Patient", ID: patientID}
	out := []Resource{pat}
	seen := map[string]bool{pat.Ref(): true}
	idx := r.btx.Bucket(bucketIndex)
	var refs []string
	collect := func(typ, id string) error {
		vals, err := r.forward(resourceKey(typ, id))
		if err != nil {
			return err
		}
		for _, v := range vals {
			if v.Type == search.Reference {
				refs = append(refs, v.Ref)
			}
		}
		return nil
	}
	if err := collect("Patient", patientID); err != nil {
		return nil, err
	}
	for _, typ := range r.types() {
		if typ == "Patient" || search.PatientCompartment(typ) == nil {
			continue
		}
		for _, id := range compartmentScan(typ, comp).ids(idx) {
			res, err := r.Read(typ, id)
			if err != nil {
				if errors.Is(err, ErrGone) || errors.Is(err, ErrNotFound) {
					continue
				}
				return nil, err
			}
			seen[res.Ref()] = true
			out = append(out, res)
			if err := collect(typ, id); err != nil {
				return nil, err
			}
		}
	}
	slices.Sort(refs)
	for _, ref := range slices.Compact(refs) {
		typ, id := splitRef(ref)
		if seen[ref] || typ == "" || search.PatientCompartment(typ) != nil {
			continue // compartment types outside this patient's compartment stay out
		}
		res, err := r.Read(typ, id)
		if err != nil {
			continue
		}
		seen[ref] = true
		out = append(out, res)
	}
	return out, nil
}

// Everything returns a patient's record (see View.Everything).
func (s *Store) Everything(patientID string) (out []Resource, err error) {
	err = s.View(func(v *View) error { out, err = v.Everything(patientID); return err })
	return out, err
}
