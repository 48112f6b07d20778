package upstream

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"smartd/fhirproxy"
)

// rewrite turns an absolute URL below the upstream base into the same URL
// below ours; anything else is returned as it is.
func (h *Handler) rewrite(u string) string {
	rest, ok := strings.CutPrefix(u, h.upstream)
	if !ok || rest != "" && rest[0] != '/' && rest[0] != '?' {
		return u
	}
	return h.base + rest
}

// bundleMembers and entryMembers are the members of a Bundle and of its
// entries that filtering reads or rewrites.
var (
	bundleMembers = []string{"resourceType", "type", "total", "link", "entry"}
	entryMembers  = []string{"fullUrl", "resource", "search", "request", "response"}
)

// head is the identity of a resource body.
type head struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

// sees reports whether a resource body from the upstream may be shown
// through interaction i. A body that is not a resource is not shown.
func (h *Handler) sees(a *fhirproxy.Access, i fhirproxy.Interaction, body []byte) (head, bool) {
	var hd head
	if json.Unmarshal(body, &hd) != nil || hd.ResourceType == "" {
		return hd, false
	}
	ok, err := a.Sees(i, hd.ResourceType, hd.ID, body, h.upstream)
	return hd, ok && err == nil
}

// filterRead checks a read or vread: a resource the token may not see is
// not found, as is a deleted one unless the token sees the whole type
// (410 would tell that it existed), as the store path answers.
func (h *Handler) filterRead(req *fhirproxy.Request, rep *reply) (*reply, error) {
	a := req.Access
	if a != nil {
		switch rep.status {
		case http.StatusNotFound:
			return nil, fhirproxy.NotFound(req.Type, req.ID)
		case http.StatusGone:
			if !a.SeesAll(req.Interaction, req.Type) {
				return nil, fhirproxy.NotFound(req.Type, req.ID)
			}
		}
	}
	if rep.status >= 300 {
		return h.passError(rep, nil)
	}
	if a != nil {
		if hd, ok := h.sees(a, req.Interaction, rep.body); !ok || hd.ResourceType != req.Type {
			return nil, fhirproxy.NotFound(req.Type, req.ID)
		}
	}
	return rep, nil
}

// checkCurrent checks, before a $everything or an instance history is
// forwarded, that the token may read the resource it is about: not found
// otherwise, as the store path answers.
func (h *Handler) checkCurrent(ctx context.Context, req *fhirproxy.Request) error {
	a := req.Access
	if a == nil {
		return nil
	}
	rep, err := h.send(ctx, &call{method: http.MethodGet, path: "/" + req.Type + "/" + req.ID, header: http.Header{}})
	if err != nil {
		return err
	}
	_, err = h.filterRead(&fhirproxy.Request{Interaction: fhirproxy.Read, Type: req.Type, ID: req.ID, Access: a}, rep)
	return err
}

// filterBundle filters a searchset or history Bundle for req: entries the
// token may not see are dropped (matches, includes and versions alike,
// each checked with req's interaction, as the store's guard checks them),
// Bundle.total is dropped unless the token sees every resource searched,
// and upstream URLs are rewritten.
func (h *Handler) filterBundle(req *fhirproxy.Request, body []byte) ([]byte, error) {
	b, err := parseObject(body)
	if err != nil || b.str("resourceType") != "Bundle" {
		return nil, errUnreachable("the upstream FHIR server did not answer a Bundle")
	}
	b.dropVariants(bundleMembers...)
	entries, err := objects(b.get("entry"))
	if err != nil {
		return nil, errUnreachable("the upstream FHIR server answered a malformed Bundle")
	}
	kept := entries[:0]
	for _, e := range entries {
		e.dropVariants(entryMembers...)
		if req.Access == nil || h.keepEntry(req.Access, req.Interaction, e) {
			h.rewriteEntry(&e)
			kept = append(kept, e)
		}
	}
	if b.get("entry") != nil {
		b.set("entry", array(kept))
	}
	if !keepsTotal(req) {
		b.del("total")
	}
	if err := h.rewriteLinks(&b); err != nil {
		return nil, errUnreachable("the upstream FHIR server answered a malformed Bundle")
	}
	return b.bytes(), nil
}

// keepEntry decides one entry of a searchset or history.
func (h *Handler) keepEntry(a *fhirproxy.Access, i fhirproxy.Interaction, e object) bool {
	res := e.get("resource")
	if res == nil {
		return h.keepDeleted(a, i, e)
	}
	if search, _ := parseObject(e.get("search")); search.str("mode") == "outcome" {
		return isOutcome(res) // the server's own warnings, not data
	}
	_, ok := h.sees(a, i, res)
	return ok
}

// keepDeleted decides a history entry without a resource (a deletion):
// its request.url names it, and it is kept only where the token sees
// every resource of its type (a deletion carries nothing to check), or
// where it is the token's own patient.
func (h *Handler) keepDeleted(a *fhirproxy.Access, i fhirproxy.Interaction, e object) bool {
	r, _ := parseObject(e.get("request"))
	path, _, _ := strings.Cut(strings.TrimPrefix(h.rewrite(r.str("url")), h.base+"/"), "?")
	seg := strings.Split(path, "/")
	if len(seg) < 2 || seg[0] == "" || seg[1] == "" {
		return false
	}
	stub, _ := json.Marshal(head{ResourceType: seg[0], ID: seg[1]})
	_, ok := h.sees(a, i, stub)
	return ok
}

// keepsTotal reports whether a filtered Bundle's total still holds: when
// the token sees every resource of every type searched.
func keepsTotal(req *fhirproxy.Request) bool {
	a := req.Access
	if a == nil {
		return true
	}
	var types []string
	switch req.Interaction {
	case fhirproxy.SearchType, fhirproxy.SearchCompartment, fhirproxy.HistoryType, fhirproxy.HistoryInstance:
		types = []string{req.Type}
	case fhirproxy.SearchSystem, fhirproxy.HistorySystem:
		for _, v := range req.Query["_type"] {
			types = append(types, strings.Split(v, ",")...)
		}
	}
	for _, t := range types {
		if !a.SeesAll(req.Interaction, strings.TrimSpace(t)) {
			return false
		}
	}
	return len(types) > 0
}

// rewriteEntry rewrites an entry's fullUrl and response.location.
func (h *Handler) rewriteEntry(e *object) {
	if u := e.str("fullUrl"); u != "" {
		e.setString("fullUrl", h.rewrite(u))
	}
	if r, err := parseObject(e.get("response")); err == nil {
		if loc := r.str("location"); loc != "" {
			r.setString("location", h.rewrite(loc))
			e.set("response", r.bytes())
		}
	}
}

// rewriteLinks rewrites Bundle.link.url.
func (h *Handler) rewriteLinks(b *object) error {
	links, err := objects(b.get("link"))
	if err != nil || links == nil {
		return err
	}
	for i := range links {
		if u := links[i].str("url"); u != "" {
			links[i].setString("url", h.rewrite(u))
		}
	}
	b.set("link", array(links))
	return nil
}
