package clientauth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"smartd/apps/registry"
	"smartd/authz/oauth"
)

// TestEveryAlgorithm signs a good assertion with every accepted
// algorithm, against an inline JWKS and against a jwks_uri.
func TestEveryAlgorithm(t *testing.T) {
	k := keys()
	e := newEnv(t, Options{AllowPrivateJWKSURI: true})
	set := jwksOf(t,
		publicJWK(t, k.rsa, "rsa", ""),
		publicJWK(t, k.ec256, "ec256", ""),
		publicJWK(t, k.ec384, "ec384", ""),
		publicJWK(t, k.ec521, "ec521", ""))
	srv := newJWKSServer(t, set)
	e.register(backendApp("inline", set, ""))
	e.register(backendApp("remote", nil, srv.url()))

	for _, tc := range []struct {
		alg, kid string
		key      any
	}{
		{"RS256", "rsa", k.rsa}, {"RS384", "rsa", k.rsa}, {"RS512", "rsa", k.rsa},
		{"PS256", "rsa", k.rsa}, {"PS384", "rsa", k.rsa}, {"PS512", "rsa", k.rsa},
		{"ES256", "ec256", k.ec256}, {"ES384", "ec384", k.ec384}, {"ES512", "ec521", k.ec521},
	} {
		for _, client := range []string{"inline", "remote"} {
			t.Run(tc.alg+"/"+client, func(t *testing.T) {
				a := sign(t, tc.alg, tc.key, tc.kid, e.claims(client), map[string]any{"typ": "JWT"})
				app, err := e.authenticate(assertionForm(a), nil, tokenAud)
				if err != nil {
					t.Fatal(err)
				}
				if app.ClientID != client {
					t.Errorf("client = %q, want %q", app.ClientID, client)
				}
			})
		}
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Errorf("jwks_uri fetched %d times, want 1 (cached for the default 5 min)", n)
	}
	if srv.accept != "application/json" {
		t.Errorf("Accept = %q, want application/json", srv.accept)
	}
}

type authCase struct {
	name      string
	form      url.Values
	header    http.Header
	aud       []string
	status    int // 0: success
	code      oauth.Code
	desc      string
	challenge string
	client    string // on success
}

func runAuthCases(t *testing.T, e *env, cases []authCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			aud := tc.aud
			if aud == nil {
				aud = tokenAud
			}
			app, err := e.authenticate(tc.form, tc.header, aud)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("error = %v, want client %q", err, tc.client)
				}
				if app.ClientID != tc.client {
					t.Errorf("client = %q, want %q", app.ClientID, tc.client)
				}
				return
			}
			if app != nil {
				t.Errorf("app = %q, want nil", app.ClientID)
			}
			oe := checkOAuth(t, err, tc.status, tc.code, tc.desc)
			if oe.Challenge != tc.challenge {
				t.Errorf("challenge = %q, want %q", oe.Challenge, tc.challenge)
			}
		})
	}
}

