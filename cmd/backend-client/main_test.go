package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"smartd/server"
)

// TestRun drives the example against smartd's real router.
func TestRun(t *testing.T) {
	hs := httptest.NewUnstartedServer(nil)
	root := "http://" + hs.Listener.Addr().String()
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: root, NoSamples: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	var out bytes.Buffer
	if err := run(root+"/fhir", "system/Patient.rs", client{}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"registered client_id", `"token_type": "bearer"`, `"active": true`, `"scope": "system/Patient.rs"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}
}

// TestDemoBackend uses only the demo client's id and the key file that a
// fresh data directory gets: the README's example.
func TestDemoBackend(t *testing.T) {
	hs := httptest.NewUnstartedServer(nil)
	root := "http://" + hs.Listener.Addr().String()
	dir := t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir, BaseURL: root, NoSamples: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	key, err := readKey(filepath.Join(dir, server.DemoBackendKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(root+"/fhir", "system/*.rs", client{id: server.DemoBackendClientID, key: key}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"using client_id demo-backend", `"token_type": "bearer"`, `"active": true`, `"scope": "system/*.rs"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}
	// The server's search parameters decide granular scopes (server.New
	// wires them into authz).
	c := client{id: server.DemoBackendClientID, key: key}
	if err := run(root+"/fhir", "system/Observation.rs?category=laboratory", c, io.Discard); err != nil {
		t.Errorf("a granular scope on an indexed parameter: %v", err)
	}
	if err := run(root+"/fhir", "system/Observation.rs?bogus=1", c, io.Discard); err == nil || !strings.Contains(err.Error(), "invalid_scope") {
		t.Errorf("a granular scope on an unknown parameter: %v, want invalid_scope", err)
	}
}

// TestPrintToken: -print-token prints the bare token, which the FHIR API
// takes as a bearer token (the README's "Try it").
func TestPrintToken(t *testing.T) {
	hs := httptest.NewUnstartedServer(nil)
	root := "http://" + hs.Listener.Addr().String()
	dir := t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir, BaseURL: root})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	key, err := readKey(filepath.Join(dir, server.DemoBackendKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(root+"/fhir", "system/Patient.rs", client{id: server.DemoBackendClientID, key: key, tokenOnly: true}, &out); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out.String())
	if strings.ContainsAny(token, " \n{") || strings.Count(token, ".") != 2 {
		t.Fatalf("printed %q, want a bare JWT", out.String())
	}
	for path, want := range map[string]int{"/Patient/smart-patient-1": 200, "/Observation?patient=smart-patient-1": 403} {
		req, _ := http.NewRequest("GET", root+"/fhir"+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s with the printed token: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
