package authz

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"

	"smartd/apps/registry"
	"smartd/authz/oauth"
	"smartd/authz/scope"
)

const (
	authzFHIRBase = "https://ehr.example/fhir"
	authzClientID = "public-app"
	authzRedirect = "https://app.example/callback"
	authzLoopback = "http://127.0.0.1:8080/cb"
	authzState    = "7a3f9c1e-2b4d-4e8f-9a6b-0c1d2e3f4a5b"
)

// authzChallenge is the S256 challenge of a valid verifier.
var authzChallenge = func() string {
	sum := sha256.Sum256([]byte(strings.Repeat("v", 64)))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}()

// authorizeApps is a registry.Store over a bbolt file in a temp dir,
// holding one public SMART app.
func authorizeApps(t testing.TB, dir string) *registry.Store {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, "apps.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Create(&registry.App{
		ClientID:     authzClientID,
		Name:         "Public test app",
		RedirectURIs: []string{authzRedirect, authzLoopback},
		Scope:        "launch launch/patient openid fhirUser offline_access patient/*.rs",
		GrantTypes:   []string{registry.GrantAuthorizationCode, registry.GrantRefreshToken},
		AuthMethod:   registry.AuthNone,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withoutCodeGrant serves the store's apps with authorization_code
// removed: an app the registry can no longer hold (validation ties
// redirect URIs to that grant) but an older registration could.
type withoutCodeGrant struct{ *registry.Store }

func (w withoutCodeGrant) Get(id string) (*registry.App, error) {
	a, err := w.Store.Get(id)
	if err == nil {
		a.GrantTypes = []string{registry.GrantClientCredentials}
	}
	return a, err
}

// standaloneParams is a valid standalone launch request.
func standaloneParams() url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {authzClientID},
		"redirect_uri":          {authzRedirect},
		"scope":                 {"launch/patient openid fhirUser offline_access patient/*.rs"},
		"state":                 {authzState},
		"aud":                   {authzFHIRBase},
		"code_challenge":        {authzChallenge},
		"code_challenge_method": {"S256"},
	}
}

