package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"smartd/fhirproxy"
)

// bundleIn is what the checks read of a posted batch or transaction.
type bundleIn struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		Resource json.RawMessage `json:"resource"`
		Request  *struct {
			Method      string `json:"method"`
			URL         string `json:"url"`
			IfMatch     string `json:"ifMatch"`
			IfNoneExist string `json:"ifNoneExist"`
		} `json:"request"`
	} `json:"entry"`
}

// checkSubmit checks every entry of a batch or transaction (FHIR R4
// §3.1.0.11) as its own request before the bundle is forwarded: Permit,
// then the write checks. The upstream runs the bundle as posted, so one
// refused entry refuses the whole bundle, a batch as well as a
// transaction (a batch whose refused entries were answered here would
// have to be rewritten, with its entries renumbered in the response).
// It returns the decoded request of each entry, for filtering the
// response.
func (h *Handler) checkSubmit(ctx context.Context, req *fhirproxy.Request) ([]*fhirproxy.Request, error) {
	if req.Access == nil {
		return nil, nil
	}
	var b bundleIn
	if err := json.Unmarshal(req.Body, &b); err != nil || b.ResourceType != "Bundle" {
		return nil, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "structure", Diagnostics: "the request body is not a FHIR JSON Bundle"}
	}
	if b.Type != "batch" && b.Type != "transaction" {
		return nil, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "invalid", Expression: "Bundle.type",
			Diagnostics: "only batch and transaction bundles can be posted to the base"}
	}
	reqs := make([]*fhirproxy.Request, len(b.Entry))
	for i, e := range b.Entry {
		if e.Request == nil {
			return nil, entryError(i, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "required", Diagnostics: "the entry has no request"})
		}
		r, err := h.entryRequest(e.Request.Method, e.Request.URL, e.Request.IfMatch, e.Request.IfNoneExist)
		if err != nil {
			return nil, entryError(i, err)
		}
		r.Body, r.Access = e.Resource, req.Access
		if err := h.fhir.Permit(r); err != nil {
			return nil, entryError(i, err)
		}
		switch r.Interaction {
		case fhirproxy.Create, fhirproxy.Update, fhirproxy.Delete:
			if _, err := h.checkWrite(ctx, r); err != nil {
				return nil, entryError(i, err)
			}
		}
		reqs[i] = r
	}
	return reqs, nil
}

// relativeURLs rewrites the entries' request.url that are absolute below
// our base to URLs relative to the base, which the upstream resolves
// against its own. A body it cannot read goes as it is: the upstream
// refuses it.
func (h *Handler) relativeURLs(body []byte) []byte {
	if !bytes.Contains(body, []byte(h.base)) {
		return body
	}
	b, err := parseObject(body)
	if err != nil {
		return body
	}
	entries, err := objects(b.get("entry"))
	if err != nil {
		return body
	}
	for i := range entries {
		r, err := parseObject(entries[i].get("request"))
		if err != nil {
			continue
		}
		if rest, ok := strings.CutPrefix(r.str("url"), h.base+"/"); ok {
			r.setString("url", rest)
			entries[i].set("request", r.bytes())
		}
	}
	b.set("entry", array(entries))
	return b.bytes()
}

// entryRequest decodes one entry's request; its url is relative to the
// base, or absolute below our base.
func (h *Handler) entryRequest(method, rawURL, ifMatch, ifNoneExist string) (*fhirproxy.Request, error) {
	target := rawURL
	if u, err := url.Parse(rawURL); err == nil && u.IsAbs() {
		rest, ok := strings.CutPrefix(rawURL, h.base+"/")
		if !ok {
			return nil, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "invalid", Expression: "request.url", Diagnostics: "an absolute request.url must lie below this server's FHIR base"}
		}
		target = rest
	}
	path, rawQuery, _ := strings.Cut(target, "?")
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return nil, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "invalid", Expression: "request.url", Diagnostics: "dot segments are not allowed in FHIR paths"}
		}
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "invalid", Expression: "request.url", Diagnostics: "malformed query"}
	}
	hdr := http.Header{}
	if ifMatch != "" {
		hdr.Set("If-Match", ifMatch)
	}
	if ifNoneExist != "" {
		hdr.Set("If-None-Exist", ifNoneExist)
	}
	r, err := fhirproxy.ParseRequest(method, "/"+path, query, hdr)
	if err != nil {
		return nil, err
	}
	if r.Interaction == fhirproxy.BundleSubmit {
		return nil, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "not-supported", Expression: "request.url", Diagnostics: "bundles do not nest"}
	}
	return r, nil
}

