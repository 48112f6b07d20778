package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smartd/server"
)

const testAdminToken = "admin-token-for-tests-0123456789"

// adminServer starts a server with a known admin token.
func adminServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: "http://" + ts.Listener.Addr().String(),
		NoSamples: true, NoDemoApps: true, AdminToken: testAdminToken, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// adminDo sends a request to the admin API and returns status and body.
func adminDo(t testing.TB, ts *httptest.Server, token, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+"/admin/api"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminAuthentication(t *testing.T) {
	ts := adminServer(t)
	for _, tc := range []struct{ name, token, path string }{
		{"no token", "", "/apps"},
		{"wrong token", "admin-token-for-tests-012345678X", "/apps"},
		{"wrong token, keys", "nope", "/keys"},
		{"no token, unknown path", "", "/nothing"},
	} {
		code, body := adminDo(t, ts, tc.token, "GET", tc.path, "")
		var e struct{ Error, ErrorDescription string }
		json.Unmarshal([]byte(body), &e)
		if code != 401 || e.Error == "" {
			t.Errorf("%s: %d %s, want 401 with an OAuth error", tc.name, code, body)
		}
	}
	if code, body := adminDo(t, ts, testAdminToken, "GET", "/apps", ""); code != 200 {
		t.Errorf("right token: %d %s", code, body)
	}
}

func TestAdminApps(t *testing.T) {
	ts := adminServer(t)
	tok := testAdminToken
	code, body := adminDo(t, ts, tok, "POST", "/apps", `{"client_id":"growth","client_name":"Growth chart","redirect_uris":["https://app.example.org/cb"],"scope":"launch patient/*.rs","token_endpoint_auth_method":"client_secret_basic"}`)
	var created map[string]any
	json.Unmarshal([]byte(body), &created)
	if code != 201 || created["client_id"] != "growth" || created["client_secret"] == nil || created["registration_access_token"] == nil {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, body := adminDo(t, ts, tok, "POST", "/apps", `{"client_id":"growth","client_name":"Again","redirect_uris":["https://app.example.org/cb"],"scope":"launch"}`); code != 409 {
		t.Errorf("duplicate create: %d %s", code, body)
	}
	if code, body := adminDo(t, ts, tok, "POST", "/apps", `{"client_name":"Bad","redirect_uris":["not a url"]}`); code != 400 || !strings.Contains(body, "invalid_redirect_uri") {
		t.Errorf("invalid create: %d %s", code, body)
	}
	code, body = adminDo(t, ts, tok, "GET", "/apps/growth", "")
	if code != 200 || !strings.Contains(body, `"Growth chart"`) || strings.Contains(body, "client_secret\"") || strings.Contains(body, "hash") {
		t.Errorf("get: %d %s", code, body)
	}
	code, body = adminDo(t, ts, tok, "PUT", "/apps/growth", `{"client_name":"Growth chart 2","redirect_uris":["https://app.example.org/cb"],"scope":"launch patient/*.rs","token_endpoint_auth_method":"client_secret_basic"}`)
	if code != 200 || !strings.Contains(body, "Growth chart 2") || strings.Contains(body, "client_secret\"") {
		t.Errorf("update: %d %s", code, body)
	}
	code, body = adminDo(t, ts, tok, "POST", "/apps/growth/secret", "")
	if code != 200 || !strings.Contains(body, `"client_secret"`) {
		t.Errorf("rotate secret: %d %s", code, body)
	}
	if code, body := adminDo(t, ts, tok, "GET", "/apps", ""); code != 200 || !strings.Contains(body, "Growth chart 2") {
		t.Errorf("list: %d %s", code, body)
	}

	// Export, delete, import: the app comes back as it was.
	code, export := adminDo(t, ts, tok, "GET", "/apps/export", "")
	if code != 200 || !strings.Contains(export, `"format": "smartd.apps/v1"`) || !strings.Contains(export, "secret_hash") {
		t.Fatalf("export: %d %s", code, export)
	}
	if code, body := adminDo(t, ts, tok, "DELETE", "/apps/growth", ""); code != 204 {
		t.Errorf("delete: %d %s", code, body)
	}
	if code, _ := adminDo(t, ts, tok, "GET", "/apps/growth", ""); code != 404 {
		t.Errorf("get after delete: %d", code)
	}
	if code, body := adminDo(t, ts, tok, "POST", "/apps/import", export); code != 200 || !strings.Contains(body, `"created": [`) || !strings.Contains(body, "growth") {
		t.Errorf("import: %d %s", code, body)
	}
	if code, body := adminDo(t, ts, tok, "POST", "/apps/import", export); code != 409 {
		t.Errorf("import again: %d %s", code, body)
	}
	if code, body := adminDo(t, ts, tok, "POST", "/apps/import?replace=true", export); code != 200 || !strings.Contains(body, `"replaced": [`) {
		t.Errorf("import -replace: %d %s", code, body)
	}
	if code, body := adminDo(t, ts, tok, "GET", "/apps/growth", ""); code != 200 || !strings.Contains(body, "Growth chart 2") {
		t.Errorf("get after import: %d %s", code, body)
	}
	if code, body := adminDo(t, ts, tok, "POST", "/apps/import", `{"format":"other"}`); code != 400 {
		t.Errorf("import of a bad file: %d %s", code, body)
	}
}

func TestAdminKeyRotation(t *testing.T) {
	ts := adminServer(t)
	kids := func() []string {
		resp, err := ts.Client().Get(ts.URL + "/auth/jwks")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var set struct{ Keys []struct{ Kid string } }
		json.NewDecoder(resp.Body).Decode(&set)
		var out []string
		for _, k := range set.Keys {
			out = append(out, k.Kid)
		}
		return out
	}
	before := kids()
	code, body := adminDo(t, ts, testAdminToken, "POST", "/keys/rotate", "")
	var infos []struct {
		Kid     string
		Current bool
		Retired *string
	}
	json.Unmarshal([]byte(body), &infos)
	if code != 200 || len(infos) != 2*len(before) {
		t.Fatalf("rotate: %d %s", code, body)
	}
	after := kids()
	if len(after) != 2*len(before) {
		t.Errorf("JWKS after rotation: %v, before %v", after, before)
	}
	for _, k := range before {
		if !strings.Contains(strings.Join(after, " "), k) {
			t.Errorf("old key %s left the JWKS", k)
		}
	}
	for _, i := range infos {
		if i.Current == (i.Retired != nil) {
			t.Errorf("key %s: current %v, retired %v", i.Kid, i.Current, i.Retired)
		}
	}
	if code, body := adminDo(t, ts, testAdminToken, "GET", "/keys", ""); code != 200 || !strings.Contains(body, infos[0].Kid) {
		t.Errorf("list keys: %d %s", code, body)
	}
}

func TestAdminTokenFile(t *testing.T) {
	dir := t.TempDir()
	open := func() *server.Server {
		srv, err := server.New(server.Config{DataDir: dir, NoSamples: true, NoDemoApps: true})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := open()
	file := srv.AdminTokenFile()
	srv.Close()
	if file != filepath.Join(dir, server.AdminTokenFile) {
		t.Fatalf("token file %q", file)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", fi, err)
	}
	first, _ := os.ReadFile(file)
	if n := len(strings.TrimSpace(string(first))); n != 43 {
		t.Errorf("token of %d characters, want 43 (32 bytes base64url)", n)
	}
	open().Close()
	if again, _ := os.ReadFile(file); string(again) != string(first) {
		t.Error("a second start changed the admin token")
	}
	ts := httptest.NewServer(nil)
	defer ts.Close()
	srv = open()
	defer srv.Close()
	ts.Config.Handler = srv.Handler()
	if code, _ := adminDo(t, ts, strings.TrimSpace(string(first)), "GET", "/keys", ""); code != 200 {
		t.Errorf("the token from the file: %d", code)
	}
}
