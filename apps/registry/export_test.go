package registry

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// exported fills a store with one app of each kind and exports it.
func exported(t *testing.T) (*Store, []byte, Credentials) {
	t.Helper()
	s, _, _ := newStore(t, Options{})
	var symCred Credentials
	for _, a := range []*App{publicApp(), symmetricApp(), asymmetricApp(t), backendApp()} {
		_, cred, err := s.Create(a)
		if err != nil {
			t.Fatal(err)
		}
		if cred.ClientSecret != "" {
			symCred = cred
		}
	}
	var buf bytes.Buffer
	if err := s.Export(&buf); err != nil {
		t.Fatal(err)
	}
	return s, buf.Bytes(), symCred
}

func TestExportImportRoundTrip(t *testing.T) {
	src, file, cred := exported(t)
	if bytes.Contains(file, []byte(cred.ClientSecret)) || bytes.Contains(file, []byte(cred.RegistrationAccessToken)) {
		t.Fatalf("the export holds a plaintext secret")
	}
	if !bytes.Contains(file, []byte(`"secret_hash"`)) || !bytes.Contains(file, []byte(`"format": "smartd.apps/v1"`)) {
		t.Fatalf("the export lacks secret hashes or its format:\n%s", file)
	}

	dst, _, _ := newStore(t, Options{})
	res, err := dst.Import(bytes.NewReader(file), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := ImportResult{Created: []string{"bulk-export", "cardiac-risk", "growth-chart", "inferno-asym"}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	srcApps, _ := src.List()
	dstApps, err := dst.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(srcApps, dstApps); diff != "" {
		t.Errorf("imported apps differ (-source +imported):\n%s", diff)
	}
	// The secret issued on the first instance works on the second.
	sym, err := dst.Get("cardiac-risk")
	if err != nil || !sym.CheckSecret(cred.ClientSecret) || !sym.CheckRegistrationToken(cred.RegistrationAccessToken) {
		t.Errorf("credentials do not survive the move: %v", err)
	}

	// Importing again is refused, naming every duplicate, and writes nothing.
	_, err = dst.Import(bytes.NewReader(file), ImportOptions{})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "bulk-export, cardiac-risk, growth-chart, inferno-asym") {
		t.Errorf("duplicate import: %v, want ErrExists naming the four apps", err)
	}
	// Unless asked to replace.
	res, err = dst.Import(bytes.NewReader(file), ImportOptions{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ImportResult{Replaced: want.Created}, res); diff != "" {
		t.Errorf("replace result (-want +got):\n%s", diff)
	}
}

func TestImportPartialDuplicateWritesNothing(t *testing.T) {
	_, file, _ := exported(t)
	dst, _, _ := newStore(t, Options{})
	if _, _, err := dst.Create(backendApp()); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Import(bytes.NewReader(file), ImportOptions{}); !errors.Is(err, ErrExists) {
		t.Fatalf("import over one existing app: %v, want ErrExists", err)
	}
	if apps, _ := dst.List(); len(apps) != 1 {
		t.Errorf("a refused import wrote %d apps", len(apps)-1)
	}
}

func TestImportRefuses(t *testing.T) {
	_, file, _ := exported(t)
	tests := []struct {
		name string
		file string
		want string
	}{
		{"not json", "apps", "registry: import: invalid character"},
		{"other format", strings.Replace(string(file), "smartd.apps/v1", "smartd.apps/v9", 1),
			`registry: import: format "smartd.apps/v9"; this smartd reads "smartd.apps/v1"`},
		{"unknown member", strings.Replace(string(file), `"client_id"`, `"colour": "red", "client_id"`, 1),
			`registry: import: json: unknown field "colour"`},
		{"app without client_id", `{"format":"smartd.apps/v1","apps":[{"client_name":"x"}]}`,
			"registry: import: app #1 has no client_id"},
		{"app twice", `{"format":"smartd.apps/v1","apps":[
			{"client_id":"a","scope":"system/*.rs","grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://a.example.org/jwks"},
			{"client_id":"a","scope":"system/*.rs","grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://a.example.org/jwks"}]}`,
			`registry: import: app "a" appears twice`},
		{"invalid app", `{"format":"smartd.apps/v1","apps":[{"client_id":"a","scope":"openid","grant_types":["authorization_code"],"token_endpoint_auth_method":"none"}]}`,
			`registry: import: app "a": invalid registration: redirect_uris: authorization_code needs at least one redirect URI`},
		{"symmetric without secret", `{"format":"smartd.apps/v1","apps":[{"client_id":"a","scope":"openid","grant_types":["authorization_code"],
			"redirect_uris":["https://a.example.org/cb"],"token_endpoint_auth_method":"client_secret_basic"}]}`,
			`registry: import: app "a" is confidential-symmetric but has no secret_hash`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst, _, _ := newStore(t, Options{})
			_, err := dst.Import(strings.NewReader(tc.file), ImportOptions{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if apps, _ := dst.List(); len(apps) != 0 {
				t.Errorf("a refused import wrote %d apps", len(apps))
			}
		})
	}
}

func TestExportEmpty(t *testing.T) {
	s, _, _ := newStore(t, Options{})
	var buf bytes.Buffer
	if err := s.Export(&buf); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"format\": \"smartd.apps/v1\",\n  \"exported\": \"2026-11-23T09:30:00Z\",\n  \"apps\": []\n}\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
