package main

import (
	"bytes"
	"net/http/httptest"
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
	if err := run(root+"/fhir", "system/Patient.rs", &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"registered client_id", `"token_type": "bearer"`, `"active": true`, `"scope": "system/Patient.rs"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}
}
