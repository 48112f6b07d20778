package fhirproxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
)

// Server serves the FHIR REST API over a store.
type Server struct {
	store *store.Store
	// base is the absolute FHIR base URL without a trailing slash; mount
	// is its path, where the API is served.
	base, mount string
	log         *slog.Logger
	maxBody     int64
	capability  []byte
	auth        func(*http.Request) (*Access, error)
	audit       func(*http.Request, Event)
}

// Options configure New. The zero value of each field has a default.
type Options struct {
	// Log receives the errors the server logs; nil discards them.
	Log *slog.Logger
	// MaxBody bounds request bodies in bytes; zero means 128 MiB (the
	// largest sample transaction is 60 MB as pretty JSON).
	MaxBody int64
	// Software and Version name the server in the CapabilityStatement;
	// Started is its date (zero means now).
	Software, Version string
	Started           time.Time
	// OAuth, when not nil, adds the SMART security block to the
	// CapabilityStatement: the SMART-on-FHIR service and the oauth-uris
	// extension naming these endpoints.
	OAuth *OAuthURIs
	// Authenticate, when set, runs before routing on every request but
	// the CapabilityStatement and CORS preflights: it returns what the
	// request's bearer token allows, or an error rendered as is (use
	// Unauthorized). Nil serves every request as trusted.
	Authenticate func(*http.Request) (*Access, error)
	// Audit, when set, is told of every request but the
	// CapabilityStatement once it is answered, refusals included. It runs
	// on the request's goroutine: it must not block.
	Audit func(*http.Request, Event)
}

// Event is one FHIR request, for the audit trail.
type Event struct {
	// Access is what the request's token allowed; nil on the trusted path
	// and when authentication failed.
	Access *Access
	// Interaction, Type and ID are what was asked, as far as the request
	// was understood ("" when it was refused before routing).
	Interaction Interaction
	Type, ID    string
	// Status is the HTTP status answered; Reason the refusal's or
	// error's diagnostics.
	Status int
	Reason string
}

// New returns a FHIR server over st whose FHIR base is base, an absolute
// URL such as "http://127.0.0.1:8080/fhir".
func New(st *store.Store, base string, opts Options) (*Server, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || !u.IsAbs() {
		return nil, errors.New("fhirproxy: the FHIR base must be an absolute URL")
	}
	s := &Server{store: st, base: u.String(), mount: u.Path, log: opts.Log, maxBody: opts.MaxBody, auth: opts.Authenticate, audit: opts.Audit}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody == 0 {
		s.maxBody = 128 << 20
	}
	if opts.Started.IsZero() {
		opts.Started = time.Now()
	}
	if opts.Software == "" {
		opts.Software = "smartd"
	}
	s.capability = capabilityStatement(s.base, opts.Software, opts.Version, opts.Started, opts.OAuth)
	return s, nil
}

// Base returns the FHIR base URL.
func (s *Server) Base() string { return s.base }

// Mount returns the path the API is served under, e.g. "/fhir".
func (s *Server) Mount() string { return s.mount }

// response is what an interaction returns.
type response struct {
	status       int
	body         []byte
	etag         string // the version id, rendered W/"n"
	lastModified time.Time
	location     string
	challenge    string // WWW-Authenticate, for 401 and 403
}

// ServeHTTP serves one FHIR request whose path starts with the mount path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev Event
	resp, err := s.serve(w, r, &ev)
	if err != nil {
		resp = render(s.log, r, err)
		if resp.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", s.allow(r))
		}
		ev.Reason = asError(err).Diagnostics
	}
	s.writeResponse(w, r, resp)
	if s.audit != nil && ev.Interaction != Capabilities {
		ev.Status = resp.status
		s.audit(r, ev)
	}
}

// allow lists the methods the request's path takes, for the Allow header
// a 405 must carry (RFC 9110 §15.5.6).
func (s *Server) allow(r *http.Request) string {
	path := strings.TrimPrefix(r.URL.Path, s.mount)
	var ok []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete} {
		if _, err := ParseRequest(m, path, url.Values{}, http.Header{}); err == nil {
			ok = append(ok, m)
		}
	}
	return strings.Join(ok, ", ")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, ev *Event) (response, error) {
	path := strings.TrimPrefix(r.URL.Path, s.mount)
	var access *Access
	if s.auth != nil && !Public(r.Method, path) {
		var err error
		if access, err = s.auth(r); err != nil {
			return response{}, err
		}
	}
	ev.Access = access
	if err := Negotiate(r); err != nil {
		return response{}, err
	}
	query := r.URL.Query()
	body, err := s.readBody(w, r)
	if err != nil {
		return response{}, err
	}
	req, err := ParseRequest(r.Method, path, query, r.Header)
	if err != nil {
		return response{}, err
	}
	if req.Interaction == SearchType || req.Interaction == SearchSystem {
		if r.Method == http.MethodPost {
			if err := mergeForm(req, r.Header.Get("Content-Type"), body); err != nil {
				return response{}, err
			}
			body = nil
		}
	}
	req.Body = body
	req.Access = access
	ev.Interaction, ev.Type, ev.ID = req.Interaction, req.Type, req.ID
	if req.CompartmentType != "" {
		ev.Type, ev.ID = req.CompartmentType, req.CompartmentID // the compartment's owner
	}
	return s.Do(req)
}

// Public reports whether a request needs no token: the
// CapabilityStatement, the .well-known documents and CORS preflights.
// path is the part after the FHIR base.
func Public(method, path string) bool {
	path = strings.Trim(path, "/")
	read := method == http.MethodGet || method == http.MethodHead
	return method == http.MethodOptions || read && (path == "metadata" || strings.HasPrefix(path, ".well-known/"))
}

