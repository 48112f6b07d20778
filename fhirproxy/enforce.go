package fhirproxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"smartd/authz/scope"
	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/fhirproxy/validate"
)

// forbidden is the refusal of an interaction the token's scopes or
// context do not allow: 403 with an OperationOutcome and the RFC 6750
// insufficient_scope challenge.
func forbidden(format string, args ...any) *Error {
	e := errorf(http.StatusForbidden, "forbidden", format, args...)
	e.Challenge = challenge("insufficient_scope", e.Diagnostics)
	return e
}

// notFound is what a resource the token may not see looks like: the same
// answer as a resource that does not exist, so that nothing leaks.
func notFound(typ, id string) error {
	return fmt.Errorf("%s/%s: %w", typ, id, store.ErrNotFound)
}

// permit checks, before anything is read, that the request's token may
// attempt its interaction on its type at all: 403 otherwise. Which
// resources it then sees is the guard's business.
func (s *Server) permit(req *Request) error {
	a := req.Access
	switch {
	case a == nil, req.Interaction == Capabilities, req.Interaction == BundleSubmit:
		return nil
	case req.Interaction == Read && a.ownResource(req.Type, req.ID):
		return nil
	}
	op := permission(req.Interaction)
	if op == 0 {
		return forbidden("%s is not available to SMART access tokens", req.Interaction)
	}
	g := a.guard(op)
	types := []string{req.Type}
	if req.Type == "" { // system search and history
		types = req.Query["_type"]
		if req.Interaction == SearchSystem {
			types = nil
			if q, err := search.Parse("", req.Query, false); err == nil {
				types = q.Types
			}
		}
		if len(types) == 0 {
			if d := a.Scopes.Decide(op, ""); !d.Allowed {
				return forbidden("%s", d.Reason)
			}
			return nil
		}
	}
	for _, t := range types {
		if !validate.IsResourceType(t) { // refused before its decision is remembered
			return &Error{Status: http.StatusBadRequest, Code: "not-supported", Diagnostics: fmt.Sprintf("_type: unknown resource type %q", t), Expression: "_type"}
		}
		if ok, reason := g.allowed(t); !ok {
			return forbidden("%s", reason)
		}
	}
	return nil
}

// ownResource reports whether typ/id is the signed-in user's own resource.
func (a *Access) ownResource(typ, id string) bool {
	return a.FHIRUser != "" && a.FHIRUser == typ+"/"+id
}

// guardOf returns the guard of the request's interaction, or nil (every
// resource visible) on the trusted path. It never returns a typed nil.
func guardOf(req *Request) store.Guard {
	if req.Access == nil {
		return nil
	}
	return req.Access.guard(permission(req.Interaction))
}

// visibleRead checks a read's resource against the guard: a resource the
// token may not see is not found, and a deleted one is not found either
// unless the token sees the whole type (410 would tell it existed).
func (s *Server) visibleRead(rd reader, req *Request, res store.Resource, err error) (store.Resource, error) {
	a := req.Access
	if a == nil || a.ownResource(req.Type, req.ID) {
		return res, err
	}
	g := guardOf(req)
	if errors.Is(err, store.ErrGone) {
		if _, all := g.Reaches(req.Type); !all {
			return store.Resource{}, notFound(req.Type, req.ID)
		}
	}
	if err != nil {
		return res, err
	}
	var ok bool
	if req.Interaction == Read {
		ok, err = rd.Visible(g, req.Type, req.ID)
	} else {
		ok, err = s.admits(g, res) // vread: the version returned decides
	}
	if err != nil {
		return store.Resource{}, err
	}
	if !ok {
		return store.Resource{}, notFound(req.Type, req.ID)
	}
	return res, nil
}

// admits checks one version against a guard by the search values of its
// own body (an old version's compartment may differ from today's).
func (s *Server) admits(g store.Guard, res store.Resource) (bool, error) {
	if res.JSON == nil {
		if _, all := g.Reaches(res.Type); all {
			return true, nil
		}
		return false, nil // a deletion carries nothing to decide on
	}
	return admitsBody(g, res.Type, res.ID, res.JSON, s.base)
}

// admitsBody checks a resource body against g by its search values.
func admitsBody(g store.Guard, typ, id string, body []byte, base string) (bool, error) {
	return checkBody(g, typ, id, body, base, store.Admits)
}

// checkBody applies check (store.Admits or store.AdmitsWrite) to a body's
// search values, unless the guard decides for the whole type.
func checkBody(g store.Guard, typ, id string, body []byte, base string, check func(store.Guard, string, string, []search.IndexValue) bool) (bool, error) {
	if alts, all := g.Reaches(typ); all || len(alts) == 0 {
		return all, nil
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return false, err
	}
	return check(g, typ, id, search.Extract(typ, doc, base)), nil
}

