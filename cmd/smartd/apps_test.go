package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"smartd/fhirproxy/store"
)

// runCLI runs one smartd invocation and returns its output streams.
func runCLI(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	c, out, errOut := newCLI(env)
	err := c.run(context.Background(), args)
	return out.String(), errOut.String(), err
}

func TestAppsCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SMARTD_DATA": dir}
	out, _, err := runCLI(t, env, "apps", "add", "-name", "Growth chart", "-type", "confidential-symmetric",
		"-redirect-uri", "https://app.example.org/cb", "-redirect-uri", "https://app.example.org/cb2",
		"-scope", "launch patient/*.rs", "-launch-url", "https://app.example.org/launch", "-contact", "dev@example.org")
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`client_id:\s+(\S+)`).FindStringSubmatch(out)
	if id == nil || !strings.Contains(out, "client_secret:") || !strings.Contains(out, "registration_access_token:") {
		t.Fatalf("add printed:\n%s", out)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	pemFile := filepath.Join(t.TempDir(), "svc.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _, err = runCLI(t, env, "apps", "add", "-client-id", "svc", "-name", "Service", "-type", "confidential-asymmetric",
		"-pem", pemFile, "-kid", "svc-1", "-scope", "system/*.rs"); err != nil {
		t.Fatalf("add -pem: %v\n%s", err, out)
	}

	out, _, err = runCLI(t, env, "apps", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(regexp.QuoteMeta(id[1]) + `\s+Growth chart\s+confidential-symmetric\s+authorization_code\s+2\n`),
		regexp.MustCompile(`svc\s+Service\s+confidential-asymmetric\s+client_credentials\s+0\n`),
	} {
		if !want.MatchString(out) {
			t.Errorf("list lacks %s:\n%s", want, out)
		}
	}

	out, _, err = runCLI(t, env, "apps", "show", id[1])
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]any
	if err := json.Unmarshal([]byte(out), &md); err != nil {
		t.Fatal(err)
	}
	if out, _, _ := runCLI(t, env, "apps", "show", "svc"); !strings.Contains(out, `"kid": "svc-1"`) {
		t.Errorf("show svc lacks the -pem key:\n%s", out)
	}
	if md["client_name"] != "Growth chart" || md["client_secret"] != nil || strings.Contains(out, "hash") {
		t.Errorf("show printed:\n%s", out)
	}

	export := filepath.Join(t.TempDir(), "apps.json")
	if _, _, err := runCLI(t, env, "apps", "export", "-o", export); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(export); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", fi, err)
	}
	if _, _, err := runCLI(t, env, "apps", "remove", "svc"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, env, "apps", "show", "svc"); err == nil {
		t.Error("show after remove succeeded")
	}
	if _, _, err := runCLI(t, env, "apps", "import", export); err == nil {
		t.Error("import over existing apps succeeded without -replace")
	}
	out, _, err = runCLI(t, env, "apps", "import", "-replace", export)
	if err != nil || !strings.Contains(out, "imported 2 apps: 1 new, 1 replaced") {
		t.Fatalf("import -replace: %v\n%s", err, out)
	}
	other := map[string]string{"SMARTD_DATA": t.TempDir()}
	if out, _, err := runCLI(t, other, "apps", "import", export); err != nil || !strings.Contains(out, "2 new") {
		t.Fatalf("import into another directory: %v\n%s", err, out)
	}
	if out, _, _ := runCLI(t, other, "apps", "list"); !strings.Contains(out, "svc") || !strings.Contains(out, id[1]) {
		t.Errorf("list after import:\n%s", out)
	}
}

func TestAppsAddValidation(t *testing.T) {
	env := map[string]string{"SMARTD_DATA": t.TempDir()}
	_, errOut, err := runCLI(t, env, "apps", "add", "-name", "Bad", "-type", "public", "-redirect-uri", "not a url", "-logo-uri", "nope")
	if err == nil {
		t.Fatal("an invalid app was registered")
	}
	for _, want := range []string{"  redirect_uris: ", "  logo_uri: "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if _, _, err := runCLI(t, env, "apps", "add", "-name", "X", "-type", "weird"); err == nil || !strings.Contains(err.Error(), "-type") {
		t.Errorf("unknown type: %v", err)
	}
	if out, _, _ := runCLI(t, env, "apps", "list"); strings.Count(out, "\n") != 1 {
		t.Errorf("something was registered:\n%s", out)
	}
}

func TestKeysCommands(t *testing.T) {
	env := map[string]string{"SMARTD_DATA": t.TempDir(), "SMARTD_KEY_PASSPHRASE": "correct horse battery staple"}
	if _, _, err := runCLI(t, env, "keys", "list"); err == nil {
		t.Error("keys list on an empty directory succeeded")
	}
	out, _, err := runCLI(t, env, "keys", "rotate")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err = runCLI(t, env, "keys", "rotate"); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, env, "keys", "list")
	if err != nil {
		t.Fatal(err)
	}
	// Open makes one key per algorithm, each rotate one more: three each,
	// one current.
	if n := strings.Count(out, "ES256"); n != 3 {
		t.Errorf("%d ES256 keys, want 3:\n%s", n, out)
	}
	if n := strings.Count(out, "yes\n"); n != 2 {
		t.Errorf("%d current keys, want 2:\n%s", n, out)
	}
	env["SMARTD_KEY_PASSPHRASE"] = ""
	if _, _, err := runCLI(t, env, "keys", "list", "-key-passphrase", "wrong"); err == nil {
		t.Error("keys list with a wrong passphrase succeeded")
	}
}

func TestAppsAndKeysRefuseLockedDataDirectory(t *testing.T) {
	dir := t.TempDir()
	startServe(t, nil, "-data", dir, "-no-samples")
	for _, args := range [][]string{
		{"apps", "list", "-data", dir},
		{"apps", "add", "-data", dir, "-name", "X", "-type", "public", "-redirect-uri", "http://localhost/cb"},
		{"apps", "export", "-data", dir},
		{"keys", "rotate", "-data", dir},
		{"keys", "list", "-data", dir},
	} {
		start := time.Now()
		_, _, err := runCLI(t, nil, args...)
		if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "is a smartd server running") {
			t.Errorf("%v: %v, want ErrLocked with the reason", args, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v took %v to refuse", args, d)
		}
	}
}
