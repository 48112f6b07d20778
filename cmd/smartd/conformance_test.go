package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/conformance"
	"smartd/server"
)

// conformanceAdminToken is the admin token of the in-process smartd.
const conformanceAdminToken = "conformance-test-admin-token-0123"

// conformanceServer starts smartd in-process, with its demo apps, users
// and samples, behind an httptest server whose URL is its base URL;
// wrap, if not nil, wraps its handler. It returns the suite's settings
// for the demo clients, the demo patient user and the admin token.
func conformanceServer(t *testing.T, wrap func(http.Handler) http.Handler) conformance.Config {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	dir := t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir, BaseURL: "http://" + ts.Listener.Addr().String(),
		AdminToken: conformanceAdminToken, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return conformance.Config{
		FHIRBase:       ts.URL + "/fhir",
		ClientID:       server.DemoBackendClientID,
		KeyFile:        filepath.Join(dir, server.DemoBackendKeyFile),
		PublicClientID: server.DemoPublicClientID,
		RedirectURI:    "http://localhost:8000/callback",
		Username:       "jose",
		Password:       "jose-demo-2026",
		AdminToken:     conformanceAdminToken,
	}
}

// adminOnly is the settings a tester needs against a smartd: the FHIR
// base and the admin token.
func adminOnly(cfg conformance.Config) conformance.Config {
	return conformance.Config{FHIRBase: cfg.FHIRBase, AdminToken: cfg.AdminToken}
}

// leftBehind lists the apps and users whose names say the suite made
// them, through the admin API.
func leftBehind(t *testing.T, cfg conformance.Config) []string {
	t.Helper()
	base := strings.TrimSuffix(cfg.FHIRBase, "/fhir") + server.AdminAPIPrefix
	var out []string
	for _, list := range []struct{ path, field string }{{"/apps", "client_id"}, {"/users", "username"}} {
		req, _ := http.NewRequest(http.MethodGet, base+list.path, nil)
		req.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		err = json.NewDecoder(resp.Body).Decode(&items)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || len(items) == 0 {
			t.Fatalf("GET %s: %d, %v", list.path, resp.StatusCode, err)
		}
		for _, it := range items {
			if name, _ := it[list.field].(string); strings.HasPrefix(name, "conformance-") {
				out = append(out, name)
			}
		}
	}
	return out
}

// wantFailing is the checks expected to fail against smartd: only extra
// (smartd itself passes every check), in the suite's order.
func wantFailing(extra ...string) []string {
	return sortedIn(extra)
}

// sortedIn orders check IDs as the suite runs them.
func sortedIn(ids []string) []string {
	var out []string
	for _, c := range conformance.Checks() {
		for _, id := range ids {
			if id == c.ID() {
				out = append(out, id)
			}
		}
	}
	return out
}

// runSuite runs the suite and returns the IDs of the failed checks.
func runSuite(t *testing.T, cfg conformance.Config) ([]string, *conformance.Report) {
	t.Helper()
	suite, err := conformance.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep := suite.Run(context.Background())
	var ids []string
	for _, r := range rep.Results {
		if r.Status == conformance.Fail {
			ids = append(ids, r.ID())
		}
	}
	return ids, rep
}

func reportText(rep *conformance.Report) string {
	var b strings.Builder
	rep.WriteText(&b, false)
	return b.String()
}

// TestConformanceAgainstSmartd: against smartd with the admin token
// every check passes, the EHR launch included, only TLS skipped on
// loopback: with nothing but the FHIR base and the token (throwaway
// clients and user), and with the demo clients as a patient user and as
// a clinician who goes through the patient picker (no throwaway backend
// client or user then). The throwaway apps and user are gone afterwards.
func TestConformanceAgainstSmartd(t *testing.T) {
	cfg := conformanceServer(t, nil)
	setupSkips := []string{"discovery/endpoints use TLS", "admin-setup (smartd API)/a throwaway Backend Services client is registered",
		"admin-setup (smartd API)/a throwaway user is created"}
	for _, tc := range []struct {
		name, user, password string
		skipped              []string
	}{
		{"admin token only", "", "", setupSkips[:1]},
		{"jose", "jose", "jose-demo-2026", setupSkips},
		{"dr.morgan", "dr.morgan", "morgan-demo-2026", setupSkips},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cfg
			cfg.Username, cfg.Password = tc.user, tc.password
			if tc.user == "" {
				cfg = adminOnly(cfg)
			}
			got, rep := runSuite(t, cfg)
			if diff := cmp.Diff(wantFailing(), got); diff != "" {
				t.Errorf("failed checks (-want +got):\n%s\n%s", diff, reportText(rep))
			}
			var skipped []string
			for _, r := range rep.Results {
				if r.Status == conformance.Skip {
					skipped = append(skipped, r.ID())
				}
			}
			if diff := cmp.Diff(tc.skipped, skipped); diff != "" {
				t.Errorf("skipped checks (-want +got):\n%s\n%s", diff, reportText(rep))
			}
			if left := leftBehind(t, cfg); len(left) > 0 {
				t.Errorf("left behind: %q", left)
			}
		})
	}
}