// mayWrite checks a create, update or delete against the token: an
// existing resource it replaces or removes must be visible to it, and the
// new content must lie within its reach (a patient-scoped write cannot put
// a resource into another patient's compartment).
func (s *Server) mayWrite(rd reader, req *Request, p *prepared) error {
	a := req.Access
	if a == nil {
		return nil
	}
	g := guardOf(req)
	op := permission(req.Interaction)
	outside := forbidden("%s/%s lies outside what this token may %s", req.Type, req.ID, op)
	if req.Interaction == Update || req.Interaction == Delete {
		_, all := g.Reaches(req.Type)
		_, err := rd.Read(req.Type, req.ID)
		switch {
		case all:
		case errors.Is(err, store.ErrGone), errors.Is(err, store.ErrNotFound) && req.Interaction == Delete:
			// A deleted id, or for delete an absent one, answers as an
			// invisible one: neither may tell what exists (or existed) in
			// another patient's record, nor be taken over.
			return outside
		case err == nil:
			vals, err := rd.Index(req.Type, req.ID)
			if err != nil {
				return err
			}
			if !store.AdmitsWrite(g, req.Type, req.ID, vals) {
				return outside
			}
		}
	}
	if p != nil && !store.AdmitsWrite(g, p.typ, p.id, p.vals) {
		return forbidden("this %s would lie outside what this token may %s (the patient in context and no other, or the granted scope's filter)", p.typ, op)
	}
	return nil
}

// historyKeep is the per-version check of a history under a token.
func (s *Server) historyKeep(req *Request) func(store.Resource) (bool, error) {
	g := guardOf(req)
	if g == nil {
		return nil
	}
	return func(res store.Resource) (bool, error) { return s.admits(g, res) }
}

// searchGuard is the guard of a search, with the scope.Search permission.
func searchGuard(req *Request) store.Guard {
	if req.Access == nil {
		return nil
	}
	return req.Access.guard(scope.Search)
}

// cmpErr returns err when it is set, else fallback.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// Unauthorized is the refusal of a request without a valid access token:
// 401 with an OperationOutcome and a Bearer challenge (RFC 6750 §3), with
// error="invalid_token" and the description when one is given (a request
// with no token at all gets the bare challenge).
func Unauthorized(description string) error {
	e := errorf(http.StatusUnauthorized, "login", "%s", description)
	if description == "" {
		e.Diagnostics = "this FHIR server needs a bearer access token (Authorization: Bearer ...)"
		e.Challenge = `Bearer realm="smartd"`
		return e
	}
	e.Challenge = challenge("invalid_token", description)
	return e
}

// Permit checks, as the store path does before anything is read, that
// req.Access may attempt req's interaction on its type (403 otherwise).
// It is for enforcement points other than this server, such as an
// upstream proxy; the store path calls it itself.
func (s *Server) Permit(req *Request) error { return s.permit(req) }

// Sees reports whether the access may see a resource, of type typ and id
// with JSON body, through interaction i: the check this server applies to
// every resource it returns, for enforcement points that hold the body
// but not the index (an upstream proxy filtering responses).
//
// For a write (create, update, delete) it is the write check: the content
// must also name no patient but the one in context (store.AdmitsWrite).
func (a *Access) Sees(i Interaction, typ, id string, body []byte, base string) (bool, error) {
	if a == nil || (i == Read && a.ownResource(typ, id)) {
		return true, nil
	}
	check := store.Admits
	if i == Create || i == Update || i == Delete {
		check = store.AdmitsWrite
	}
	return checkBody(a.guard(permission(i)), typ, id, body, base, check)
}

// WriteError renders err as an OperationOutcome with its status (and the
// Bearer challenge of a 401 or 403): the one way a FHIR error reaches the
// wire, for handlers beside this server.
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeResponse(w, r, render(s.log, r, err))
}

// Authenticate runs the configured authentication on r (nil Access and
// no error when none is configured or r is public).
func (s *Server) Authenticate(r *http.Request) (*Access, error) {
	if s.auth == nil || Public(r.Method, strings.TrimPrefix(r.URL.Path, s.mount)) {
		return nil, nil
	}
	return s.auth(r)
}

// SeesAll reports whether the access sees every resource of typ through
// interaction i (a nil Access sees everything): then a result filtered
// with Sees is the unfiltered one, and its total still holds.
func (a *Access) SeesAll(i Interaction, typ string) bool {
	if a == nil {
		return true
	}
	_, all := a.guard(permission(i)).Reaches(typ)
	return all
}

// Forbidden is the refusal of an interaction the token's scopes or
// context do not allow, as the store path words it: 403 with an
// OperationOutcome and the insufficient_scope challenge.
func Forbidden(format string, args ...any) error { return forbidden(format, args...) }

// NotFound is what a resource the token may not see looks like, as the
// store path words it: the 404 of a resource that does not exist.
func NotFound(typ, id string) error { return notFound(typ, id) }

// Describe returns the status and the diagnostics err is rendered with
// (see WriteError), for an audit record.
func Describe(err error) (status int, diagnostics string) {
	e := asError(err)
	return e.Status, e.Diagnostics
}
