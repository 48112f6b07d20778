package fhirproxy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"smartd/fhirproxy/validate"
	"smartd/server"
)

// started is the fixed CapabilityStatement date of every test server.
var started = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// testServer is smartd's real router over a bbolt file in a temp dir,
// served on a loopback port with the base URL it answers at.
type testServer struct {
	t    testing.TB
	srv  *server.Server
	base string // the FHIR base, e.g. http://127.0.0.1:41234/fhir
	root string // the server's base URL
	dir  string
	hc   *http.Client
	// token is sent as the bearer token unless a request sets its own
	// Authorization: by default the admin token, the trusted path that
	// sees everything (the enforcement tests use real access tokens).
	token string
}

// adminToken is the test servers' admin token.
const adminToken = "test-admin-token-0123456789"

// newServer starts a server with no sample data, after applying opts to
// its config.
func newServer(t testing.TB, opts ...func(*server.Config)) *testServer {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	root := "http://" + hs.Listener.Addr().String()
	cfg := server.Config{DataDir: t.TempDir(), BaseURL: root, NoSamples: true, Started: started, Version: "test", AdminToken: adminToken}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		hs.Close()
		t.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &testServer{
		t: t, srv: srv, base: root + "/fhir", root: root, dir: cfg.DataDir, token: adminToken,
		hc: &http.Client{
			Timeout: time.Minute,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				return errors.New("redirected to " + req.URL.String()) // no redirects under /fhir
			},
		},
	}
}

// with returns s reporting to t, for subtests.
func (s *testServer) with(t testing.TB) *testServer {
	c := *s
	c.t = t
	return &c
}

// withSamples loads smartd's own sample patients (testdata/bundles).
func withSamples(c *server.Config) { c.NoSamples = false }

// dbFile returns the path of the store file.
func (s *testServer) dbFile() string { return filepath.Join(s.dir, server.StoreFile) }

// reply is an HTTP response with its body read.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request to the FHIR base. target is a path below the base
// ("/Patient/1", "" for the base itself) or an absolute URL; headers are
// name, value pairs.
func (s *testServer) do(method, target string, body []byte, headers ...string) reply {
	s.t.Helper()
	u := target
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		u = s.base + target
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (s *testServer) get(target string, headers ...string) reply {
	s.t.Helper()
	return s.do(http.MethodGet, target, nil, headers...)
}

// search GETs a search and fails unless it answers a searchset.
func (s *testServer) search(target string, headers ...string) bundle {
	s.t.Helper()
	r := s.get(target, headers...)
	if r.Status != http.StatusOK {
		s.t.Fatalf("GET %s: %d %s", target, r.Status, r.Body)
	}
	b := r.bundle(s.t)
	if b.Type != "searchset" {
		s.t.Fatalf("GET %s: Bundle.type %q", target, b.Type)
	}
	if _, _, err := validate.Check(r.Body, "Bundle"); err != nil {
		s.t.Errorf("GET %s: the searchset is not a valid Bundle: %v", target, err)
	}
	return b
}

// create POSTs a resource and returns its id.
func (s *testServer) create(resource string) string {
	s.t.Helper()
	typ := resourceType(s.t, []byte(resource))
	r := s.do(http.MethodPost, "/"+typ, []byte(resource))
	if r.Status != http.StatusCreated {
		s.t.Fatalf("POST %s: %d %s", typ, r.Status, r.Body)
	}
	return r.resource(s.t).ID
}

// put PUTs a resource with its id and fails unless it succeeds.
func (s *testServer) put(resource string) resourceHead {
	s.t.Helper()
	var h resourceHead
	if err := json.Unmarshal([]byte(resource), &h); err != nil {
		s.t.Fatal(err)
	}
	r := s.do(http.MethodPut, "/"+h.ResourceType+"/"+h.ID, []byte(resource))
	if r.Status != http.StatusOK && r.Status != http.StatusCreated {
		s.t.Fatalf("PUT %s/%s: %d %s", h.ResourceType, h.ID, r.Status, r.Body)
	}
	return r.resource(s.t)
}

// submit POSTs a bundle to the base and fails unless it answers 200.
func (s *testServer) submit(body []byte, headers ...string) bundle {
	s.t.Helper()
	r := s.do(http.MethodPost, "", body, headers...)
	if r.Status != http.StatusOK {
		s.t.Fatalf("POST bundle: %d %s", r.Status, r.Body)
	}
	if _, _, err := validate.Check(r.Body, "Bundle"); err != nil {
		s.t.Errorf("the response is not a valid Bundle: %v", err)
	}
	return r.bundle(s.t)
}

// counts returns the live resources by type.
func (s *testServer) counts() map[string]int {
	s.t.Helper()
	c, err := s.srv.Store().Counts()
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// fileBytes reads the store file as it is on disk.
func (s *testServer) fileBytes() []byte {
	s.t.Helper()
	b, err := os.ReadFile(s.dbFile())
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// resourceHead is the part of a resource the tests read most.
type resourceHead struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
		Tag         []struct {
			System string `json:"system"`
			Code   string `json:"code"`
		} `json:"tag"`
	} `json:"meta"`
}

func resourceType(t testing.TB, b []byte) string {
	t.Helper()
	var h resourceHead
	if err := json.Unmarshal(b, &h); err != nil || h.ResourceType == "" {
		t.Fatalf("not a resource: %v %.200s", err, b)
	}
	return h.ResourceType
}

func (r reply) resource(t testing.TB) resourceHead {
	t.Helper()
	var h resourceHead
	if err := json.Unmarshal(r.Body, &h); err != nil {
		t.Fatalf("decoding %d %.300s: %v", r.Status, r.Body, err)
	}
	return h
}

// object decodes the body as a JSON object.
func (r reply) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("decoding %d %.300s: %v", r.Status, r.Body, err)
	}
	return m
}

