package upstream_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smartd/server"
)

// TestServerConfig starts smartd in upstream proxy mode as smartd serve
// -upstream does, with the upstream's demo-backend client and its key
// file, and checks that /fhir is the upstream's data behind smartd's
// enforcement while metadata and discovery stay smartd's own.
func TestServerConfig(t *testing.T) {
	up := newUpstream(t, nil)
	keyFile := filepath.Join(t.TempDir(), "upstream-key.pem")
	if err := os.WriteFile(keyFile, up.keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	root := "http://" + ts.Listener.Addr().String()
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: root, AdminToken: frontAdmin, Log: slog.New(slog.DiscardHandler),
		Upstream: up.base, UpstreamClientID: server.DemoBackendClientID, UpstreamKeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	f := &front{t: t, srv: srv, url: root, base: root + "/fhir"}
	tokA := f.patientToken(patientA, "launch/patient patient/*.rs")

	for _, tc := range []struct {
		name, token, path string
		status            int
		contains          string
	}{
		{"no token", "", "/Patient/" + patientA, http.StatusUnauthorized, "OperationOutcome"},
		{"patient A reads A", tokA, "/Patient/" + patientA, http.StatusOK, `"id":"` + patientA + `"`},
		{"patient A reads B", tokA, "/Patient/" + patientB, http.StatusNotFound, "not-found"},
		{"search links name the front", tokA, "/Observation?patient=" + patientA + "&_count=1", http.StatusOK, `"url":"` + root + `/fhir/Observation?`},
		{"admin token, the trusted path", frontAdmin, "/Patient/" + patientB, http.StatusOK, `"id":"` + patientB + `"`},
		{"metadata", "", "/metadata", http.StatusOK, root + "/auth/token"},
		{"discovery", "", "/.well-known/smart-configuration", http.StatusOK, root + "/auth/token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(tc.token, tc.path)
			if r.status != tc.status || !strings.Contains(r.raw, tc.contains) {
				t.Errorf("got %d %.300s, want %d with %s", r.status, r.raw, tc.status, tc.contains)
			}
		})
	}
	if n := up.tokenCalls.Load(); n != 1 {
		t.Errorf("%d token requests at the upstream, want 1", n)
	}
	if empty, err := srv.Store().Empty(); err != nil || !empty {
		t.Errorf("the front's own store holds data: empty %v, %v", empty, err)
	}
}
