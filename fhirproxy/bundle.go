package fhirproxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	kind, entries, err := s.submit(req.Body, false, req.Access)
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
	kind, es, err := s.submit(body, false, nil)
	return kind, results(es), err
}

func (s *Server) submit(body []byte, atomic bool, a *Access) (kind string, entries []*bundleEntry, err error) {
	kind, entries, err = s.parseBundle(body, atomic, a)
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
// Under a token (a not nil) each entry inherits it and is checked on its
// own before anything runs.
func (s *Server) parseBundle(body []byte, atomic bool, a *Access) (kind string, entries []*bundleEntry, err error) {
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
		if e.err == nil {
			e.req.Access = a
			e.err = entryErr(i, s.permit(e.req))
		}
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