// bundle is the part of a Bundle the tests read.
type bundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []bundleEntry `json:"entry"`
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Search   *struct {
		Mode string `json:"mode"`
	} `json:"search"`
	Request *struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
	Response *struct {
		Status       string          `json:"status"`
		Location     string          `json:"location"`
		Etag         string          `json:"etag"`
		LastModified string          `json:"lastModified"`
		Outcome      json.RawMessage `json:"outcome"`
	} `json:"response"`
}

func (r reply) bundle(t testing.TB) bundle {
	t.Helper()
	var b bundle
	if err := json.Unmarshal(r.Body, &b); err != nil || b.ResourceType != "Bundle" {
		t.Fatalf("not a Bundle (%v): %d %.300s", err, r.Status, r.Body)
	}
	return b
}

// link returns the URL of a link relation, or "".
func (b bundle) link(rel string) string {
	for _, l := range b.Link {
		if l.Relation == rel {
			return l.URL
		}
	}
	return ""
}

// refs returns "Type/id" of the entries with search mode mode ("" for
// any), in order.
func (b bundle) refs(mode string) []string {
	var out []string
	for _, e := range b.Entry {
		if mode != "" && (e.Search == nil || e.Search.Mode != mode) {
			continue
		}
		var h resourceHead
		if json.Unmarshal(e.Resource, &h) == nil && h.ID != "" {
			out = append(out, h.ResourceType+"/"+h.ID)
		}
	}
	return out
}

// ids returns the ids of the match entries, in order.
func (b bundle) ids() []string {
	var out []string
	for _, r := range b.refs("match") {
		out = append(out, r[strings.IndexByte(r, '/')+1:])
	}
	return out
}

// outcomes returns the OperationOutcome entries (search mode outcome).
func (b bundle) outcomes(t testing.TB) []outcome {
	t.Helper()
	var out []outcome
	for _, e := range b.Entry {
		if e.Search != nil && e.Search.Mode == "outcome" {
			var o outcome
			if err := json.Unmarshal(e.Resource, &o); err != nil {
				t.Fatal(err)
			}
			out = append(out, o)
		}
	}
	return out
}

// outcome is an OperationOutcome.
type outcome struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity    string   `json:"severity"`
		Code        string   `json:"code"`
		Diagnostics string   `json:"diagnostics"`
		Expression  []string `json:"expression"`
	} `json:"issue"`
}

// outcome decodes an OperationOutcome body and checks it is one, with
// the FHIR content type and at least one issue.
func (r reply) outcome(t testing.TB) outcome {
	t.Helper()
	var o outcome
	if err := json.Unmarshal(r.Body, &o); err != nil || o.ResourceType != "OperationOutcome" || len(o.Issue) == 0 {
		t.Fatalf("not an OperationOutcome (%v): %d %.300s", err, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("OperationOutcome with Content-Type %q", ct)
	}
	if _, _, err := validate.Check(r.Body, "OperationOutcome"); err != nil {
		t.Errorf("not a valid OperationOutcome: %v", err)
	}
	return o
}

// wantError checks an error reply: its status, an OperationOutcome whose
// first issue has code, and, when expr is set, an expression containing
// it (or diagnostics containing it when the issue has no expression).
func wantError(t testing.TB, r reply, status int, code, expr string) outcome {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %.300s", r.Status, status, r.Body)
	}
	o := r.outcome(t)
	is := o.Issue[0]
	if is.Severity != "error" && is.Severity != "fatal" {
		t.Errorf("severity %q, want error", is.Severity)
	}
	if code != "" && is.Code != code {
		t.Errorf("issue code %q, want %q (%s)", is.Code, code, is.Diagnostics)
	}
	if expr != "" {
		where := strings.Join(is.Expression, " ") + " " + is.Diagnostics
		if !strings.Contains(where, expr) {
			t.Errorf("the issue does not name %q: expression %q, diagnostics %q", expr, is.Expression, is.Diagnostics)
		}
	}
	return o
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// mapKeys returns the keys of m.
func mapKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// resourceID returns the id of a resource.
func resourceID(t testing.TB, b []byte) string {
	t.Helper()
	var h resourceHead
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.ID
}