// entryError names the entry an error is about, keeping its status and
// challenge.
func entryError(i int, err error) error {
	var fe *fhirproxy.Error
	if !errors.As(err, &fe) {
		return err
	}
	e := *fe
	e.Diagnostics = fmt.Sprintf("Bundle.entry[%d]: %s", i, e.Diagnostics)
	return &e
}

// filterSubmitted filters a batch-response or transaction-response: each
// entry answers the request entry of the same index, and its resource is
// checked as that request's answer would be (a read the token may not
// see becomes that entry's 404, a search's Bundle is filtered). Written
// resources were checked before they were sent. Upstream URLs are
// rewritten.
func (h *Handler) filterSubmitted(a *fhirproxy.Access, reqs []*fhirproxy.Request, body []byte) ([]byte, error) {
	b, err := parseObject(body)
	if err != nil || b.str("resourceType") != "Bundle" {
		return nil, errUnreachable("the upstream FHIR server did not answer a Bundle")
	}
	b.dropVariants(bundleMembers...)
	entries, err := objects(b.get("entry"))
	if err != nil {
		return nil, errUnreachable("the upstream FHIR server answered a malformed Bundle")
	}
	for i := range entries {
		e := &entries[i]
		e.dropVariants(entryMembers...)
		h.rewriteEntry(e)
		res := e.get("resource")
		if a == nil || res == nil {
			continue
		}
		r := &fhirproxy.Request{Interaction: fhirproxy.Read, Access: a}
		if len(reqs) == len(entries) {
			r = reqs[i]
		}
		switch r.Interaction {
		case fhirproxy.Create, fhirproxy.Update, fhirproxy.Delete, fhirproxy.Capabilities:
			continue
		case fhirproxy.Read, fhirproxy.VRead:
			if hd, ok := h.sees(a, r.Interaction, res); !ok || r.Type != "" && hd.ResourceType != r.Type {
				*e = notFoundEntry(hd, r)
			}
		default: // searches, histories, $everything: a Bundle of their own
			filtered, err := h.filterBundle(r, res)
			if err != nil {
				*e = notFoundEntry(head{}, r)
				continue
			}
			e.set("resource", filtered)
		}
	}
	if b.get("entry") != nil {
		b.set("entry", array(entries))
	}
	if err := h.rewriteLinks(&b); err != nil {
		return nil, errUnreachable("the upstream FHIR server answered a malformed Bundle")
	}
	return b.bytes(), nil
}

// notFoundEntry is the response entry of a read the token may not see:
// 404 with the OperationOutcome the store path would give.
func notFoundEntry(hd head, r *fhirproxy.Request) object {
	typ, id := r.Type, r.ID
	if typ == "" {
		typ, id = hd.ResourceType, hd.ID
	}
	issue, _ := json.Marshal([]map[string]string{{
		"severity": "error", "code": "not-found", "diagnostics": fhirproxy.NotFound(typ, id).Error(),
	}})
	oo := object{{"resourceType", json.RawMessage(`"OperationOutcome"`)}, {"issue", issue}}
	resp := object{{"status", json.RawMessage(`"404 Not Found"`)}, {"outcome", oo.bytes()}}
	return object{{"response", resp.bytes()}}
}
