package fhirproxy

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"smartd/fhirproxy/rawjson"
	"smartd/fhirproxy/store"
)

// prepareAll validates the resources of POST and PUT entries, in parallel:
// it is most of the CPU cost of a large bundle and needs no store.
func (s *Server) prepareAll(entries []*bundleEntry) {
	parallel(entries, func(e *bundleEntry) error {
		if e.err == nil && (e.req.Interaction == Create || e.req.Interaction == Update) {
			p, err := s.prepare(e.req.Type, e.req.ID, e.req.Body)
			e.prep, e.err = p, entryErr(e.index, err)
		}
		return nil
	})
}

// transaction runs every entry in one store transaction.
func (s *Server) transaction(entries []*bundleEntry) error {
	return s.store.Update(func(tx *store.Tx) error { return s.transactionIn(tx, entries) })
}

// transactionIn runs a transaction's entries in a store transaction.
func (s *Server) transactionIn(tx *store.Tx, entries []*bundleEntry) error {
	{
		// Ids first, so that references between entries can be rewritten.
		fullURLs := map[string]string{}
		for _, e := range entries {
			switch e.req.Interaction {
			case Create:
				if e.req.IfNoneExist != "" {
					found, ok, err := s.conditional(tx, e.req.Type, e.req.IfNoneExist, e.req.Access)
					if err != nil {
						return entryErr(e.index, err)
					}
					if ok {
						e.found, e.target = &found, found.Ref()
						break
					}
				}
				id, err := tx.NewID()
				if err != nil {
					return err
				}
				e.prep.id, e.target = id, e.req.Type+"/"+id
			case Update:
				e.target = e.req.Type + "/" + e.req.ID
			}
			if e.fullURL != "" && e.target != "" {
				fullURLs[e.fullURL] = e.target
			}
		}
		if err := s.rewriteAll(tx, entries, fullURLs); err != nil {
			return err
		}
		flushed := false
		for _, stage := range []int{0, 1, 2, 3} {
			for _, e := range entries {
				if order(e.req.Method) != stage {
					continue
				}
				if stage == 3 && !flushed {
					// GET entries run last and see the writes before them.
					// (Only then: a flush costs the import its sorted writes.)
					if err := tx.Flush(); err != nil {
						return err
					}
					flushed = true
				}
				e.resp, e.err = s.runEntry(tx, e)
				if e.err != nil {
					return entryErr(e.index, e.err)
				}
			}
		}
		return nil
	}
}

// batch runs each entry in its own store transaction; failures stay in
// their entries (FHIR R4 §3.1.0.11.1).
func (s *Server) batch(entries []*bundleEntry) {
	for _, e := range entries {
		if e.err != nil {
			continue
		}
		err := s.store.Update(func(tx *store.Tx) error {
			e.found, e.target = nil, ""
			if e.req.Interaction == Create && e.req.IfNoneExist != "" {
				found, ok, err := s.conditional(tx, e.req.Type, e.req.IfNoneExist, e.req.Access)
				if err != nil {
					return err
				}
				if ok {
					e.found = &found
				}
			}
			if err := s.rewriteAll(tx, []*bundleEntry{e}, nil); err != nil {
				return err
			}
			var err error
			e.resp, err = s.runEntry(tx, e)
			return err
		})
		e.err = entryErr(e.index, err)
	}
}

// runEntry performs one entry inside a store transaction.
func (s *Server) runEntry(tx *store.Tx, e *bundleEntry) (response, error) {
	switch e.req.Interaction {
	case Create:
		if e.found != nil {
			return s.respond(e.req, http.StatusOK, *e.found, nil)
		}
		if err := s.mayWrite(tx, e.req, e.prep); err != nil {
			return response{}, err
		}
		res, err := tx.Put(store.Write{Type: e.prep.typ, ID: e.prep.id, Body: e.prep.body, Index: e.prep.vals})
		if err == nil && res.Op != store.OpCreate {
			err = errorf(http.StatusConflict, "duplicate", "%s already exists", res.Ref())
		}
		return s.respond(e.req, http.StatusCreated, res, err)
	case Update, Delete:
		if err := s.mayWrite(tx, e.req, e.prep); err != nil {
			return response{}, err
		}
		return s.write(tx, e.req, e.prep)
	}
	return s.read(tx, e.req)
}

// rewriteAll resolves the references of the entries' resources: fullUrls
// of other entries become their "Type/id", and conditional references run
// their search, which must match exactly one resource. Then it rewrites
// and indexes each resource, in parallel: the searches are the only part
// that needs the store.
func (s *Server) rewriteAll(rd reader, entries []*bundleEntry, fullURLs map[string]string) error {
	resolved := map[string]string{}
	var unresolved []string // "ref (entry i)", each ref once
	firstEntry := -1
	for _, e := range entries {
		if e.prep == nil || e.found != nil {
			continue
		}
		var failed error
		_, err := rawjson.RewriteReferences(e.prep.body, func(ref string) (string, bool) {
			if _, ok := resolved[ref]; ok || failed != nil {
				return "", false
			}
			if _, ok := fullURLs[ref]; !ok && strings.HasPrefix(ref, "urn:") {
				// A placeholder no entry defines cannot be resolved (R4
				// §3.1.0.11.2): storing it would leave a dangling reference.
				resolved[ref] = ""
				unresolved = append(unresolved, fmt.Sprintf("%s (first in entry %d; no entry has that fullUrl)", ref, e.index))
				if firstEntry < 0 {
					firstEntry = e.index
				}
				return "", false
			}
			typ, query, ok := conditionalRef(ref)
			if !ok {
				return "", false
			}
			found, ok, err := s.conditional(rd, typ, query, e.req.Access)
			switch {
			case err != nil:
				var fe *Error
				if errors.As(err, &fe) && fe.Code == "multiple-matches" {
					err = &Error{Status: http.StatusPreconditionFailed, Code: "multiple-matches", Diagnostics: fmt.Sprintf("conditional reference %s matches more than one resource", ref)}
				}
				failed = err
			case !ok:
				resolved[ref] = "" // reported once
				unresolved = append(unresolved, fmt.Sprintf("%s (first in entry %d)", ref, e.index))
				if firstEntry < 0 {
					firstEntry = e.index
				}
			default:
				resolved[ref] = found.Ref()
			}
			return "", false
		})
		if err == nil {
			err = failed
		}
		if err != nil {
			return entryErr(e.index, err)
		}
	}
	if len(unresolved) > 0 {
		return entryErr(firstEntry, &Error{Status: http.StatusBadRequest, Code: "not-found",
			Diagnostics: fmt.Sprintf("%d reference(s) resolve to no resource: %s", len(unresolved), strings.Join(unresolved, "; "))})
	}
	target := func(ref string) (string, bool) {
		if t, ok := fullURLs[ref]; ok {
			return t, true
		}
		t, ok := resolved[ref]
		return t, ok
	}
	return parallel(entries, func(e *bundleEntry) error {
		if e.prep == nil || e.found != nil {
			return nil
		}
		body, err := rawjson.RewriteReferences(e.prep.body, target)
		if err != nil {
			return entryErr(e.index, err)
		}
		e.prep.body = body
		rewriteDoc(e.prep.doc, target)
		return e.prep.index(s.base)
	})
}

// parallel runs fn on every entry on all cores and returns the first error.
func parallel(entries []*bundleEntry, fn func(*bundleEntry) error) error {
	work := make(chan *bundleEntry)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for e := range work {
				if err := fn(e); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for _, e := range entries {
		work <- e
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}
