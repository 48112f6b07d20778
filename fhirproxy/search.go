package fhirproxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"smartd/fhirproxy/rawjson"
	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/fhirproxy/validate"
)

// The tag that marks a resource cut down by _elements (FHIR R4 §3.1.1.5.9).
const (
	subsettedSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
	subsettedCode   = "SUBSETTED"
)

// search runs a type, system or compartment search and renders the
// searchset (FHIR R4 §3.1.1).
func (s *Server) search(rd reader, req *Request) (response, error) {
	q, err := search.Parse(req.Type, req.Query, req.Strict)
	if err != nil {
		return response{}, err
	}
	q.StripBase(s.base) // chained and _has criteria too
	if req.Type == "" {
		if err := checkSystemSearch(q, req.Strict); err != nil {
			return response{}, err
		}
	}
	var comp *store.Compartment
	if req.CompartmentType != "" {
		comp = &store.Compartment{Type: req.CompartmentType, ID: req.CompartmentID}
	}
	res, err := rd.SearchGuarded(q, comp, searchGuard(req))
	if err != nil {
		return response{}, err
	}
	path := s.base
	switch {
	case comp != nil:
		path += "/" + comp.Type + "/" + comp.ID + "/" + req.Type
	case req.Type != "":
		path += "/" + req.Type
	}
	// self names this page: the cursor it was asked with, if any.
	links := []link{{"self", path + queryString(req.Query, q.Cursor)}}
	if res.Next != "" {
		links = append(links, link{"next", path + queryString(req.Query, res.Next)})
	}
	var total *int
	if res.HasTotal {
		total = &res.Total
	}
	b := newBundle("searchset", total, links, time.Time{})
	keep := elements(q.Elements)
	for _, m := range res.Matches {
		body := m.JSON
		if keep != nil {
			if body, err = subset(body, keep); err != nil {
				return response{}, err
			}
		}
		b.add(entry{FullURL: s.base + "/" + m.Ref(), Resource: body, Search: &entrySearch{"match"}})
	}
	for _, m := range res.Included {
		b.add(entry{FullURL: s.base + "/" + m.Ref(), Resource: m.JSON, Search: &entrySearch{"include"}})
	}
	if len(q.Ignored) > 0 {
		b.add(entry{Resource: ignoredOutcome(q.Ignored), Search: &entrySearch{"outcome"}})
	}
	return response{status: http.StatusOK, body: b.bytes()}, nil
}

// checkSystemSearch refuses _type values that are not resource types,
// and _sort, which the store applies within one type only: refused under
// strict handling, else reported as ignored (never silently dropped).
func checkSystemSearch(q *search.Query, strict bool) error {
	for _, t := range q.Types {
		if !validate.IsResourceType(t) {
			return &Error{Status: http.StatusBadRequest, Code: "not-supported", Diagnostics: fmt.Sprintf("_type: unknown resource type %q", t), Expression: "_type"}
		}
	}
	if len(q.Sort) > 0 {
		const why = "_sort is not supported on system searches"
		if strict {
			return &Error{Status: http.StatusBadRequest, Code: "not-supported", Diagnostics: why, Expression: "_sort"}
		}
		q.Sort = nil
		q.Ignored = append(q.Ignored, search.Issue{Param: "_sort", Reason: why})
	}
	return nil
}

// queryString re-encodes the search parameters for a link, with the
// paging cursor replaced.
func queryString(q url.Values, cursor string) string {
	out := url.Values{}
	for k, vs := range q {
		if k != "_cursor" {
			out[k] = vs
		}
	}
	if cursor != "" {
		out.Set("_cursor", cursor)
	}
	if len(out) == 0 {
		return ""
	}
	return "?" + out.Encode()
}

// elements returns the top-level elements _elements keeps (plus the
// mandatory ones), or nil when it is absent.
func elements(names []string) map[string]bool {
	if len(names) == 0 {
		return nil
	}
	keep := map[string]bool{"resourceType": true, "id": true, "meta": true}
	for _, n := range names {
		keep[n] = true
	}
	return keep
}

func subset(body []byte, keep map[string]bool) ([]byte, error) {
	out, err := rawjson.KeepTop(body, keep)
	if err != nil {
		return nil, err
	}
	return rawjson.AddTag(out, subsettedSystem, subsettedCode)
}

