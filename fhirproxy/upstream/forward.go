package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"smartd/fhirproxy"
)

// call is one request to the upstream; path is below its base ("" or
// "/Patient/1") and query is the raw query.
type call struct {
	method, path, query string
	header              http.Header
	body                []byte
}

// reply is an upstream answer: its status, the headers that go on to the
// client (URLs rewritten) and its body.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// forwardedHeaders are the request headers that reach the upstream.
var forwardedHeaders = []string{"Content-Type", "If-Match", "If-None-Exist", "Prefer"}

// returnedHeaders are the upstream's response headers that reach the
// client; the URLs among them are rewritten.
var returnedHeaders = []string{"ETag", "Last-Modified", "Location", "Content-Location"}

// forwarded picks the request headers that reach the upstream.
func forwarded(in http.Header) http.Header {
	out := http.Header{}
	for _, k := range forwardedHeaders {
		if vs := in.Values(k); len(vs) > 0 {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

// errUnreachable is the refusal of a request the upstream did not answer.
func errUnreachable(diagnostics string) error {
	return &fhirproxy.Error{Status: http.StatusBadGateway, Code: "transient", Diagnostics: diagnostics}
}

// send sends c to the upstream with smartd's credentials and reads the
// answer. An upstream 401 renews a backend services token and is retried
// once; if it persists, the upstream refuses smartd, which is a 502 (the
// client's own token was fine). Transport failures are 502 too.
func (h *Handler) send(ctx context.Context, c *call) (*reply, error) {
	stale := ""
	for attempt := 0; ; attempt++ {
		token, err := h.tokens.get(ctx, stale)
		if err != nil {
			h.log.ErrorContext(ctx, "upstream token request failed", "err", err)
			return nil, errUnreachable("smartd could not get an access token for the upstream FHIR server")
		}
		req, err := http.NewRequestWithContext(ctx, c.method, h.upstream+c.path, bytes.NewReader(c.body))
		if err != nil {
			return nil, err
		}
		req.URL.RawQuery = c.query
		for k, vs := range c.header {
			req.Header[k] = vs
		}
		req.Header.Set("Accept", "application/fhir+json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rep, err := h.receive(req)
		if errors.Is(err, errNotJSON) {
			h.log.ErrorContext(ctx, "upstream answer refused", "method", c.method, "path", c.path, "err", err)
			return nil, errUnreachable("the upstream FHIR server did not answer FHIR JSON")
		}
		if err != nil {
			h.log.ErrorContext(ctx, "upstream request failed", "method", c.method, "path", c.path, "err", err)
			return nil, errUnreachable("the upstream FHIR server could not be reached")
		}
		if rep.status != http.StatusUnauthorized {
			return rep, nil
		}
		if attempt == 0 && h.tokens.renewable() {
			stale = token
			continue
		}
		h.log.ErrorContext(ctx, "the upstream FHIR server refused smartd's credentials", "method", c.method, "path", c.path)
		return nil, errUnreachable("the upstream FHIR server refused smartd's credentials")
	}
}

// receive runs req and reads the answer up to the body limit.
func (h *Handler) receive(req *http.Request) (*reply, error) {
	resp, err := h.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, h.maxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > h.maxBody {
		return nil, fmt.Errorf("the response is larger than %d bytes", h.maxBody)
	}
	rep := &reply{status: resp.StatusCode, header: http.Header{}, body: body}
	for _, k := range returnedHeaders {
		if v := resp.Header.Get(k); v != "" {
			rep.header.Set(k, h.rewrite(v))
		}
	}
	if len(body) > 0 {
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); !isJSON(mt) || !json.Valid(body) {
			rep.body = nil
			if resp.StatusCode < 300 {
				return nil, fmt.Errorf("%w: %d with %q", errNotJSON, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}
	}
	return rep, nil
}

// passError passes on an upstream answer that is not a success: a
// redirect with its Location, an OperationOutcome with its URLs
// rewritten, or, when the upstream sent none, one of ours.
func (h *Handler) passError(rep *reply, err error) (*reply, error) {
	switch {
	case err != nil:
		return nil, err
	case rep.status < 400:
		rep.body = nil
		return rep, nil
	case isOutcome(rep.body):
		rep.body = bytes.ReplaceAll(rep.body, []byte(h.upstream), []byte(h.base))
		return rep, nil
	}
	status := rep.status
	if status >= 500 {
		status = http.StatusBadGateway
	}
	return nil, &fhirproxy.Error{Status: status, Code: "exception", Diagnostics: "the upstream FHIR server answered " + strconv.Itoa(rep.status) + " " + http.StatusText(rep.status)}
}

// passWrite passes on the answer to a checked create, update or delete:
// its resource is the content that was checked before it was sent.
func (h *Handler) passWrite(rep *reply) (*reply, error) {
	if rep.status >= 300 {
		return h.passError(rep, nil)
	}
	return rep, nil
}

// isOutcome reports whether body is an OperationOutcome.
func isOutcome(body []byte) bool {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	return json.Unmarshal(body, &head) == nil && head.ResourceType == "OperationOutcome"
}

// write sends rep to the client.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, rep *reply) {
	hd := w.Header()
	for k, vs := range rep.header {
		hd[k] = vs
	}
	body := rep.body
	if len(body) == 0 {
		w.WriteHeader(rep.status)
		return
	}
	if r.URL.Query().Get("_pretty") == "true" {
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", "  ") == nil {
			body = buf.Bytes()
		}
	}
	hd.Set("Content-Type", "application/fhir+json; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rep.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// errNotJSON is a successful upstream answer that is not FHIR JSON, which
// cannot be checked: nothing of it is shown.
var errNotJSON = errors.New("the upstream answered something other than FHIR JSON")