func TestParseAuthorizeValid(t *testing.T) {
	apps := authorizeApps(t, t.TempDir())
	app, err := apps.Get(authzClientID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		want   AuthorizeRequest
	}{
		{"standalone", func(url.Values) {}, AuthorizeRequest{
			Scope: "launch/patient openid fhirUser offline_access patient/*.rs",
		}},
		{"ehr launch", func(p url.Values) {
			p.Set("scope", "launch openid fhirUser patient/*.rs")
			p.Set("launch", "xyz")
		}, AuthorizeRequest{Scope: "launch openid fhirUser patient/*.rs", Launch: "xyz"}},
		{"aud with one trailing slash", func(p url.Values) { p.Set("aud", authzFHIRBase+"/") },
			AuthorizeRequest{Aud: authzFHIRBase + "/"}},
		{"resource without aud", func(p url.Values) { p.Del("aud"); p.Set("resource", authzFHIRBase) },
			AuthorizeRequest{}},
		{"aud wins over resource", func(p url.Values) { p.Set("resource", "https://evil.example/fhir") },
			AuthorizeRequest{}},
		{"loopback on another port", func(p url.Values) { p.Set("redirect_uri", "http://127.0.0.1:53817/cb") },
			AuthorizeRequest{RedirectURI: "http://127.0.0.1:53817/cb"}},
		{"openid parameters", func(p url.Values) { p.Set("nonce", "n-0S6_WzA2Mj"); p.Set("prompt", "login") },
			AuthorizeRequest{Nonce: "n-0S6_WzA2Mj", Prompt: "login"}},
		{"state of 2 KiB", func(p url.Values) { p.Set("state", strings.Repeat("s", 2048)) },
			AuthorizeRequest{State: strings.Repeat("s", 2048)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := standaloneParams()
			tc.change(p)
			got, err := ParseAuthorize(p, apps, authzFHIRBase)
			if err != nil {
				t.Fatalf("ParseAuthorize: %v", err)
			}
			want := tc.want
			want.ClientID = authzClientID
			want.App = app
			if want.RedirectURI == "" {
				want.RedirectURI = authzRedirect
			}
			if want.State == "" {
				want.State = authzState
			}
			if want.Scope == "" {
				want.Scope = p.Get("scope")
			}
			if want.Aud == "" {
				want.Aud = authzFHIRBase
			}
			want.CodeChallenge = authzChallenge
			if want.Scopes, err = scope.Parse(want.Scope); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

// authorizeRefusals are the invalid requests: a change to a valid
// standalone request, whether the error may be redirected, its code, and
// the state to send back with it. FuzzParseAuthorize starts from them.
var authorizeRefusals = []struct {
	name       string
	change     func(url.Values)
	redirect   bool
	code       oauth.Code
	state      string // sent back with a redirectable error
	wantSubstr string // in the description
}{
	// Not redirectable: an error page.
	{"unknown client", func(p url.Values) { p.Set("client_id", "nobody") }, false, oauth.InvalidClient, "", `"nobody" is not registered`},
	{"missing client_id", func(p url.Values) { p.Del("client_id") }, false, oauth.InvalidRequest, "", "client_id is required"},
	{"repeated client_id", func(p url.Values) { p.Add("client_id", authzClientID) }, false, oauth.InvalidRequest, "", "client_id is repeated"},
	{"unregistered redirect_uri", func(p url.Values) { p.Set("redirect_uri", "https://evil.example/callback") }, false, oauth.InvalidRequest, "", "not one registered"},
	{"redirect_uri with extra query parameter", func(p url.Values) { p.Set("redirect_uri", authzRedirect+"?x=1") }, false, oauth.InvalidRequest, "", "not one registered"},
	{"redirect_uri with trailing slash", func(p url.Values) { p.Set("redirect_uri", authzRedirect+"/") }, false, oauth.InvalidRequest, "", "not one registered"},
	{"redirect_uri with fragment", func(p url.Values) { p.Set("redirect_uri", authzRedirect+"#f") }, false, oauth.InvalidRequest, "", "not one registered"},
	{"missing redirect_uri", func(p url.Values) { p.Del("redirect_uri") }, false, oauth.InvalidRequest, "", "redirect_uri is required"},
	{"repeated redirect_uri", func(p url.Values) { p.Add("redirect_uri", authzRedirect) }, false, oauth.InvalidRequest, "", "redirect_uri is repeated"},

	// Redirectable, with state.
	{"missing response_type", func(p url.Values) { p.Del("response_type") }, true, oauth.UnsupportedResponseType, authzState, "response_type is required"},
	{"token response_type", func(p url.Values) { p.Set("response_type", "token") }, true, oauth.UnsupportedResponseType, authzState, `"token" is not supported`},
	{"code id_token response_type", func(p url.Values) { p.Set("response_type", "code id_token") }, true, oauth.UnsupportedResponseType, authzState, "not supported"},
	{"missing scope", func(p url.Values) { p.Del("scope") }, true, oauth.InvalidScope, authzState, "scope is required"},
	{"blank scope", func(p url.Values) { p.Set("scope", "  ") }, true, oauth.InvalidScope, authzState, "scope is required"},
	{"malformed scope", func(p url.Values) { p.Set("scope", "openid patient/*.rs\tlaunch") }, true, oauth.InvalidScope, authzState, "malformed"},
	{"oversize scope", func(p url.Values) { p.Set("scope", strings.Repeat("patient/*.rs ", 700)) }, true, oauth.InvalidScope, authzState, "at most 8192"},
	{"missing aud", func(p url.Values) { p.Del("aud") }, true, oauth.InvalidRequest, authzState, "aud is required"},
	{"wrong aud", func(p url.Values) { p.Set("aud", "https://evil.example/fhir") }, true, oauth.InvalidRequest, authzState, `aud "https://evil.example/fhir"`},
	{"aud with two trailing slashes", func(p url.Values) { p.Set("aud", authzFHIRBase+"//") }, true, oauth.InvalidRequest, authzState, "is not this server's FHIR base"},
	{"aud of another case", func(p url.Values) { p.Set("aud", strings.ToUpper(authzFHIRBase)) }, true, oauth.InvalidRequest, authzState, "is not this server's FHIR base"},
	{"wrong resource without aud", func(p url.Values) { p.Del("aud"); p.Set("resource", "https://evil.example/fhir") }, true, oauth.InvalidRequest, authzState, "evil.example"},
	{"empty aud beside a good resource", func(p url.Values) { p.Set("aud", ""); p.Set("resource", authzFHIRBase) }, true, oauth.InvalidRequest, authzState, "aud is required"},
	{"missing code_challenge", func(p url.Values) { p.Del("code_challenge") }, true, oauth.InvalidRequest, authzState, "code_challenge is missing"},
	{"plain method", func(p url.Values) { p.Set("code_challenge_method", "plain") }, true, oauth.InvalidRequest, authzState, "plain is not allowed"},
	{"missing method", func(p url.Values) { p.Del("code_challenge_method") }, true, oauth.InvalidRequest, authzState, "code_challenge_method is missing"},
	{"lowercase method", func(p url.Values) { p.Set("code_challenge_method", "s256") }, true, oauth.InvalidRequest, authzState, "not supported"},
	{"challenge of the wrong length", func(p url.Values) { p.Set("code_challenge", authzChallenge[:42]) }, true, oauth.InvalidRequest, authzState, "42 characters"},
	{"challenge not base64url", func(p url.Values) { p.Set("code_challenge", "+"+authzChallenge[1:]) }, true, oauth.InvalidRequest, authzState, "base64url"},
	{"missing state", func(p url.Values) { p.Del("state") }, true, oauth.InvalidRequest, "", "state is required"},
	{"oversize state", func(p url.Values) { p.Set("state", strings.Repeat("s", 2049)) }, true, oauth.InvalidRequest, "", "state has 2049 bytes"},
	{"duplicate state", func(p url.Values) { p.Add("state", "other") }, true, oauth.InvalidRequest, "", `"state" is repeated`},
	{"duplicate scope", func(p url.Values) { p.Add("scope", "openid") }, true, oauth.InvalidRequest, authzState, `"scope" is repeated`},
	{"request object", func(p url.Values) { p.Set("request", "eyJhbGciOiJub25lIn0.e30.") }, true, requestNotSupported, authzState, "request (a request object)"},
	{"request_uri", func(p url.Values) { p.Set("request_uri", "https://app.example/req.jwt") }, true, requestNotSupported, authzState, "request_uri"},
}

func TestParseAuthorizeRefusals(t *testing.T) {
	apps := authorizeApps(t, t.TempDir())
	for _, tc := range authorizeRefusals {
		t.Run(tc.name, func(t *testing.T) {
			p := standaloneParams()
			tc.change(p)
			req, err := ParseAuthorize(p, apps, authzFHIRBase)
			checkRefusal(t, req, err, tc.redirect, tc.code, tc.state, tc.wantSubstr)
		})
	}
}

// TestParseAuthorizeNoCodeGrant: a client whose registration lacks
// authorization_code gets unauthorized_client at its redirect URI.
func TestParseAuthorizeNoCodeGrant(t *testing.T) {
	apps := withoutCodeGrant{authorizeApps(t, t.TempDir())}
	req, err := ParseAuthorize(standaloneParams(), apps, authzFHIRBase)
	checkRefusal(t, req, err, true, oauth.UnauthorizedClient, authzState, "authorization_code")
}

// failingApps is a client lookup that fails.
type failingApps struct{}

func (failingApps) Get(string) (*registry.App, error) { return nil, errors.New("disk on fire") }

// nilApps finds nothing but reports no error.
type nilApps struct{}

func (nilApps) Get(string) (*registry.App, error) { return nil, nil }

// TestParseAuthorizeLookupFailure: a failing registry is a server error,
// never redirected (the client is unknown), and its cause is not shown.
func TestParseAuthorizeLookupFailure(t *testing.T) {
	req, err := ParseAuthorize(standaloneParams(), failingApps{}, authzFHIRBase)
	checkRefusal(t, req, err, false, oauth.ServerError, "", "internal error")
	req, err = ParseAuthorize(standaloneParams(), nilApps{}, authzFHIRBase)
	checkRefusal(t, req, err, false, oauth.InvalidClient, "", "is not registered")
}

func checkRefusal(t *testing.T, req *AuthorizeRequest, err error, redirect bool, code oauth.Code, state, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted: %+v", req)
	}
	var e *oauth.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *oauth.Error", err, err)
	}
	if e.Code != code {
		t.Errorf("code %q, want %q (%v)", e.Code, code, err)
	}
	if e.Status < 400 {
		t.Errorf("status %d", e.Status)
	}
	if !strings.Contains(e.Description, substr) {
		t.Errorf("description %q does not contain %q", e.Description, substr)
	}
	if got := Redirectable(err); got != redirect {
		t.Fatalf("Redirectable = %v, want %v (%v)", got, redirect, err)
	}
	if !redirect {
		if req != nil {
			t.Errorf("a page error came with a request: %+v", req)
		}
		return
	}
	if req == nil {
		t.Fatal("a redirectable error came without the request to redirect to")
	}
	got := [3]string{req.ClientID, req.RedirectURI, req.State}
	if want := [3]string{authzClientID, authzRedirect, state}; got != want {
		t.Errorf("redirect to (client, uri, state) %q, want %q", got, want)
	}
}

func TestRedirectable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("plain"), false},
		{oauth.New(oauth.InvalidScope, "x"), true},
		{pageErr("x"), false},
		{&pageError{oauth.Internal(errors.New("x"))}, false},
	} {
		if got := Redirectable(tc.err); got != tc.want {
			t.Errorf("Redirectable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// FuzzParseAuthorize: any query string decodes without panicking to a
// valid request or an *oauth.Error, and a request or redirectable error
// names a redirect URI registered for its client.
func FuzzParseAuthorize(f *testing.F) {
	apps := authorizeApps(f, f.TempDir())
	f.Add(standaloneParams().Encode())
	for _, tc := range authorizeRefusals {
		p := standaloneParams()
		tc.change(p)
		f.Add(p.Encode())
	}
	f.Fuzz(func(t *testing.T, query string) {
		params, _ := url.ParseQuery(query)
		req, err := ParseAuthorize(params, apps, authzFHIRBase)
		if err != nil {
			var e *oauth.Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: error %v (%T) is not an *oauth.Error", query, err, err)
			}
			if !Redirectable(err) {
				if req != nil {
					t.Fatalf("%q: page error %v came with a request", query, err)
				}
				return
			}
		}
		if req == nil {
			t.Fatalf("%q: no request (err %v)", query, err)
		}
		uris := params["redirect_uri"]
		if len(uris) != 1 || req.RedirectURI != uris[0] || req.ClientID != params.Get("client_id") {
			t.Fatalf("%q: redirect to %q for %q", query, req.RedirectURI, req.ClientID)
		}
		app, gerr := apps.Get(req.ClientID)
		if gerr != nil || !app.RedirectURIAllowed(req.RedirectURI) {
			t.Fatalf("%q: redirect_uri %q is not registered for %q (%v)", query, req.RedirectURI, req.ClientID, gerr)
		}
		if len(req.State) > maxStateBytes {
			t.Fatalf("%q: state of %d bytes sent back", query, len(req.State))
		}
		if err == nil && (len(req.Scopes) == 0 || !audMatches(req.Aud, authzFHIRBase) || len(req.CodeChallenge) != 43) {
			t.Fatalf("%q: accepted %+v", query, req)
		}
	})
}