// TestConformanceFindsBreakage: smartd behind a wrapper that breaks one
// rule fails exactly the checks of that rule.
func TestConformanceFindsBreakage(t *testing.T) {
	tests := []struct {
		name string
		wrap func(http.Handler) http.Handler
		want []string
	}{
		{"token responses without Cache-Control", dropCacheControl, []string{
			"backend-services/the token response is not cacheable",
			"standalone-launch/the token response is not cacheable",
			"token-refresh/a refresh gives a new access token and rotates the refresh token",
		}},
		{"replayed assertions accepted", acceptReplays, []string{"backend-services/a replayed jti is refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := adminOnly(conformanceServer(t, tt.wrap))
			got, rep := runSuite(t, cfg)
			if diff := cmp.Diff(wantFailing(tt.want...), got); diff != "" {
				t.Errorf("failed checks (-want +got):\n%s\n%s", diff, reportText(rep))
			}
		})
	}
}

// dropCacheControl removes Cache-Control from the token endpoint's
// responses.
func dropCacheControl(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/auth/token") {
			w = &headerDropper{ResponseWriter: w, name: "Cache-Control"}
		}
		next.ServeHTTP(w, r)
	})
}

type headerDropper struct {
	http.ResponseWriter
	name string
}

func (h *headerDropper) WriteHeader(code int) {
	h.Header().Del(h.name)
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerDropper) Write(b []byte) (int, error) {
	h.Header().Del(h.name)
	return h.ResponseWriter.Write(b)
}

// acceptReplays answers a client_assertion seen before with the response
// its first use got, as a server without a jti cache would issue a token.
func acceptReplays(next http.Handler) http.Handler {
	var mu sync.Mutex
	seen := map[string]*httptest.ResponseRecorder{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/auth/token") || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ParseForm()
		assertion := r.PostForm.Get("client_assertion")
		r.Body = io.NopCloser(bytes.NewReader(body))
		mu.Lock()
		rec, replay := seen[assertion]
		mu.Unlock()
		if !replay || assertion == "" {
			rec = httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			mu.Lock()
			seen[assertion] = rec
			mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// TestConformanceCommand: the subcommand prints the report, writes the
// JUnit and HTML files, reads a --config file that flags override, and
// fails when a check fails.
func TestConformanceCommand(t *testing.T) {
	cfg := conformanceServer(t, nil)
	dir := t.TempDir()
	config := filepath.Join(dir, "conformance.json")
	b, _ := json.Marshal(map[string]string{
		"fhir_base": cfg.FHIRBase, "client_id": cfg.ClientID, "key_file": cfg.KeyFile,
		"public_client_id": cfg.PublicClientID, "redirect_uri": cfg.RedirectURI, "username": cfg.Username,
		"password": "wrong-password",
	})
	if err := os.WriteFile(config, b, 0o600); err != nil {
		t.Fatal(err)
	}
	junit, page := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "report.html")
	c, out, _ := newCLI(map[string]string{"SMARTD_PASSWORD": cfg.Password, "SMARTD_ADMIN_TOKEN": cfg.AdminToken})
	err := c.run(context.Background(), []string{"conformance", "--config", config, "--junit", junit, "--html", page})
	failed := len(wantFailing())
	if (err != nil) != (failed > 0) {
		t.Fatalf("conformance: %v, with %d failures expected\n%s", err, failed, out)
	}
	if want := "63 passed, " + itoa(failed) + " failed, 3 skipped"; !strings.Contains(out.String(), want) {
		t.Errorf("the report lacks %q:\n%s", want, out)
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Errorf("colours without --color on a non-terminal:\n%s", out)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite"`
	}
	raw, err := os.ReadFile(junit)
	if err != nil || xml.Unmarshal(raw, &suites) != nil {
		t.Fatalf("junit file: %v\n%s", err, raw)
	}
	if suites.Tests != len(conformance.Checks()) || suites.Failures != failed || len(suites.Suites) != 11 {
		t.Errorf("junit: %d tests, %d failures, %d suites", suites.Tests, suites.Failures, len(suites.Suites))
	}
	html, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(html), "<!doctype html>") || !strings.Contains(string(html), "failed") {
		t.Errorf("html report: %v\n%.300s", err, html)
	}

	c, out, _ = newCLI(nil)
	err = c.run(context.Background(), []string{"conformance", "--fhir-base", cfg.FHIRBase, "--color"})
	if wantErr := !strings.Contains(out.String(), " 0 failed"); (err != nil) != wantErr {
		t.Errorf("discovery only: %v, want an error: %v\n%s", err, wantErr, out)
	}
	if !strings.Contains(out.String(), "\x1b[") {
		t.Errorf("--color printed no colours:\n%s", out)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestConformanceCommandErrors: settings errors stop the command before
// any request.
func TestConformanceCommandErrors(t *testing.T) {
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "bad.json")
	os.WriteFile(badConfig, []byte(`{"fhir_base": "http://x/fhir", "clientid": "typo"}`), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--fhir-base"},
		{[]string{"--fhir-base", "not a url"}, "not an absolute"},
		{[]string{"--fhir-base", "http://127.0.0.1:1/fhir", "--key", filepath.Join(dir, "missing.pem")}, "missing.pem"},
		{[]string{"--config", badConfig}, "clientid"},
		{[]string{"--fhir-base", "http://127.0.0.1:1/fhir", "extra"}, "no arguments"},
	} {
		c, _, _ := newCLI(nil)
		err := c.run(context.Background(), append([]string{"conformance"}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
}
