package fhirproxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"smartd/fhirproxy/rawjson"
	"smartd/fhirproxy/store"
)

// bundleIn is the part of a submitted Bundle that batch and transaction
// processing reads (FHIR R4 §3.1.0.11).
type bundleIn struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  *entryReq       `json:"request"`
	} `json:"entry"`
}

// entryReq is Bundle.entry.request.
type entryReq struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	IfNoneExist string `json:"ifNoneExist"`
	IfMatch     string `json:"ifMatch"`
}

// bundleEntry is one entry being processed.
type bundleEntry struct {
	index   int
	fullURL string
	req     *Request
	prep    *prepared
	// target is "Type/id" of the resource a POST or PUT writes, or of
	// the existing resource an ifNoneExist found.
	target string
	found  *store.Resource
	resp   response
	err    error
}

// EntryResult is the outcome of one bundle entry, for callers that
// submit bundles in Go (the import command).
type EntryResult struct {
	Type   string
	Status int
	Err    error
}

// order is the processing order of transaction entries (FHIR R4
// §3.1.0.11.2): DELETE, POST, PUT and PATCH, then GET and HEAD.
func order(method string) int {
	switch method {
	case http.MethodDelete:
		return 0
	case http.MethodPost:
		return 1
	case http.MethodPut, http.MethodPatch:
		return 2
	}
	return 3
}

// bundle processes a batch or transaction POSTed to the base.
func (s *Server) bundle(req *Request) (response, error) {
	kind, entries, err := s.submit(req.Body, false)
	if err != nil {
		return response{}, err
	}
	b := newBundle(kind+"-response", nil, nil, time.Now())
	for _, e := range entries {
		out := entry{Response: &entryResponse{}}
		if e.err != nil {
			fe := asError(e.err)
			out.Response.Status = strconv.Itoa(fe.Status) + " " + http.StatusText(fe.Status)
			out.Response.Outcome = outcome("error", fe.Code, fe.Diagnostics, fe.Expression)
			b.add(out)
			continue
		}
		out.Response.Status = strconv.Itoa(e.resp.status) + " " + http.StatusText(e.resp.status)
		out.Response.Location = e.resp.location
		if e.resp.etag != "" {
			out.Response.Etag = `W/"` + e.resp.etag + `"`
		}
		if !e.resp.lastModified.IsZero() {
			out.Response.LastModified = store.FormatInstant(e.resp.lastModified)
		}
		if req.Return == "representation" && e.resp.body != nil {
			out.Resource = e.resp.body
			if e.target != "" {
				out.FullURL = s.base + "/" + e.target
			}
		}
		b.add(out)
	}
	return response{status: http.StatusOK, body: b.bytes()}, nil
}

// results summarizes processed entries.
func results(entries []*bundleEntry) []EntryResult {
	out := make([]EntryResult, len(entries))
	for i, e := range entries {
		out[i] = EntryResult{Status: e.resp.status, Err: e.err}
		if e.req != nil {
			out[i].Type = e.req.Type
		}
		if e.err != nil {
			out[i].Status = asError(e.err).Status
		}
	}
	return out
}

// Submit processes a batch or transaction bundle as POSTed to the base,
// and returns its type and the outcome of each entry in bundle order. A
// transaction is all or nothing: any entry error fails it whole and is
// returned as the error, naming the entry.
func (s *Server) Submit(body []byte) (kind string, entries []EntryResult, err error) {
	kind, es, err := s.submit(body, false)
	return kind, results(es), err
}

// Import loads a transaction, batch or collection bundle all or nothing,
// as the import command wants: a batch runs as one transaction, and a
// collection's entries become PUTs (resources with an id) or POSTs.
func (s *Server) Import(body []byte) (kind string, entries []EntryResult, err error) {
	p, err := s.PrepareImport(body)
	if err != nil {
		return "", nil, err
	}
	out, err := s.CommitImport(p)
	return p.kind, out[0], err
}

