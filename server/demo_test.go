package server_test

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"smartd/apps/registry"
	"smartd/fhirproxy/store"
	"smartd/server"
)

// appIDs lists the registered client_ids of a closed data directory.
func appIDs(t *testing.T, dir string) ([]string, *registry.Store, func()) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, server.StoreFile), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	apps, err := registry.Open(st.DB(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := apps.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range all {
		ids = append(ids, a.ClientID)
	}
	return ids, apps, func() { st.Close() }
}

func TestDemoApps(t *testing.T) {
	dir := t.TempDir()
	for range 2 { // the second start must not add or change anything
		srv, err := server.New(server.Config{DataDir: dir, NoSamples: true})
		if err != nil {
			t.Fatal(err)
		}
		srv.Close()
	}
	ids, apps, done := appIDs(t, dir)
	defer done()
	if diff := cmp.Diff([]string{"demo-backend", "demo-public", "sample-app"}, ids); diff != "" {
		t.Fatalf("apps (-want +got):\n%s", diff)
	}
	backend, _ := apps.Get(server.DemoBackendClientID)
	public, _ := apps.Get(server.DemoPublicClientID)
	if backend.Type() != registry.ConfidentialAsymmetric || !backend.HasGrant(registry.GrantClientCredentials) {
		t.Errorf("demo-backend: %+v", backend)
	}
	if public.Type() != registry.Public || !public.HasGrant(registry.GrantAuthorizationCode) || !public.RedirectURIAllowed("http://localhost:8000/callback") {
		t.Errorf("demo-public: %+v", public)
	}

	// The key file holds the private half of the registered JWK.
	file := filepath.Join(dir, server.DemoBackendKeyFile)
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(file)
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("no PEM in the key file")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv := k.(*ecdsa.PrivateKey)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(backend.JWKS, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("registered JWKS %s: %v", backend.JWKS, err)
	}
	pub, ok := set.Keys[0].Key.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(priv.Public()) || set.Keys[0].KeyID == "" {
		t.Errorf("the registered key %s is not the key file's", backend.JWKS)
	}
}

func TestNoDemoApps(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir, NoSamples: true, NoDemoApps: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	ids, _, done := appIDs(t, dir)
	defer done()
	if len(ids) != 0 {
		t.Errorf("apps %v, want none", ids)
	}
	if _, err := os.Stat(filepath.Join(dir, server.DemoBackendKeyFile)); err == nil {
		t.Error("the demo key file was written")
	}
}
