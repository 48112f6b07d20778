package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got, err := LoadConfig(write("ok.json", `{"fhir_base":"https://ehr.example/fhir","client_id":"c","key_file":"keys/k.pem",
		"public_client_id":"app","redirect_uri":"https://app.example/cb","username":"u","password":"p","launch_scope":"openid",
		"backend_scope":"system/Observation.rs","in_scope_type":"Observation","out_of_scope_type":"Patient","key_id":"k1","alg":"ES384"}`))
	want := Config{FHIRBase: "https://ehr.example/fhir", ClientID: "c", KeyFile: filepath.Join(dir, "keys/k.pem"),
		PublicClientID: "app", RedirectURI: "https://app.example/cb", Username: "u", Password: "p", LaunchScope: "openid",
		BackendScope: "system/Observation.rs", InScopeType: "Observation", OutOfScopeType: "Patient", KeyID: "k1", Alg: "ES384"}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Config{}, "HTTPClient", "Now")); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if _, err := LoadConfig(write("typo.json", `{"fhir_base":"x","clientid":"c"}`)); err == nil || !strings.Contains(err.Error(), "clientid") {
		t.Errorf("an unknown field: %v", err)
	}
	if _, err := LoadConfig(filepath.Join(dir, "absent.json")); err == nil {
		t.Errorf("a missing file loaded")
	}
}

func TestNewConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "required"},
		{Config{FHIRBase: "/fhir"}, "not an absolute"},
		{Config{FHIRBase: "ftp://x/fhir"}, "not an absolute"},
		{Config{FHIRBase: "http://x/fhir", RedirectURI: "/cb"}, "redirect URI"},
		{Config{FHIRBase: "http://x/fhir", Key: []byte("junk")}, "not PEM"},
		{Config{FHIRBase: "http://x/fhir", KeyFile: "/nonexistent/key.pem"}, "reading the key"},
	} {
		if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want an error with %q", tt.cfg, err, tt.want)
		}
	}
	s, err := New(Config{FHIRBase: "http://x/fhir/"})
	if err != nil || s.cfg.FHIRBase != "http://x/fhir" || s.cfg.BackendScope != "system/Patient.rs" || s.cfg.LaunchScope != DefaultLaunchScope {
		t.Errorf("defaults: %v %+v", err, s.cfg)
	}
}

func TestMissingSettings(t *testing.T) {
	if got := (Config{}).backendMissing(); !strings.Contains(got, "--client-id and --key") {
		t.Errorf("backendMissing: %q", got)
	}
	if got := (Config{ClientID: "c"}).backendMissing(); !strings.Contains(got, "--key") {
		t.Errorf("backendMissing without a key: %q", got)
	}
	if got := (Config{PublicClientID: "a", Password: "p"}).launchMissing(); !strings.Contains(got, "--redirect-uri, --username)") {
		t.Errorf("launchMissing: %q", got)
	}
}