// PreparedBundle is a bundle validated and ready to commit.
type PreparedBundle struct {
	kind    string
	entries []*bundleEntry
}

// Size is the number of entries.
func (p *PreparedBundle) Size() int { return len(p.entries) }

// Groupable reports whether the bundle may share a store transaction with
// the bundles before it: it has no conditional create, whose search would
// not see what those bundles write.
func (p *PreparedBundle) Groupable() bool {
	for _, e := range p.entries {
		if e.req.IfNoneExist != "" {
			return false
		}
	}
	return true
}

// PrepareImport parses and validates a bundle for Import without touching
// the store, so that an importer can prepare one bundle while the store
// commits the previous one.
func (s *Server) PrepareImport(body []byte) (*PreparedBundle, error) {
	kind, entries, err := s.parseBundle(body, true)
	if err != nil {
		return nil, err
	}
	s.prepareAll(entries)
	for _, e := range entries {
		if e.err != nil {
			return nil, e.err
		}
	}
	return &PreparedBundle{kind: kind, entries: entries}, nil
}

// CommitImport commits prepared bundles in one store transaction, all or
// nothing, each with the transaction rules as if alone. Importers group
// bundles to share one commit (most of the cost of a bundle is writing the
// B+tree pages it dirties) and, when a group fails, commit its bundles
// one by one to find the one at fault: a group can fail where its bundles
// alone would not, e.g. a conditional reference to a resource that an
// earlier bundle of the group creates.
func (s *Server) CommitImport(ps ...*PreparedBundle) ([][]EntryResult, error) {
	err := s.store.Update(func(tx *store.Tx) error {
		for _, p := range ps {
			if err := s.transactionIn(tx, p.entries); err != nil {
				return err
			}
		}
		return nil
	})
	out := make([][]EntryResult, len(ps))
	for i, p := range ps {
		out[i] = results(p.entries)
	}
	return out, err
}

func (s *Server) submit(body []byte, atomic bool) (kind string, entries []*bundleEntry, err error) {
	kind, entries, err = s.parseBundle(body, atomic)
	if err != nil {
		return kind, nil, err
	}
	s.prepareAll(entries)
	if kind == "transaction" || atomic {
		for _, e := range entries {
			if e.err != nil {
				return kind, nil, e.err
			}
		}
		return kind, entries, s.transaction(entries)
	}
	s.batch(entries)
	return kind, entries, nil
}

// parseBundle decodes a submitted bundle into entries with typed requests.
func (s *Server) parseBundle(body []byte, atomic bool) (kind string, entries []*bundleEntry, err error) {
	var in bundleIn
	if err := json.Unmarshal(body, &in); err != nil {
		return "", nil, errorf(http.StatusBadRequest, "structure", "the body is not a valid Bundle: %v", err)
	}
	if in.ResourceType != "Bundle" {
		return "", nil, &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: fmt.Sprintf("POST to the base takes a Bundle, not %q", in.ResourceType), Expression: "resourceType"}
	}
	if in.Type != "batch" && in.Type != "transaction" && !(atomic && in.Type == "collection") {
		return "", nil, &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: fmt.Sprintf("Bundle.type must be batch or transaction, not %q", in.Type), Expression: "Bundle.type"}
	}
	if in.Type == "collection" {
		if err := collectionRequests(&in); err != nil {
			return in.Type, nil, err
		}
	}
	entries = make([]*bundleEntry, len(in.Entry))
	for i, raw := range in.Entry {
		e := &bundleEntry{index: i, fullURL: raw.FullURL}
		entries[i] = e
		if raw.Request == nil {
			e.err = entryErr(i, &Error{Status: http.StatusBadRequest, Code: "required", Diagnostics: "the entry has no request", Expression: "Bundle.entry.request"})
			continue
		}
		e.req, e.err = entryRequest(raw.Request.Method, raw.Request.URL, raw.Request.IfMatch, raw.Request.IfNoneExist)
		if e.err == nil && e.req.Interaction == BundleSubmit {
			e.err = errorf(http.StatusBadRequest, "not-supported", "a bundle entry cannot submit another bundle")
		}
		if e.err == nil && (e.req.Interaction == Create || e.req.Interaction == Update) {
			e.req.Body = raw.Resource
		}
		e.err = entryErr(i, e.err)
	}
	return in.Type, entries, nil
}

