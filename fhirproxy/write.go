package fhirproxy

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"smartd/authz/scope"
	"smartd/fhirproxy/rawjson"
	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/fhirproxy/validate"
)

// prepared is a validated resource on its way into the store.
type prepared struct {
	typ, id string
	body    []byte         // compact JSON as received
	doc     map[string]any // the same, decoded, for indexing
	vals    []search.IndexValue
}

// prepare validates a resource body for the URL's type (and, for an
// update, its id: FHIR R4 §3.1.0.4 requires the body's id to match).
func (s *Server) prepare(typ, urlID string, raw []byte) (*prepared, error) {
	if len(raw) == 0 {
		return nil, errorf(http.StatusBadRequest, "invalid", "the request has no resource in its body")
	}
	rt, doc, err := validate.Check(raw, typ)
	if err != nil {
		return nil, err
	}
	body, err := rawjson.Compact(raw)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "structure", "malformed JSON: %v", err)
	}
	p := &prepared{typ: rt, body: body, doc: doc}
	id, _ := doc["id"].(string)
	if urlID != "" {
		if id == "" {
			return nil, &Error{Status: http.StatusBadRequest, Code: "required", Diagnostics: "an update must carry the resource id in its body", Expression: rt + ".id"}
		}
		if id != urlID {
			return nil, &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: fmt.Sprintf("the body's id %q does not match the URL's %q", id, urlID), Expression: rt + ".id"}
		}
		p.id = urlID
	}
	return p, nil
}

// index extracts the search index values, once references are final.
func (p *prepared) index(base string) error {
	p.vals = search.Extract(p.typ, p.doc, base)
	return nil
}

// write runs a create, update or delete in a transaction.
func (s *Server) write(tx *store.Tx, req *Request, p *prepared) (response, error) {
	switch req.Interaction {
	case Create:
		if req.IfNoneExist != "" {
			existing, found, err := s.conditional(tx, req.Type, req.IfNoneExist, req.Access)
			if err != nil || found {
				return s.respond(req, http.StatusOK, existing, err)
			}
		}
		res, err := tx.Put(store.Write{Type: p.typ, Body: p.body, Index: p.vals})
		return s.respond(req, http.StatusCreated, res, err)
	case Update:
		res, err := tx.Put(store.Write{Type: p.typ, ID: p.id, Body: p.body, Index: p.vals, IfMatch: req.IfMatch})
		status := http.StatusOK
		if res.Op == store.OpCreate {
			status = http.StatusCreated
		}
		return s.respond(req, status, res, err)
	case Delete:
		res, err := tx.Delete(req.Type, req.ID, req.IfMatch)
		if errors.Is(err, store.ErrNotFound) {
			return response{status: http.StatusNoContent}, nil // R4 §3.1.0.7: deleting nothing succeeds
		}
		if err != nil {
			return response{}, err
		}
		return response{status: http.StatusNoContent, etag: strconv.FormatUint(res.Version, 10)}, nil
	}
	return response{}, errorf(http.StatusMethodNotAllowed, "not-supported", "%s is not a write", req.Interaction)
}

// respond renders a write's result as Prefer: return asks.
func (s *Server) respond(req *Request, status int, res store.Resource, err error) (response, error) {
	if err != nil {
		return response{}, err
	}
	resp := resourceResponse(status, res)
	// A conditional create that matched (200) names the match too.
	if req.Interaction == Create || req.Interaction == Update {
		resp.location = s.base + "/" + res.Type + "/" + res.ID + "/_history/" + strconv.FormatUint(res.Version, 10)
	}
	switch req.Return {
	case "minimal":
		resp.body = nil
	case "OperationOutcome":
		resp.body = outcome("information", "informational", fmt.Sprintf("%s %s/%s version %d", req.Interaction, res.Type, res.ID, res.Version), "")
	}
	return resp, nil
}

// conditional runs the search of a conditional create or reference:
// found with the one match, not found with none, 412 with several.
//
// Under a token the search sees only what its search scopes let through,
// so it cannot probe other patients' data.
func (s *Server) conditional(rd reader, typ, query string, a *Access) (store.Resource, bool, error) {
	q, err := parseConditional(typ, query)
	if err != nil {
		return store.Resource{}, false, err
	}
	// Only the criteria decide: _summary=count, _count=0 or a _cursor
	// would hide matches and let a conditional create duplicate one.
	q.Count, q.Summary, q.Cursor = 2, "", ""
	var g store.Guard
	if a != nil {
		g = a.guard(scope.Search)
	}
	res, err := rd.SearchGuarded(q, nil, g)
	if err != nil {
		return store.Resource{}, false, err
	}
	switch len(res.Matches) {
	case 0:
		return store.Resource{}, false, nil
	case 1:
		return res.Matches[0], true, nil
	}
	return store.Resource{}, false, errorf(http.StatusPreconditionFailed, "multiple-matches", "%s?%s matches more than one resource", typ, query)
}

// parseConditional parses the search of a conditional create or
// reference. Its query is often not percent-encoded ("|" and ":" appear
// raw), which url.ParseQuery accepts.
func parseConditional(typ, query string) (*search.Query, error) {
	vals, err := url.ParseQuery(query)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "invalid", "malformed conditional search %s?%s: %v", typ, query, err)
	}
	q, err := search.Parse(typ, vals, true)
	if err != nil {
		return nil, err
	}
	if len(q.Criteria) == 0 {
		return nil, errorf(http.StatusBadRequest, "invalid", "conditional search %s?%s has no criteria", typ, query)
	}
	return q, nil
}
