package upstream_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	// Upstream requests reach the audit trail as store ones do.
	var got []string
	for range 50 {
		req, _ := http.NewRequest(http.MethodGet, root+"/admin/api/audit?kind=fhir&patient="+patientA, nil)
		req.Header.Set("Authorization", "Bearer "+frontAdmin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Records []struct {
				Interaction  string `json:"interaction"`
				ResourceType string `json:"resource_type"`
				Status       int    `json:"status"`
			} `json:"records"`
		}
		json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		got = got[:0]
		for _, rec := range page.Records {
			got = append(got, fmt.Sprintf("%s %s %d", rec.Interaction, rec.ResourceType, rec.Status))
		}
		if len(got) == 3 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Join(got, ", ") != "search-type Observation 200, read Patient 404, read Patient 200" {
		t.Errorf("audit records of patient A's token, newest first: %q", got)
	}
}
