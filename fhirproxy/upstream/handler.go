package upstream

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"smartd/fhirproxy"
)

// Options configure New.
type Options struct {
	// Upstream is the FHIR base URL of the server fronted, e.g.
	// "https://fhir.example.org/fhir".
	Upstream string
	// Base is our FHIR base URL, the one clients use; "" means
	// FHIR.Base().
	Base string
	// FHIR authenticates requests, decides what their tokens may attempt,
	// renders errors and serves the CapabilityStatement. Required.
	FHIR *fhirproxy.Server
	// Auth is how smartd authenticates to the upstream; the zero value
	// sends no credentials.
	Auth Credentials
	// HTTPClient sends the upstream requests; nil means a client with a
	// two-minute timeout that does not follow redirects (a 3xx goes back
	// to the client with its Location rewritten).
	HTTPClient *http.Client
	// Log receives upstream failures; nil discards them.
	Log *slog.Logger
	// MaxBody bounds request bodies and upstream responses in bytes; zero
	// means 128 MiB.
	MaxBody int64
	// Now is the clock of the upstream token's lifetime and of client
	// assertions; nil means time.Now.
	Now func() time.Time
	// Audit, when set, is told of every request but the public ones once
	// it is answered, as fhirproxy.Options.Audit is on the store path.
	Audit func(*http.Request, fhirproxy.Event)
}

// Handler serves our FHIR base by forwarding to the upstream server.
type Handler struct {
	fhir *fhirproxy.Server
	// upstream and base are FHIR base URLs without a trailing slash;
	// mount is the path of base, where the handler is served.
	upstream, base, mount string
	hc                    *http.Client
	log                   *slog.Logger
	maxBody               int64
	tokens                *tokens
	audit                 func(*http.Request, fhirproxy.Event)
}

// New returns the handler of opts, checking the URLs and credentials.
func New(opts Options) (*Handler, error) {
	if opts.FHIR == nil {
		return nil, errors.New("upstream: Options.FHIR is required")
	}
	up, err := baseURL(opts.Upstream)
	if err != nil {
		return nil, errors.New("upstream: the upstream FHIR base must be an absolute http or https URL")
	}
	if opts.Base == "" {
		opts.Base = opts.FHIR.Base()
	}
	base, err := baseURL(opts.Base)
	if err != nil {
		return nil, errors.New("upstream: our FHIR base must be an absolute http or https URL")
	}
	h := &Handler{fhir: opts.FHIR, upstream: up.String(), base: base.String(), mount: base.Path,
		hc: opts.HTTPClient, log: opts.Log, maxBody: opts.MaxBody, audit: opts.Audit}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.maxBody == 0 {
		h.maxBody = 128 << 20
	}
	if h.hc == nil {
		h.hc = &http.Client{
			Timeout:       2 * time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if h.tokens, err = newTokens(opts.Auth, h.upstream, h.hc, opts.Now, h.log); err != nil {
		return nil, err
	}
	return h, nil
}

func baseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || !u.IsAbs() || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("not an absolute http(s) URL")
	}
	return u, nil
}

// ServeHTTP serves one request whose path starts with our base's path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, h.mount)
	if !ok || path != "" && path[0] != '/' {
		h.fhir.WriteError(w, r, &fhirproxy.Error{Status: http.StatusNotFound, Code: "not-found", Diagnostics: "not below the FHIR base"})
		return
	}
	if fhirproxy.Public(r.Method, path) {
		h.fhir.ServeHTTP(w, r) // our CapabilityStatement, with the SMART security block
		return
	}
	var ev fhirproxy.Event
	rep, err := h.serve(w, r, path, &ev)
	if err != nil {
		h.fhir.WriteError(w, r, err)
		ev.Status, ev.Reason = fhirproxy.Describe(err)
	} else {
		h.write(w, r, rep)
		ev.Status = rep.status
	}
	if h.audit != nil {
		h.audit(r, ev)
	}
}

// serve authenticates, decodes and permits the request, then runs it
// against the upstream.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, path string, ev *fhirproxy.Event) (*reply, error) {
	access, err := h.fhir.Authenticate(r)
	if err != nil {
		return nil, err
	}
	ev.Access = access
	if err := fhirproxy.Negotiate(r); err != nil {
		return nil, err
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." { // the upstream, or a proxy before it, would resolve them
			return nil, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: "dot segments are not allowed in FHIR paths"}
		}
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return nil, err
	}
	req, err := fhirproxy.ParseRequest(r.Method, path, r.URL.Query(), r.Header)
	if err != nil {
		return nil, err
	}
	req.Body, req.Access = body, access
	ev.Interaction, ev.Type, ev.ID = req.Interaction, req.Type, req.ID
	if err := h.permit(req, r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	c := &call{method: r.Method, path: path, query: r.URL.RawQuery, body: body, header: forwarded(r.Header)}
	if r.Method == http.MethodHead {
		c.method = http.MethodGet // the body decides what may be shown
	}
	return h.run(r, req, c)
}