// Do runs a decoded request against the store, within what req.Access
// allows.
func (s *Server) Do(req *Request) (resp response, err error) {
	if err := s.permit(req); err != nil {
		return response{}, err
	}
	switch req.Interaction {
	case Capabilities:
		return response{status: http.StatusOK, body: s.capability}, nil
	case Create, Update, Delete:
		var p *prepared
		if req.Interaction != Delete {
			if p, err = s.prepare(req.Type, req.ID, req.Body); err != nil {
				return response{}, err
			}
			if err := p.index(s.base); err != nil {
				return response{}, err
			}
		}
		err = s.store.Batch(func(tx *store.Tx) error {
			if err := s.mayWrite(tx, req, p); err != nil {
				return err
			}
			resp, err = s.write(tx, req, p)
			return err
		})
		return resp, err
	case BundleSubmit:
		return s.bundle(req)
	}
	err = s.store.View(func(v *store.View) error {
		resp, err = s.read(v, req)
		return err
	})
	return resp, err
}

// reader is what read interactions need from a store snapshot; both
// *store.View and *store.Tx provide it.
type reader interface {
	Read(typ, id string) (store.Resource, error)
	VRead(typ, id string, version uint64) (store.Resource, error)
	SearchGuarded(q *search.Query, c *store.Compartment, g store.Guard) (*store.Result, error)
	Visible(g store.Guard, typ, id string) (bool, error)
	Index(typ, id string) ([]search.IndexValue, error)
	History(o store.HistoryOptions) (store.HistoryPage, error)
	Everything(patientID string) ([]store.Resource, error)
}

func (s *Server) read(rd reader, req *Request) (response, error) {
	switch req.Interaction {
	case Capabilities: // a bundle entry "GET metadata"
		return response{status: http.StatusOK, body: s.capability}, nil
	case Read:
		res, err := rd.Read(req.Type, req.ID)
		if res, err = s.visibleRead(rd, req, res, err); err != nil {
			return response{}, err
		}
		return resourceResponse(http.StatusOK, res), nil
	case VRead:
		res, err := rd.VRead(req.Type, req.ID, req.Version)
		if res, err = s.visibleRead(rd, req, res, err); err != nil {
			return response{}, err
		}
		return resourceResponse(http.StatusOK, res), nil
	case SearchType, SearchSystem, SearchCompartment:
		return s.search(rd, req)
	case HistoryInstance, HistoryType, HistorySystem:
		return s.history(rd, req)
	case Everything:
		return s.everything(rd, req)
	}
	return response{}, errorf(http.StatusMethodNotAllowed, "not-supported", "%s is not allowed here", req.Method)
}

func resourceResponse(status int, res store.Resource) response {
	return response{status: status, body: res.JSON, etag: strconv.FormatUint(res.Version, 10), lastModified: res.LastUpdated}
}

// readBody reads a request body up to the limit.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodDelete {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errorf(http.StatusRequestEntityTooLarge, "too-costly", "the request body is larger than %d bytes", s.maxBody)
	}
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "invalid", "reading the request body: %v", err)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && len(body) > 0 && !strings.HasSuffix(r.URL.Path, "/_search") {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/fhir+json" && mt != "application/json" && mt != "application/json+fhir" {
			return nil, errorf(http.StatusUnsupportedMediaType, "not-supported", "Content-Type %q is not supported; send application/fhir+json", ct)
		}
	}
	return body, nil
}

// mergeForm adds a POST _search form body to the query (FHIR R4 §3.1.1.1).
func mergeForm(req *Request, contentType string, body []byte) error {
	if len(body) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/x-www-form-urlencoded" {
		return errorf(http.StatusUnsupportedMediaType, "not-supported", "POST _search takes application/x-www-form-urlencoded, not %q", contentType)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return errorf(http.StatusBadRequest, "invalid", "malformed form body: %v", err)
	}
	for k, vs := range form {
		req.Query[k] = append(req.Query[k], vs...)
	}
	return nil
}

// Negotiate refuses formats other than JSON (FHIR R4 §3.1.0.1.10): XML and
// RDF are not served. application/json, */* and an absent Accept get FHIR
// JSON.
func Negotiate(r *http.Request) error {
	if f := r.URL.Query().Get("_format"); f != "" {
		// An unencoded '+' decodes to a space; parameters such as
		// fhirVersion do not change the format.
		if mt, _, err := mime.ParseMediaType(strings.ReplaceAll(f, " ", "+")); err == nil {
			f = mt
		}
		switch f {
		case "json", "application/json", "application/fhir+json", "application/json+fhir":
			return nil
		}
		return errorf(http.StatusNotAcceptable, "not-supported", "_format %q is not supported; this server speaks FHIR JSON", f)
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return nil
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		if !strings.Contains(mt, "xml") && !strings.Contains(mt, "turtle") {
			return nil
		}
	}
	return errorf(http.StatusNotAcceptable, "not-supported", "Accept %q: this server speaks FHIR JSON only", accept)
}

// write puts a response on the wire.
func (s *Server) writeResponse(w http.ResponseWriter, r *http.Request, resp response) {
	h := w.Header()
	if resp.etag != "" {
		h.Set("ETag", `W/"`+resp.etag+`"`)
	}
	if !resp.lastModified.IsZero() {
		h.Set("Last-Modified", resp.lastModified.UTC().Format(http.TimeFormat))
	}
	if resp.location != "" {
		h.Set("Location", resp.location)
	}
	if resp.challenge != "" {
		h.Set("WWW-Authenticate", resp.challenge)
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	body := resp.body
	if r.URL.Query().Get("_pretty") == "true" {
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", "  ") == nil {
			body = buf.Bytes()
		}
	}
	h.Set("Content-Type", "application/fhir+json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.status)
	w.Write(body)
}
