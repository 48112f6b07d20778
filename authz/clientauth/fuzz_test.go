package clientauth

import (
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"smartd/authz/oauth"
)

// FuzzAssertion: whatever the client_assertion, Authenticate does not
// panic and returns an *oauth.Error: 400 invalid_request for an empty one,
// 401 invalid_client otherwise. Seeds are the table tests' assertions,
// signed with this run's keys; the committed ones under testdata were
// signed with keys since thrown away, so they stop at the signature.
func FuzzAssertion(f *testing.F) {
	k := keys()
	e := backendEnv(f)
	sg := func(alg string, key any, kid string, mod func(jwt.MapClaims), hdr map[string]any) string {
		c := e.claims("backend")
		if mod != nil {
			mod(c)
		}
		return sign(f, alg, key, kid, c, hdr)
	}
	now := e.clock.Now()
	pubDER, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	noneTok, err := jwt.NewWithClaims(jwt.SigningMethodNone, e.claims("backend")).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		sg("RS384", k.rsa, "rsa1", nil, nil),
		sg("ES384", k.ec384, "ec1", nil, nil),
		sg("RS384", k.rsa, "ec1", nil, nil),
		sg("ES512", k.ec521, "k2", nil, nil),
		sg("RS384", k.rsa, "", nil, nil),
		sg("RS384", k.rsa2, "rsa1", nil, nil),
		sg("HS256", pubDER, "rsa1", nil, nil),
		sg("RS384", k.rsa, "rsa1", func(c jwt.MapClaims) { c["aud"] = []any{"x", 1} }, nil),
		sg("RS384", k.rsa, "rsa1", func(c jwt.MapClaims) { c["exp"] = 1e300 }, nil),
		sg("RS384", k.rsa, "rsa1", func(c jwt.MapClaims) { c["exp"] = now.Add(600e9).Unix() }, nil),
		sg("RS384", k.rsa, "rsa1", func(c jwt.MapClaims) { c["iss"] = 7 }, nil),
		sg("RS384", k.rsa, "rsa1", nil, map[string]any{"jku": "https://evil.example/jwks", "crit": nil}),
		noneTok,
		tamper(sg("RS384", k.rsa, "rsa1", nil, nil)),
		"", ".", "..", "a.b.c", "a.b.c.d.e", "e30.e30.", "eyJhbGciOiJSUzM4NCIsImtpZCI6InJzYTEifQ.e30.", strings.Repeat(".", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		app, err := e.auth.Authenticate(t.Context(), assertionForm(s), http.Header{}, tokenAud)
		if err == nil {
			if app == nil || app.ClientID != "backend" {
				t.Fatalf("accepted as %v", app)
			}
			return
		}
		var oe *oauth.Error
		if !errors.As(err, &oe) {
			t.Fatalf("error %v (%T) is not an *oauth.Error", err, err)
		}
		want := oauth.InvalidClient
		if s == "" {
			want = oauth.InvalidRequest
		}
		if oe.Code != want || oe.Description == "" {
			t.Fatalf("error = %d %s %q, want %s with a description", oe.Status, oe.Code, oe.Description, want)
		}
	})
}
