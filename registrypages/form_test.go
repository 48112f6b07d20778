package registrypages

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"smartd/apps/registry"
	"smartd/ui"
)

// An EC P-256 public key (PKIX), for the PEM cases.
const testPEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKTWMAPhcjYAsHreNOQWCYPb7Pp4g
+NKcGu+Ln8bAeNwMH/WKod3lzEOUGcatbNIsY+ozRYTwXP6RdXL46nb2Dw==
-----END PUBLIC KEY-----`

// applyTests are form submissions with the problems they must show, by
// field ("" for none); they seed FuzzApply.
var applyTests = []struct {
	name string
	form ui.AppForm
	want map[string]string // field -> substring of its first problem
}{
	{"public app", ui.AppForm{Name: "Growth", ClientType: "public", GrantTypes: []string{"authorization_code", "refresh_token"},
		RedirectURIs: "https://g.example/cb\r\n  \nhttp://localhost:8000/cb"}, nil},
	{"symmetric app", ui.AppForm{Name: "Billing", ClientType: "confidential-symmetric", GrantTypes: []string{"authorization_code"},
		RedirectURIs: "https://b.example/cb", Scope: "launch\nopenid  patient/*.rs"}, nil},
	{"backend by JWKS URL", ui.AppForm{ClientType: "confidential-asymmetric", GrantTypes: []string{"client_credentials"},
		JWKSURI: "https://keys.example/jwks.json"}, nil},
	{"backend by PEM", ui.AppForm{ClientType: "confidential-asymmetric", GrantTypes: []string{"client_credentials"}, PEM: testPEM}, nil},
	{"no type", ui.AppForm{GrantTypes: []string{"authorization_code"}, RedirectURIs: "https://a.example/cb"},
		map[string]string{ui.AppFieldClientType: "Choose a client type"}},
	{"http redirect", ui.AppForm{ClientType: "public", GrantTypes: []string{"authorization_code"}, RedirectURIs: "http://a.example/cb"},
		map[string]string{ui.AppFieldRedirectURIs: "http://a.example/cb"}},
	{"fragment in launch URL", ui.AppForm{ClientType: "public", GrantTypes: []string{"authorization_code"}, RedirectURIs: "https://a.example/cb",
		LaunchURL: "https://a.example/launch#x"}, map[string]string{ui.AppFieldLaunchURL: "launch#x"}},
	{"keys on a public app", ui.AppForm{ClientType: "public", GrantTypes: []string{"authorization_code"}, RedirectURIs: "https://a.example/cb",
		JWKSURI: "https://keys.example/jwks.json"}, map[string]string{ui.AppFieldJWKSURI: "only confidential-asymmetric"}},
	{"PEM and JWKS", ui.AppForm{ClientType: "confidential-asymmetric", GrantTypes: []string{"client_credentials"}, PEM: testPEM, JWKS: `{"keys":[]}`},
		map[string]string{ui.AppFieldPEM: "not both"}},
	{"bad PEM", ui.AppForm{ClientType: "confidential-asymmetric", GrantTypes: []string{"client_credentials"}, PEM: "nonsense"},
		map[string]string{ui.AppFieldPEM: "PEM"}},
	{"JWKS not JSON", ui.AppForm{ClientType: "confidential-asymmetric", GrantTypes: []string{"client_credentials"}, JWKS: "{keys"},
		map[string]string{ui.AppFieldJWKS: "not valid JSON"}},
	{"empty JWKS", ui.AppForm{ClientType: "confidential-asymmetric", GrantTypes: []string{"client_credentials"}, JWKS: `{"keys":[]}`},
		map[string]string{ui.AppFieldJWKS: "key"}},
	{"scope with a quote", ui.AppForm{ClientType: "public", GrantTypes: []string{"authorization_code"}, RedirectURIs: "https://a.example/cb", Scope: `launch "x"`},
		map[string]string{ui.AppFieldScope: "RFC 6749"}},
	{"no grant", ui.AppForm{ClientType: "public"}, map[string]string{ui.AppFieldGrantTypes: "at least one grant type"}},
}

// problems is apply followed by the registry's validation, as the pages
// do it.
func problems(a *registry.App, f ui.AppForm) ui.FieldErrors {
	errs := apply(a, f)
	addValidation(errs, a.Validate(registry.ValidateOptions{}), f)
	return errs
}

func TestApply(t *testing.T) {
	for _, tc := range applyTests {
		t.Run(tc.name, func(t *testing.T) {
			errs := problems(&registry.App{}, tc.form)
			got := map[string]string{}
			for field, msgs := range errs {
				got[field] = msgs[0]
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %q", got, tc.want)
			}
			for field, want := range tc.want {
				if !strings.Contains(got[field], want) {
					t.Errorf("%s: %q, want it to contain %q", field, got[field], want)
				}
			}
		})
	}
}

func TestApplyDefaults(t *testing.T) {
	a := &registry.App{}
	apply(a, applyTests[0].form)
	want := &registry.App{Name: "Growth", AuthMethod: registry.AuthNone, Scope: defaultUserScopes,
		GrantTypes:   []string{"authorization_code", "refresh_token"},
		RedirectURIs: []string{"https://g.example/cb", "http://localhost:8000/cb"}}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("public app (-want +got):\n%s", diff)
	}
	b := &registry.App{}
	apply(b, applyTests[2].form)
	if b.Scope != defaultBackendScopes || b.AuthMethod != registry.AuthPrivateKeyJWT {
		t.Errorf("backend: scope %q, auth %q", b.Scope, b.AuthMethod)
	}
	c := &registry.App{}
	apply(c, applyTests[1].form)
	if c.Scope != "launch openid patient/*.rs" {
		t.Errorf("scopes on lines and repeated spaces: %q", c.Scope)
	}
}

// TestApplyKeepsWhatTheFormDoesNotManage: editing keeps the owner, the
// contacts, the auth method of the same type and the secret of a
// symmetric app, and drops the secret when the type changes.
func TestApplyKeepsWhatTheFormDoesNotManage(t *testing.T) {
	stored := &registry.App{ClientID: "c1", Owner: "dev", Contacts: []string{"a@example.org"}, AuthMethod: registry.AuthClientSecretPost,
		SecretHash: make([]byte, 32), RegistrationTokenHash: make([]byte, 32)}
	a := stored.Clone()
	apply(a, applyTests[1].form)
	if a.Owner != "dev" || a.ClientID != "c1" || len(a.Contacts) != 1 || a.AuthMethod != registry.AuthClientSecretPost || len(a.SecretHash) != 32 {
		t.Errorf("edit of the same type lost fields: %+v", a)
	}
	b := stored.Clone()
	apply(b, applyTests[0].form)
	if b.AuthMethod != registry.AuthNone || b.SecretHash != nil || len(b.RegistrationTokenHash) != 32 {
		t.Errorf("public now: auth %q, secret %v", b.AuthMethod, b.SecretHash)
	}
}

// TestFormRoundTrip: a valid app shown in the edit form and posted back
// unchanged is the same app.
func TestFormRoundTrip(t *testing.T) {
	for _, tc := range applyTests {
		if tc.want != nil {
			continue
		}
		a := &registry.App{}
		apply(a, tc.form)
		b := a.Clone()
		if errs := apply(b, formOf(a)); len(errs) > 0 {
			t.Fatalf("%s: %v", tc.name, errs)
		}
		if diff := cmp.Diff(compact(a), compact(b), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: round trip (-first +second):\n%s", tc.name, diff)
		}
	}
}

// compact returns a with its JWKS without insignificant white space, as
// the edit form indents it.
func compact(a *registry.App) *registry.App {
	c := a.Clone()
	var b bytes.Buffer
	if json.Compact(&b, c.JWKS) == nil {
		c.JWKS = b.Bytes()
	}
	return c
}

// FuzzApply: whatever is posted, apply and validation do not panic, a
// form the registry accepts round-trips through the edit form, and no
// problem is filed under an unknown field.
func FuzzApply(f *testing.F) {
	for _, tc := range applyTests {
		fm := tc.form
		f.Add(fm.Name, fm.ClientType, strings.Join(fm.GrantTypes, ","), fm.RedirectURIs, fm.LaunchURL, fm.JWKSURI, fm.JWKS, fm.PEM, fm.Scope)
	}
	known := []string{"", ui.AppFieldName, ui.AppFieldLaunchURL, ui.AppFieldRedirectURIs, ui.AppFieldClientType, ui.AppFieldGrantTypes,
		ui.AppFieldJWKSURI, ui.AppFieldJWKS, ui.AppFieldPEM, ui.AppFieldScope, ui.AppFieldLogoURI}
	f.Fuzz(func(t *testing.T, name, typ, grants, redirects, launch, jwksURI, jwks, pem, scope string) {
		fm := ui.AppForm{Name: name, ClientType: typ, GrantTypes: strings.Split(grants, ","), RedirectURIs: redirects,
			LaunchURL: launch, JWKSURI: jwksURI, JWKS: jwks, PEM: pem, Scope: scope}
		a := &registry.App{}
		errs := problems(a, fm)
		for field := range errs {
			if !slices.Contains(known, field) {
				t.Fatalf("problem filed under %q", field)
			}
		}
		if len(errs) > 0 {
			return
		}
		b := a.Clone()
		if again := problems(b, formOf(a)); len(again) > 0 {
			t.Fatalf("valid app %+v fails after the edit form: %v", a, again)
		}
		if diff := cmp.Diff(compact(a), compact(b), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}
