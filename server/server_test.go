package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"smartd/server"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newServer(t *testing.T, logs io.Writer) (*httptest.Server, *server.Server) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: base, AdminToken: testAdminToken, Log: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, srv
}

func TestRoutes(t *testing.T) {
	ts, _ := newServer(t, io.Discard)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		method, path string
		status       int
		contentType  string
		contains     string
	}{
		{"GET", "/healthz", 200, "application/json", `"ok"`},
		{"GET", "/readyz", 200, "application/json", `"ready"`},
		{"GET", "/", 200, "application/json", `/fhir/metadata`},
		{"GET", "/fhir/metadata", 200, "application/fhir+json", `"CapabilityStatement"`},
		{"GET", "/fhir/metadata/", 200, "application/fhir+json", `"CapabilityStatement"`},
		{"GET", "/fhir", 200, "application/fhir+json", `"searchset"`},
		{"GET", "/fhir/", 200, "application/fhir+json", `"searchset"`},
		{"GET", "/fhir/Patient/", 200, "application/fhir+json", `"searchset"`},
		{"GET", "/fhir/Patient/smart-patient-1", 200, "application/fhir+json", `"smart-patient-1"`},
		{"GET", "/fhir/Patient/smart-patient-1/", 200, "application/fhir+json", `"smart-patient-1"`},
		{"GET", "/fhir/NoSuchType/1", 404, "application/fhir+json", `"OperationOutcome"`},
		{"GET", "/fhir/Patient/nope", 404, "application/fhir+json", `"not-found"`},
		{"PATCH", "/fhir/Patient/smart-patient-1", 405, "application/fhir+json", `"OperationOutcome"`},
		{"GET", "/nowhere", 404, "", ""},
		{"GET", "/fhir/.well-known/smart-configuration", 200, "application/json", `"token_endpoint"`},
		{"GET", "/fhir/.well-known/openid-configuration", 200, "application/json", `"id_token_signing_alg_values_supported"`},
		{"POST", "/fhir/.well-known/smart-configuration", 405, "application/json", `"invalid_request"`},
		{"GET", "/fhir/.well-known/other", 404, "application/fhir+json", `"OperationOutcome"`},
		{"GET", "/auth/jwks", 200, "application/json", `"keys"`},
		{"POST", "/auth/token", 400, "application/json", `"invalid_request"`},
		{"GET", "/auth/token", 405, "application/json", `"invalid_request"`},
		{"POST", "/auth/introspect", 400, "application/json", `"invalid_request"`},
		{"POST", "/auth/revoke", 400, "application/json", `"invalid_request"`},
		{"POST", "/auth/register", 400, "application/json", `"invalid_client_metadata"`},
		{"GET", "/auth/register/nobody", 401, "application/json", `"invalid_token"`},
		{"GET", "/auth/nowhere", 404, "", ""},
	} {
		req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
		if strings.HasPrefix(tc.path, "/fhir") {
			req.Header.Set("Authorization", "Bearer "+testAdminToken) // the trusted path
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.status, body)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) {
			t.Errorf("%s %s: Content-Type %q, want %q", tc.method, tc.path, resp.Header.Get("Content-Type"), tc.contentType)
		}
		if !strings.Contains(string(body), tc.contains) {
			t.Errorf("%s %s: body lacks %s: %.200s", tc.method, tc.path, tc.contains, body)
		}
		if resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no X-Request-Id", tc.method, tc.path)
		}
	}
}

func TestRequestIDsAndAccessLog(t *testing.T) {
	var logs lockedBuffer
	ts, _ := newServer(t, &logs)
	req, _ := http.NewRequest("GET", ts.URL+"/fhir/Patient/smart-patient-1", nil)
	req.Header.Set("X-Request-Id", "trace-123")
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "trace-123" {
		t.Errorf("X-Request-Id = %q, want the caller's", got)
	}
	var found bool
	for line := range strings.SplitSeq(logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "request" {
			continue
		}
		if rec["request_id"] == "trace-123" && rec["path"] == "/fhir/Patient/smart-patient-1" && rec["status"] == float64(200) {
			found = true
		}
	}
	if !found {
		t.Errorf("no JSON access log line with the request id:\n%s", logs.String())
	}
}

func TestDefaultBaseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		":8080":          "http://localhost:8080",
		"0.0.0.0:9":      "http://localhost:9",
		"[::]:443":       "http://localhost:443",
		"[::1]:8080":     "http://[::1]:8080",
	} {
		if got := server.DefaultBaseURL(addr, false); got != want {
			t.Errorf("DefaultBaseURL(%q) = %q, want %q", addr, got, want)
		}
	}
	if got := server.DefaultBaseURL("127.0.0.1:8443", true); got != "https://127.0.0.1:8443" {
		t.Errorf("with TLS: %q", got)
	}
}

func TestSamplesLoadOnlyIntoAnEmptyStore(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir, BaseURL: "http://localhost:1"})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := srv.Store().Counts()
	srv.Close()
	srv, err = server.New(server.Config{DataDir: dir, BaseURL: "http://localhost:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	second, _ := srv.Store().Counts()
	if first["Patient"] != 6 || second["Patient"] != 6 || first["Observation"] != second["Observation"] {
		t.Errorf("counts after first start %v, after second %v", first, second)
	}
}

// TestAccessLogRemoteNotSpoofable: the logged remote address is the
// peer's, not whatever X-Forwarded-For a client sends (gin trusts every
// proxy unless told otherwise).
func TestAccessLogRemoteNotSpoofable(t *testing.T) {
	var logs lockedBuffer
	ts, _ := newServer(t, &logs)
	req, _ := http.NewRequest("GET", ts.URL+"/healthz", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	req.Header.Set("X-Real-Ip", "203.0.113.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var remotes []any
	for line := range strings.SplitSeq(logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "request" && rec["path"] == "/healthz" {
			remotes = append(remotes, rec["remote"])
		}
	}
	if len(remotes) != 1 || remotes[0] != "127.0.0.1" {
		t.Errorf("logged remote %v, want [127.0.0.1]", remotes)
	}
}