// collectionRequests gives each entry of a collection a request: PUT for
// a resource with an id, POST otherwise.
func collectionRequests(in *bundleIn) error {
	for i := range in.Entry {
		e := &in.Entry[i]
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil || head.ResourceType == "" {
			return entryErr(i, &Error{Status: http.StatusBadRequest, Code: "required", Diagnostics: "a collection entry needs a resource", Expression: "Bundle.entry.resource"})
		}
		e.Request = &entryReq{Method: http.MethodPost, URL: head.ResourceType}
		if head.ID != "" {
			e.Request = &entryReq{Method: http.MethodPut, URL: head.ResourceType + "/" + head.ID}
		}
	}
	return nil
}

// entryRequest decodes an entry's request.method and request.url.
func entryRequest(method, rawURL, ifMatch, ifNoneExist string) (*Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil || rawURL == "" {
		return nil, &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: fmt.Sprintf("malformed request.url %q", rawURL), Expression: "Bundle.entry.request.url"}
	}
	h := http.Header{}
	if ifMatch != "" {
		h.Set("If-Match", ifMatch)
	}
	if ifNoneExist != "" {
		h.Set("If-None-Exist", ifNoneExist)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: fmt.Sprintf("malformed query in request.url %q", rawURL), Expression: "Bundle.entry.request.url"}
	}
	path := u.Path
	if method == http.MethodPut && u.RawQuery != "" {
		return nil, &Error{Status: http.StatusBadRequest, Code: "not-supported", Diagnostics: "conditional update is not supported", Expression: "Bundle.entry.request.url"}
	}
	return ParseRequest(strings.ToUpper(method), "/"+strings.TrimPrefix(path, "/"), q, h)
}

// entryErr names the entry in an error: its diagnostics and its
// expression, which becomes a path from the Bundle.
func entryErr(i int, err error) error {
	if err == nil {
		return nil
	}
	fe := asError(err)
	prefix := fmt.Sprintf("Bundle.entry[%d]", i)
	if strings.HasPrefix(fe.Diagnostics, prefix) {
		return fe
	}
	out := *fe
	out.Diagnostics = prefix + ": " + fe.Diagnostics
	switch {
	case strings.HasPrefix(fe.Expression, "Bundle.entry."):
		out.Expression = prefix + strings.TrimPrefix(fe.Expression, "Bundle.entry")
	case fe.Expression != "":
		out.Expression = prefix + ".resource"
		if _, rest, ok := strings.Cut(fe.Expression, "."); ok {
			out.Expression += "." + rest
		}
	}
	return &out
}

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
					found, ok, err := s.conditional(tx, e.req.Type, e.req.IfNoneExist)
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
				found, ok, err := s.conditional(tx, e.req.Type, e.req.IfNoneExist)
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
		res, err := tx.Put(store.Write{Type: e.prep.typ, ID: e.prep.id, Body: e.prep.body, Index: e.prep.vals})
		if err == nil && res.Op != store.OpCreate {
			err = errorf(http.StatusConflict, "duplicate", "%s already exists", res.Ref())
		}
		return s.respond(e.req, http.StatusCreated, res, err)
	case Update, Delete:
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
			typ, query, ok := conditionalRef(ref)
			if !ok {
				return "", false
			}
			found, ok, err := s.conditional(rd, typ, query)
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
			Diagnostics: fmt.Sprintf("%d conditional reference(s) match no resource: %s", len(unresolved), strings.Join(unresolved, "; "))})
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