// ignoredOutcome reports the search parameters the server did not use
// (FHIR R4 §3.1.1.4: an OperationOutcome entry with search.mode outcome).
func ignoredOutcome(issues []search.Issue) []byte {
	type issue struct {
		Severity    string   `json:"severity"`
		Code        string   `json:"code"`
		Diagnostics string   `json:"diagnostics"`
		Expression  []string `json:"expression"`
	}
	out := struct {
		ResourceType string  `json:"resourceType"`
		Issue        []issue `json:"issue"`
	}{ResourceType: "OperationOutcome"}
	for _, is := range issues {
		out.Issue = append(out.Issue, issue{"warning", "not-supported", "parameter ignored: " + is.Reason, []string{is.Param}})
	}
	b, _ := json.Marshal(out)
	return b
}

// everything renders Patient/$everything as a searchset.
func (s *Server) everything(rd reader, req *Request) (response, error) {
	if req.Access != nil {
		if ok, err := rd.Visible(guardOf(req), "Patient", req.ID); err != nil || !ok {
			return response{}, cmpErr(err, notFound("Patient", req.ID))
		}
	}
	all, err := rd.Everything(req.ID)
	if err != nil {
		return response{}, err
	}
	if g := guardOf(req); g != nil {
		kept := all[:0]
		for _, res := range all {
			if ok, err := rd.Visible(g, res.Type, res.ID); err != nil {
				return response{}, err
			} else if ok {
				kept = append(kept, res)
			}
		}
		all = kept
	}
	n := len(all)
	b := newBundle("searchset", &n, []link{{"self", s.base + "/Patient/" + req.ID + "/$everything"}}, time.Time{})
	for _, m := range all {
		b.add(entry{FullURL: s.base + "/" + m.Ref(), Resource: m.JSON, Search: &entrySearch{"match"}})
	}
	return response{status: http.StatusOK, body: b.bytes()}, nil
}

// history renders an instance, type or system history (FHIR R4 §3.1.0.12).
func (s *Server) history(rd reader, req *Request) (response, error) {
	o := store.HistoryOptions{Type: req.Type, ID: req.ID, Cursor: req.Query.Get("_cursor"), Keep: s.historyKeep(req)}
	for k := range req.Query {
		switch k {
		case "_count", "_since", "_cursor", "_format", "_pretty":
		default:
			// A history bundle has no place for an outcome entry, so an
			// unsupported parameter is refused rather than silently ignored.
			return response{}, &Error{Status: http.StatusBadRequest, Code: "not-supported", Diagnostics: "history supports _count and _since; " + k + " is not supported", Expression: k}
		}
	}
	if c := req.Query.Get("_count"); c != "" {
		q, err := search.Parse("", url.Values{"_count": {c}}, true)
		if err != nil {
			return response{}, err
		}
		o.Count = q.Count
	}
	if since := req.Query.Get("_since"); since != "" {
		t, err := time.Parse(time.RFC3339Nano, since)
		if err != nil {
			return response{}, &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: "_since must be an instant such as 2026-01-02T03:04:05Z", Expression: "_since"}
		}
		o.Since = t
	}
	if req.ID != "" {
		// A resource that never existed has no history: 404, as a read;
		// so has one the token may not see today.
		if _, err := rd.Read(req.Type, req.ID); errors.Is(err, store.ErrNotFound) {
			return response{}, err
		}
		if req.Access != nil && !req.Access.ownResource(req.Type, req.ID) {
			if ok, err := rd.Visible(guardOf(req), req.Type, req.ID); err != nil || !ok {
				return response{}, cmpErr(err, notFound(req.Type, req.ID))
			}
		}
	}
	page, err := rd.History(o)
	if err != nil {
		return response{}, err
	}
	path := s.base
	for _, p := range []string{req.Type, req.ID} {
		if p != "" {
			path += "/" + p
		}
	}
	path += "/_history"
	links := []link{{"self", path + queryString(req.Query, o.Cursor)}}
	if page.Next != "" {
		links = append(links, link{"next", path + queryString(req.Query, page.Next)})
	}
	b := newBundle("history", nil, links, time.Time{})
	for _, v := range page.Versions {
		e := entry{FullURL: s.base + "/" + v.Ref(), Resource: v.JSON,
			Response: &entryResponse{Etag: etag(v.Version), LastModified: store.FormatInstant(v.LastUpdated)}}
		switch v.Op {
		case store.OpCreate:
			e.Request = &entryRequestJSON{"POST", v.Type}
			e.Response.Status = "201 Created"
		case store.OpUpdate:
			e.Request = &entryRequestJSON{"PUT", v.Ref()}
			e.Response.Status = "200 OK"
		case store.OpDelete:
			e.Request = &entryRequestJSON{"DELETE", v.Ref()}
			e.Response.Status = "204 No Content"
		}
		b.add(e)
	}
	return response{status: http.StatusOK, body: b.bytes()}, nil
}
