package registry

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	k := keys()
	rs := jwk(t, &k.rsa2048.PublicKey, "rs1")
	dev := ValidateOptions{AllowPrivateJWKSURI: true}
	redirect := func(uris ...string) func(*App) {
		return func(a *App) { a.RedirectURIs = uris }
	}
	keysOf := func(ks ...map[string]any) func(*App) {
		return func(a *App) { a.JWKS = set(t, ks...) }
	}
	jwksURI := func(u string) func(*App) {
		return func(a *App) { a.JWKSURI = u }
	}
	fe := func(field, msg string) FieldError { return FieldError{field, msg} }
	const notLoopback = "uses http on a host that is not loopback; use https, or http on localhost, 127.0.0.1 or [::1] (RFC 8252 §7.3)"

	tests := []struct {
		name string
		base func() *App
		edit func(*App)
		opts ValidateOptions
		want []FieldError
	}{
		{name: "public", base: publicApp},
		{name: "symmetric", base: symmetricApp},
		{name: "symmetric with its secret", base: symmetricApp, edit: func(a *App) { a.SecretHash = hashSecret("s3cret") }},
		{name: "asymmetric inline jwks", base: func() *App { return asymmetricApp(t) }},
		{name: "backend needs no redirect", base: backendApp},
		{name: "no client_id yet", base: publicApp, edit: func(a *App) { a.ClientID = "" }},
		{name: "https with port and query", base: publicApp, edit: redirect("https://growth.example.org:8443/cb?tenant=a")},
		{name: "loopback hosts any port", base: publicApp,
			edit: redirect("http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]:1234/cb", "http://LOCALHOST:9/cb")},
		{name: "http on a public host", base: publicApp, edit: redirect("http://growth.example.org/callback"),
			want: []FieldError{fe("redirect_uris", `"http://growth.example.org/callback" `+notLoopback)}},
		{name: "http on a private address", base: publicApp, edit: redirect("http://10.0.0.8/cb"),
			want: []FieldError{fe("redirect_uris", `"http://10.0.0.8/cb" `+notLoopback)}},
		{name: "http on 127.0.0.2", base: publicApp, edit: redirect("http://127.0.0.2/cb"),
			want: []FieldError{fe("redirect_uris", `"http://127.0.0.2/cb" `+notLoopback)}},
		{name: "fragment", base: publicApp, edit: redirect("https://growth.example.org/cb#x"),
			want: []FieldError{fe("redirect_uris", `"https://growth.example.org/cb#x" has a fragment (#...), which RFC 6749 §3.1.2 forbids`)}},
		{name: "empty fragment", base: publicApp, edit: redirect("https://growth.example.org/cb#"),
			want: []FieldError{fe("redirect_uris", `"https://growth.example.org/cb#" has a fragment (#...), which RFC 6749 §3.1.2 forbids`)}},
		{name: "wildcard", base: publicApp, edit: redirect("https://*.example.org/cb"),
			want: []FieldError{fe("redirect_uris", `"https://*.example.org/cb" contains a wildcard; register every URL in full`)}},
		{name: "relative", base: publicApp, edit: redirect("/callback"),
			want: []FieldError{fe("redirect_uris", `"/callback" is not an absolute URL (scheme://host/path)`)}},
		{name: "custom scheme", base: publicApp, edit: redirect("com.example.app:/cb"),
			want: []FieldError{fe("redirect_uris", `"com.example.app:/cb" is not an absolute URL (scheme://host/path)`)}},
		{name: "other scheme", base: publicApp, edit: redirect("ftp://growth.example.org/cb"),
			want: []FieldError{fe("redirect_uris", `"ftp://growth.example.org/cb" uses the scheme "ftp"; use https, or http on a loopback host`)}},
		{name: "user info", base: publicApp, edit: redirect("https://u:p@growth.example.org/cb"),
			want: []FieldError{fe("redirect_uris", `"https://u:p@growth.example.org/cb" contains user information (user@host)`)}},
		{name: "space", base: publicApp, edit: redirect("https://growth.example.org/a b"),
			want: []FieldError{fe("redirect_uris", `"https://growth.example.org/a b" contains spaces or control characters`)}},
		{name: "twice", base: publicApp, edit: redirect("https://growth.example.org/cb", "https://growth.example.org/cb"),
			want: []FieldError{fe("redirect_uris", `"https://growth.example.org/cb" is listed twice`)}},
		{name: "authorization_code without redirect", base: publicApp, edit: redirect(),
			want: []FieldError{fe("redirect_uris", "authorization_code needs at least one redirect URI")}},
		{name: "redirect without authorization_code", base: backendApp, edit: redirect("https://backend.example.org/cb"),
			want: []FieldError{fe("redirect_uris", "redirect URIs are used only with the authorization_code grant")}},
		{name: "launch url on http", base: publicApp, edit: func(a *App) { a.LaunchURL = "http://growth.example.org/launch" },
			want: []FieldError{fe("initiate_login_uri", `"http://growth.example.org/launch" `+notLoopback)}},
		{name: "launch url on loopback", base: publicApp, edit: func(a *App) { a.LaunchURL = "http://[::1]:9000/launch" }},
		{name: "launch url without authorization_code", base: backendApp, edit: func(a *App) { a.LaunchURL = "https://backend.example.org/launch" },
			want: []FieldError{fe("initiate_login_uri", "a launch URL is used only with the authorization_code grant")}},
		{name: "logo on http", base: publicApp, edit: func(a *App) { a.LogoURI = "http://cdn.example.org/logo.png" },
			want: []FieldError{fe("logo_uri", `"http://cdn.example.org/logo.png" `+notLoopback)}},

		{name: "1024-bit rsa", base: func() *App { return asymmetricApp(t) }, edit: keysOf(jwk(t, &k.rsa1024.PublicKey, "k2")),
			want: []FieldError{fe("jwks", `key "k2": RSA key of 1024 bits; at least 2048 are required`)}},
		{name: "p-224", base: func() *App { return asymmetricApp(t) }, edit: keysOf(jwk(t, &k.ec224.PublicKey, "e")),
			want: []FieldError{fe("jwks", `key "e": EC curve "P-224" is not accepted; use P-256, P-384 or P-521`)}},
		{name: "private key", base: func() *App { return asymmetricApp(t) }, edit: keysOf(jwk(t, k.ec384, "e")),
			want: []FieldError{fe("jwks", `key "e": holds private key material ("d"); register only the public key`)}},
		{name: "missing kid", base: func() *App { return asymmetricApp(t) }, edit: keysOf(with(rs, "kid", nil)),
			want: []FieldError{fe("jwks", `key #1 (no kid): has no "kid"; SMART requires one on every key`)}},
		{name: "duplicate kid", base: func() *App { return asymmetricApp(t) }, edit: keysOf(rs, jwk(t, &k.ec256.PublicKey, "rs1")),
			want: []FieldError{fe("jwks", `key "rs1": the kid is used by more than one key; every key needs its own`)}},
		{name: "empty jwks", base: func() *App { return asymmetricApp(t) }, edit: keysOf(),
			want: []FieldError{fe("jwks", "the JWKS holds no keys; at least one is required")}},
		{name: "oct key", base: func() *App { return asymmetricApp(t) },
			edit: func(a *App) { a.JWKS = []byte(`{"keys":[{"kty":"oct","kid":"h","k":"AAAA"}]}`) },
			want: []FieldError{fe("jwks", `key "h": is a symmetric (oct) key; register only public RSA or EC keys`)}},
		{name: "asymmetric without keys", base: backendApp, edit: jwksURI(""),
			want: []FieldError{fe("jwks", "a confidential-asymmetric client registers its public keys: a jwks_uri (preferred) or an inline jwks")}},
		{name: "jwks and jwks_uri", base: func() *App { return asymmetricApp(t) }, edit: jwksURI("https://inferno.example.org/jwks"),
			want: []FieldError{fe("jwks", "register a jwks or a jwks_uri, not both")}},
		{name: "jwks null counts as absent", base: backendApp, edit: func(a *App) { a.JWKS = []byte("null") }},
		{name: "jwks_uri on http", base: backendApp, edit: jwksURI("http://backend.example.org/jwks"),
			want: []FieldError{fe("jwks_uri", `"http://backend.example.org/jwks" must use https`)}},
		{name: "jwks_uri on loopback", base: backendApp, edit: jwksURI("https://127.0.0.1:8443/jwks"),
			want: []FieldError{fe("jwks_uri", `"https://127.0.0.1:8443/jwks" is on a loopback or private address; that is allowed only in development (-allow-private-jwks-uri)`)}},
		{name: "jwks_uri on a private network", base: backendApp, edit: jwksURI("https://192.168.1.20/jwks"),
			want: []FieldError{fe("jwks_uri", `"https://192.168.1.20/jwks" is on a loopback or private address; that is allowed only in development (-allow-private-jwks-uri)`)}},
		{name: "jwks_uri http loopback in development", base: backendApp, edit: jwksURI("http://127.0.0.1:8080/jwks"), opts: dev},
		{name: "jwks_uri https private in development", base: backendApp, edit: jwksURI("https://10.1.2.3/jwks"), opts: dev},
		{name: "jwks_uri http private in development", base: backendApp, edit: jwksURI("http://10.1.2.3/jwks"), opts: dev,
			want: []FieldError{fe("jwks_uri", `"http://10.1.2.3/jwks" uses http on a host that is not loopback; use https`)}},
		{name: "public with keys", base: publicApp, edit: func(a *App) { a.JWKS = set(t, rs); a.JWKSURI = "https://x.example.org/jwks" },
			want: []FieldError{
				fe("jwks", "only confidential-asymmetric clients (private_key_jwt) register keys; a public client has none"),
				fe("jwks_uri", "only confidential-asymmetric clients (private_key_jwt) register keys; a public client has none"),
			}},

		{name: "public with a secret", base: publicApp, edit: func(a *App) { a.SecretHash = hashSecret("x") },
			want: []FieldError{fe("client_secret", "a public client has no client secret")}},
		{name: "asymmetric with a secret", base: backendApp, edit: func(a *App) { a.SecretHash = hashSecret("x") },
			want: []FieldError{fe("client_secret", "a confidential-asymmetric client has no client secret")}},
		{name: "bad secret hash", base: symmetricApp, edit: func(a *App) { a.SecretHash = []byte("short") },
			want: []FieldError{fe("client_secret", "the secret hash is not a SHA-256 digest")}},
		{name: "no auth method", base: publicApp, edit: func(a *App) { a.AuthMethod = "" },
			want: []FieldError{fe("token_endpoint_auth_method", "token_endpoint_auth_method is required: none (public), client_secret_basic or client_secret_post (confidential-symmetric), or private_key_jwt (confidential-asymmetric)")}},
		{name: "unknown auth method", base: publicApp, edit: func(a *App) { a.AuthMethod = "tls_client_auth" },
			want: []FieldError{fe("token_endpoint_auth_method", `unsupported token_endpoint_auth_method "tls_client_auth"; use none, client_secret_basic, client_secret_post or private_key_jwt`)}},
		{name: "client_secret_post", base: symmetricApp, edit: func(a *App) { a.AuthMethod = AuthClientSecretPost }},

		{name: "client_credentials on a symmetric client", base: symmetricApp, edit: func(a *App) { a.GrantTypes = []string{GrantClientCredentials}; a.RedirectURIs = nil },
			want: []FieldError{fe("grant_types", "client_credentials (SMART Backend Services) needs a confidential-asymmetric client (private_key_jwt), not a confidential-symmetric one")}},
		{name: "client_credentials on a public client", base: publicApp, edit: func(a *App) { a.GrantTypes = append(a.GrantTypes, GrantClientCredentials) },
			want: []FieldError{fe("grant_types", "client_credentials (SMART Backend Services) needs a confidential-asymmetric client (private_key_jwt), not a public one")}},
		{name: "no grant types", base: backendApp, edit: func(a *App) { a.GrantTypes = nil },
			want: []FieldError{fe("grant_types", "at least one grant type is required: authorization_code or client_credentials")}},
		{name: "implicit", base: publicApp, edit: func(a *App) { a.GrantTypes = []string{GrantAuthorizationCode, "implicit"} },
			want: []FieldError{fe("grant_types", `unsupported grant type "implicit"; use authorization_code, client_credentials or refresh_token`)}},
		{name: "grant twice", base: publicApp, edit: func(a *App) { a.GrantTypes = []string{GrantAuthorizationCode, GrantAuthorizationCode} },
			want: []FieldError{fe("grant_types", `grant type "authorization_code" is listed twice`)}},
		{name: "refresh without code", base: backendApp, edit: func(a *App) { a.GrantTypes = []string{GrantClientCredentials, GrantRefreshToken} },
			want: []FieldError{fe("grant_types", "refresh_token is issued only with authorization_code")}},
		{name: "backend with authorization_code too", base: backendApp,
			edit: func(a *App) {
				a.GrantTypes = []string{GrantClientCredentials, GrantAuthorizationCode}
				a.RedirectURIs = []string{"https://b.example.org/cb"}
			}},

		{name: "no scope", base: publicApp, edit: func(a *App) { a.Scope = "" },
			want: []FieldError{fe("scope", "scope is required: the space-separated scopes this app may be granted")}},
		{name: "scope with newline", base: publicApp, edit: func(a *App) { a.Scope = "openid\nlaunch" },
			want: []FieldError{fe("scope", "scope contains a control character")}},
		{name: "scope with tab", base: publicApp, edit: func(a *App) { a.Scope = "openid\tlaunch" },
			want: []FieldError{fe("scope", "scope contains a control character")}},
		{name: "scope with quote", base: publicApp, edit: func(a *App) { a.Scope = `openid "launch"` },
			want: []FieldError{fe("scope", `scope contains '"', which RFC 6749 §3.3 does not allow in a scope`)}},
		{name: "scope not ascii", base: publicApp, edit: func(a *App) { a.Scope = "patient/Observation.rs?code=é" },
			want: []FieldError{fe("scope", `scope contains 'é', which RFC 6749 §3.3 does not allow in a scope`)}},
		{name: "scope double space", base: publicApp, edit: func(a *App) { a.Scope = "openid  launch" },
			want: []FieldError{fe("scope", "scope has leading, trailing or repeated spaces; separate scopes with one space")}},
		{name: "granular scope kept", base: publicApp, edit: func(a *App) {
			a.Scope = "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
		}},

		{name: "bad client_id", base: publicApp, edit: func(a *App) { a.ClientID = "my app/1" },
			want: []FieldError{fe("client_id", "client_id may hold only letters, digits and -._~ (at most 128 characters)")}},
		{name: "name with control character", base: publicApp, edit: func(a *App) { a.Name = "Growth\x00Chart" },
			want: []FieldError{fe("client_name", "client_name contains a control character")}},
		{name: "long name", base: publicApp, edit: func(a *App) { a.Name = strings.Repeat("é", 201) },
			want: []FieldError{fe("client_name", "client_name is longer than 200 characters")}},
		{name: "empty contact", base: publicApp, edit: func(a *App) { a.Contacts = []string{"a@example.org", " "} },
			want: []FieldError{fe("contacts", "a contact is empty")}},

		{name: "every problem at once", base: publicApp, edit: func(a *App) {
			a.AuthMethod = AuthClientSecretBasic
			a.RedirectURIs = []string{"http://evil.example.org/cb", "https://ok.example.org/cb#frag"}
			a.GrantTypes = []string{GrantAuthorizationCode, GrantClientCredentials}
			a.Scope = ""
			a.JWKSURI = "https://keys.example.org/jwks"
		}, want: []FieldError{
			fe("jwks_uri", "only confidential-asymmetric clients (private_key_jwt) register keys; a confidential-symmetric client has none"),
			fe("grant_types", "client_credentials (SMART Backend Services) needs a confidential-asymmetric client (private_key_jwt), not a confidential-symmetric one"),
			fe("redirect_uris", `"http://evil.example.org/cb" `+notLoopback),
			fe("redirect_uris", `"https://ok.example.org/cb#frag" has a fragment (#...), which RFC 6749 §3.1.2 forbids`),
			fe("scope", "scope is required: the space-separated scopes this app may be granted"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.base()
			if tc.edit != nil {
				tc.edit(a)
			}
			got := fieldErrors(t, a.Validate(tc.opts))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("field errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidationErrorCode(t *testing.T) {
	redirect := &ValidationError{Errors: []FieldError{{"scope", "x"}, {"redirect_uris", "y"}}}
	other := &ValidationError{Errors: []FieldError{{"jwks", "z"}}}
	if got := redirect.Code(); got != "invalid_redirect_uri" {
		t.Errorf("Code() = %q, want invalid_redirect_uri", got)
	}
	if got := other.Code(); got != "invalid_client_metadata" {
		t.Errorf("Code() = %q, want invalid_client_metadata", got)
	}
	if got, want := redirect.Error(), "invalid registration: scope: x; redirect_uris: y"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"y"}, redirect.Messages("redirect_uris")); diff != "" {
		t.Error(diff)
	}
}

func TestRedirectURIAllowed(t *testing.T) {
	a := &App{RedirectURIs: []string{
		"https://app.example.org/cb?x=1",
		"http://127.0.0.1:4000/cb",
		"http://[::1]/native",
		"http://localhost:3000/dev",
	}}
	tests := []struct {
		uri  string
		want bool
	}{
		{"https://app.example.org/cb?x=1", true},
		{"https://app.example.org/cb", false},
		{"https://app.example.org/cb?x=1&y=2", false},
		{"https://app.example.org:443/cb?x=1", false},
		{"https://APP.example.org/cb?x=1", false},
		{"http://127.0.0.1:4000/cb", true},
		{"http://127.0.0.1:51234/cb", true},
		{"http://127.0.0.1/cb", true},
		{"http://127.0.0.1:51234/cb/other", false},
		{"http://127.0.0.1:51234/cb#f", false},
		{"http://localhost:4000/cb", false},
		{"http://[::1]:8080/native", true},
		{"http://localhost:9999/dev", true},
		{"https://127.0.0.1:4000/cb", false},
		{"http://user@127.0.0.1:4000/cb", false},
	}
	for _, tc := range tests {
		if got := a.RedirectURIAllowed(tc.uri); got != tc.want {
			t.Errorf("RedirectURIAllowed(%q) = %v, want %v", tc.uri, got, tc.want)
		}
	}
}

func TestClientTypes(t *testing.T) {
	for _, typ := range []ClientType{Public, ConfidentialSymmetric, ConfidentialAsymmetric} {
		a := &App{AuthMethod: typ.DefaultAuthMethod()}
		if got := a.Type(); got != typ {
			t.Errorf("Type() of %q = %q, want %q", a.AuthMethod, got, typ)
		}
	}
	if got := ClientType("backend").DefaultAuthMethod(); got != "" {
		t.Errorf("DefaultAuthMethod of an unknown type = %q", got)
	}
}