// permit runs fhirproxy's Permit, after merging a POST _search form into
// the query it looks at (a system search's _type may be in the form).
func (h *Handler) permit(req *fhirproxy.Request, contentType string) error {
	isSearch := req.Interaction == fhirproxy.SearchType || req.Interaction == fhirproxy.SearchSystem
	if isSearch && req.Method == http.MethodPost && len(req.Body) > 0 {
		if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/x-www-form-urlencoded" {
			return &fhirproxy.Error{Status: http.StatusUnsupportedMediaType, Code: "not-supported", Diagnostics: "POST _search takes application/x-www-form-urlencoded"}
		}
		form, err := url.ParseQuery(string(req.Body))
		if err != nil {
			return &fhirproxy.Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: "malformed form body"}
		}
		q := url.Values{}
		for _, vs := range []url.Values{req.Query, form} {
			for k, v := range vs {
				q[k] = append(q[k], v...)
			}
		}
		req.Query = q
	}
	// A HAPI paging link (GET [base]?_getpages=...) continues a search
	// that was permitted when it began; every entry it returns is still
	// checked, so it is not refused for lacking a type.
	if req.Interaction == fhirproxy.SearchSystem && req.Query.Has("_getpages") {
		return nil
	}
	return h.fhir.Permit(req)
}

// run forwards the permitted request and filters the answer.
func (h *Handler) run(r *http.Request, req *fhirproxy.Request, c *call) (*reply, error) {
	ctx := r.Context()
	switch req.Interaction {
	case fhirproxy.Read, fhirproxy.VRead:
		rep, err := h.send(ctx, c)
		if err != nil {
			return nil, err
		}
		return h.filterRead(req, rep)
	case fhirproxy.Create, fhirproxy.Update, fhirproxy.Delete:
		etag, err := h.checkWrite(ctx, req)
		if err != nil {
			return nil, err
		}
		if etag != "" && c.header.Get("If-Match") == "" {
			c.header.Set("If-Match", etag) // what was checked is what is replaced
		}
		rep, err := h.send(ctx, c)
		if err != nil {
			return nil, err
		}
		return h.passWrite(rep)
	case fhirproxy.BundleSubmit:
		reqs, err := h.checkSubmit(ctx, req)
		if err != nil {
			return nil, err
		}
		c.body = h.relativeURLs(c.body)
		rep, err := h.send(ctx, c)
		if err != nil || rep.status >= 300 {
			return h.passError(rep, err)
		}
		rep.body, err = h.filterSubmitted(req.Access, reqs, rep.body)
		return rep, err
	}
	// Searches, histories and $everything answer a Bundle.
	if req.Interaction == fhirproxy.Everything || req.Interaction == fhirproxy.HistoryInstance {
		if err := h.checkCurrent(ctx, req); err != nil {
			return nil, err
		}
	}
	rep, err := h.send(ctx, c)
	if err != nil || rep.status >= 300 {
		return h.passError(rep, err)
	}
	rep.body, err = h.filterBundle(req, rep.body)
	return rep, err
}

// readBody reads a request body up to the limit, refusing formats other
// than FHIR JSON (and the form of POST _search).
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodDelete {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &fhirproxy.Error{Status: http.StatusRequestEntityTooLarge, Code: "too-costly", Diagnostics: "the request body is too large"}
	}
	if err != nil {
		return nil, &fhirproxy.Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: "reading the request body failed"}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && len(body) > 0 && !strings.HasSuffix(r.URL.Path, "/_search") {
		if mt, _, _ := mime.ParseMediaType(ct); !isJSON(mt) {
			return nil, &fhirproxy.Error{Status: http.StatusUnsupportedMediaType, Code: "not-supported", Diagnostics: "send application/fhir+json"}
		}
	}
	return body, nil
}

// isJSON reports whether a media type is FHIR JSON.
func isJSON(mediaType string) bool {
	switch mediaType {
	case "application/fhir+json", "application/json", "application/json+fhir":
		return true
	}
	return false
}