// TestAssertionChecks is every check on a private_key_jwt assertion.
func TestAssertionChecks(t *testing.T) {
	k := keys()
	e := newEnv(t, Options{AllowPrivateJWKSURI: true})
	set := jwksOf(t, publicJWK(t, k.rsa, "rsa1", "RS384"), publicJWK(t, k.ec384, "ec1", "ES384"))
	srv := newJWKSServer(t, set)
	e.register(backendApp("backend", set, ""))
	e.register(backendApp("backend-uri", nil, srv.url()))
	e.register(launchApp("basic-app", registry.AuthClientSecretBasic))
	e.register(launchApp("public-app", registry.AuthNone))

	// rs signs the claims of "backend", changed by mod, with RS384 and kid rsa1.
	rs := func(mod func(jwt.MapClaims)) string {
		c := e.claims("backend")
		if mod != nil {
			mod(c)
		}
		return sign(t, "RS384", k.rsa, "rsa1", c, nil)
	}
	now := e.clock.Now()
	set1 := func(name string, v any) func(jwt.MapClaims) {
		return func(c jwt.MapClaims) {
			if v == nil {
				delete(c, name)
			} else {
				c[name] = v
			}
		}
	}
	form := func(a string, kv ...string) url.Values {
		f := assertionForm(a)
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	used := rs(nil)
	if _, err := e.authenticate(assertionForm(used), nil, tokenAud); err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	noneTok, err := jwt.NewWithClaims(jwt.SigningMethodNone, e.claims("backend")).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	basic := basicHeader("backend", "secret")
	const (
		bad    = http.StatusBadRequest
		unauth = http.StatusUnauthorized
		ir     = oauth.InvalidRequest
		ic     = oauth.InvalidClient
	)
	runAuthCases(t, e, []authCase{
		{name: "RS384 accepted", form: form(rs(nil)), client: "backend"},
		{name: "ES384 accepted", form: form(sign(t, "ES384", k.ec384, "ec1", e.claims("backend"), nil)), client: "backend"},
		{name: "aud array containing the token URL", form: form(rs(set1("aud", []string{"https://other.example", tokenURL}))), client: "backend"},
		{name: "introspection URL at introspection", form: form(rs(set1("aud", introspectURL))), aud: introspectAud, client: "backend"},
		{name: "token URL at introspection", form: form(rs(nil)), aud: introspectAud, client: "backend"},
		{name: "bad aud", form: form(rs(set1("aud", "https://evil.example/token"))), status: unauth, code: ic,
			desc: `assertion aud "https://evil.example/token" does not name this endpoint; use the token endpoint URL "https://smartd.example/auth/token"`},
		{name: "aud of another endpoint", form: form(rs(set1("aud", introspectURL))), status: unauth, code: ic,
			desc: `assertion aud "https://smartd.example/auth/introspect" does not name this endpoint`},
		{name: "aud array without this endpoint", form: form(rs(set1("aud", []string{"a", "b"}))), status: unauth, code: ic, desc: `assertion aud ["a", "b"] does not name`},
		{name: "aud missing", form: form(rs(set1("aud", nil))), status: unauth, code: ic, desc: "assertion has no aud"},
		{name: "aud a number", form: form(rs(set1("aud", 7))), status: unauth, code: ic, desc: "aud must be a string or an array of strings"},
		{name: "expired exp", form: form(rs(set1("exp", now.Add(-2*time.Minute).Unix()))), status: unauth, code: ic, desc: "assertion expired 120 s ago"},
		{name: "exp past within leeway", form: form(rs(set1("exp", now.Add(-30*time.Second).Unix()))), client: "backend"},
		{name: "exp missing", form: form(rs(set1("exp", nil))), status: unauth, code: ic, desc: "assertion has no exp"},
		{name: "exp a string", form: form(rs(set1("exp", "tomorrow"))), status: unauth, code: ic, desc: "exp is not a number"},
		{name: "exp 600 s ahead", form: form(rs(set1("exp", now.Add(10*time.Minute).Unix()))), status: unauth, code: ic,
			desc: "assertion exp is 600 s ahead; at most 300 s is allowed"},
		{name: "exp now+300 exactly", form: form(rs(set1("exp", now.Add(300*time.Second).Unix()))), client: "backend"},
		{name: "nbf in the future", form: form(rs(set1("nbf", now.Add(2*time.Minute).Unix()))), status: unauth, code: ic, desc: "assertion nbf is 120 s in the future"},
		{name: "iat in the future", form: form(rs(set1("iat", now.Add(2*time.Minute).Unix()))), status: unauth, code: ic, desc: "assertion iat is 120 s in the future"},
		{name: "iat now accepted", form: form(rs(set1("iat", now.Unix()))), client: "backend"},
		{name: "reused jti", form: form(used), status: unauth, code: ic, desc: `was already used by client "backend"`},
		{name: "jti missing", form: form(rs(set1("jti", nil))), status: unauth, code: ic, desc: "assertion has no jti"},
		{name: "jti a number", form: form(rs(set1("jti", 12))), status: unauth, code: ic, desc: "assertion jti is not a string"},
		{name: "jti too long", form: form(rs(set1("jti", strings.Repeat("j", 256)))), status: unauth, code: ic, desc: "jti is 256 bytes long; at most 255"},
		{name: "RS384 signature under an EC kid", form: form(sign(t, "RS384", k.rsa, "ec1", e.claims("backend"), nil)), status: unauth, code: ic,
			desc: `key "ec1" is an EC P-384 key and cannot verify alg RS384, which needs an RSA key`},
		{name: "ES256 under a P-384 kid", form: form(sign(t, "ES256", k.ec256, "ec1", e.claims("backend"), nil)), status: unauth, code: ic,
			desc: `cannot verify alg ES256, which needs an EC P-256 key`},
		{name: "PS384 under a key registered for RS384", form: form(sign(t, "PS384", k.rsa, "rsa1", e.claims("backend"), nil)), status: unauth, code: ic,
			desc: `key "rsa1" is registered for alg RS384 and cannot verify alg PS384`},
		{name: "alg none", form: form(noneTok), status: unauth, code: ic, desc: "alg none is refused"},
		{name: "HS256 with the public key as secret", form: form(sign(t, "HS256", pubDER, "rsa1", e.claims("backend"), nil)), status: unauth, code: ic,
			desc: `alg "HS256" (an HMAC with a shared secret) is refused`},
		{name: "unknown alg", form: form(sign(t, "EdDSA", mustEd(t), "rsa1", e.claims("backend"), nil)), status: unauth, code: ic, desc: `alg "EdDSA" is not accepted; use RS384 or ES384`},
		{name: "unknown kid", form: form(sign(t, "ES512", k.ec521, "k2", e.claims("backend"), nil)), status: unauth, code: ic,
			desc: `no key with kid "k2" for alg ES512 in the client's JWKS (keys: "rsa1" RS384, "ec1" ES384)`},
		{name: "missing kid", form: form(sign(t, "RS384", k.rsa, "", e.claims("backend"), nil)), status: unauth, code: ic, desc: "the assertion header has no kid"},
		{name: "crit header", form: form(sign(t, "RS384", k.rsa, "rsa1", e.claims("backend"), map[string]any{"crit": []string{"exp"}})), status: unauth, code: ic,
			desc: "no critical extension is supported"},
		{name: "signature by another key", form: form(sign(t, "RS384", k.rsa2, "rsa1", e.claims("backend"), nil)), status: unauth, code: ic,
			desc: `the assertion signature does not verify with key "rsa1" (RS384) of client "backend"`},
		{name: "tampered claims", form: form(tamper(rs(nil))), status: unauth, code: ic, desc: "signature does not verify"},
		{name: "wrong iss", form: form(rs(func(c jwt.MapClaims) { c["iss"], c["sub"] = "not_a_valid_iss", "not_a_valid_iss" })), status: unauth, code: ic,
			desc: `no client with client_id "not_a_valid_iss" (the assertion's iss) is registered`},
		{name: "iss missing", form: form(rs(set1("iss", nil))), status: unauth, code: ic, desc: "assertion has no iss"},
		{name: "iss differs from sub", form: form(rs(set1("sub", "someone"))), status: unauth, code: ic, desc: `assertion iss "backend" and sub "someone" differ`},
		{name: "client_id parameter differs from iss", form: form(rs(nil), "client_id", "other"), status: unauth, code: ic,
			desc: `client_id "other" in the request body differs from the assertion's iss "backend"`},
		{name: "client_id parameter equal to iss", form: form(rs(nil), "client_id", "backend"), client: "backend"},
		{name: "jku not the registered jwks_uri", form: form(sign(t, "RS384", k.rsa, "rsa1", e.claims("backend-uri"), map[string]any{"jku": "https://evil.example/jwks"})),
			status: unauth, code: ic, desc: `jku "https://evil.example/jwks" is not the registered jwks_uri "` + srv.url() + `"`},
		{name: "jku equal to the registered jwks_uri", form: form(sign(t, "RS384", k.rsa, "rsa1", e.claims("backend-uri"), map[string]any{"jku": srv.url()})), client: "backend-uri"},
		{name: "jku with an inline JWKS", form: form(sign(t, "RS384", k.rsa, "rsa1", e.claims("backend"), map[string]any{"jku": srv.url()})),
			status: unauth, code: ic, desc: `client "backend" registered an inline JWKS, not a jwks_uri`},
		{name: "unregistered client", form: form(sign(t, "RS384", k.rsa, "rsa1", e.claims("ghost"), nil)), status: unauth, code: ic,
			desc: `no client with client_id "ghost" (the assertion's iss) is registered`},
		{name: "client registered for secrets", form: form(sign(t, "RS384", k.rsa, "rsa1", e.claims("basic-app"), nil)), status: unauth, code: ic,
			desc: `client "basic-app" is registered for client_secret_basic, not private_key_jwt`},
		{name: "public client sending an assertion", form: form(sign(t, "RS384", k.rsa, "rsa1", e.claims("public-app"), nil)), status: unauth, code: ic,
			desc: `client "public-app" is a public client (token_endpoint_auth_method none); it cannot authenticate with a client_assertion`},
		{name: "wrong client_assertion_type", form: form(rs(nil), "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"),
			status: bad, code: ir, desc: `client_assertion_type "urn:ietf:params:oauth:client-assertion-type:saml2-bearer" is not supported`},
		{name: "client_assertion_type missing", form: url.Values{"client_assertion": {rs(nil)}}, status: bad, code: ir, desc: "client_assertion is sent without client_assertion_type"},
		{name: "client_assertion missing", form: url.Values{"client_assertion_type": {JWTBearer}}, status: bad, code: ir, desc: "client_assertion_type is sent without client_assertion"},
		{name: "client_assertion repeated", form: url.Values{"client_assertion_type": {JWTBearer}, "client_assertion": {rs(nil), rs(nil)}}, status: bad, code: ir,
			desc: "client_assertion is sent 2 times"},
		{name: "Basic and client_assertion", form: form(rs(nil)), header: basic, status: bad, code: ir, desc: "with HTTP Basic and client_assertion at once"},
		{name: "client_secret and client_assertion", form: form(rs(nil), "client_secret", "s"), status: bad, code: ir, desc: "with client_secret and client_assertion at once"},
		{name: "not a JWT", form: form("hello"), status: unauth, code: ic, desc: "client_assertion has no '.'; a signed JWT has 3 parts"},
		{name: "a JWE", form: form("a.b.c.d.e"), status: unauth, code: ic, desc: "client_assertion is a JWE"},
		{name: "header not base64url", form: form("!!.e30.c2ln"), status: unauth, code: ic, desc: "client_assertion header is not base64url"},
		{name: "claims not JSON", form: form("eyJhbGciOiJSUzM4NCJ9.bm90IGpzb24.c2ln"), status: unauth, code: ic, desc: "client_assertion claims set is not a JSON object"},
		{name: "too long", form: form(strings.Repeat("a", maxAssertionSize+1)), status: unauth, code: ic, desc: "at most 16384 are accepted"},
	})
}

// tamper changes the claims of a signed JWT, keeping its signature.
func tamper(s string) string {
	parts := strings.Split(s, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	claims = []byte(strings.Replace(string(claims), `"sub":"backend"`, `"sub":"backend","x":1`, 1))
	parts[1] = base64.RawURLEncoding.EncodeToString(claims)
	return strings.Join(parts, ".")
}

func mustEd(t testing.TB) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
