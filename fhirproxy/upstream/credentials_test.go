package upstream

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// testKeys are one key of each kind the tests need, made once per test.
type testKeys struct {
	rsa     *rsa.PrivateKey
	rsa1024 *rsa.PrivateKey
	p384    *ecdsa.PrivateKey
	p256    *ecdsa.PrivateKey
	ed      ed25519.PrivateKey
}

func newTestKeys(t *testing.T) testKeys {
	t.Helper()
	var k testKeys
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.rsa1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		t.Fatal(err)
	}
	if k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCredentialsComplete(t *testing.T) {
	k := newTestKeys(t)
	for _, tc := range []struct {
		name    string
		in      Credentials
		wantAlg string // "" when refused
	}{
		{"none", Credentials{}, "-"},
		{"static bearer", Credentials{Bearer: "t"}, "-"},
		{"RSA, alg picked", Credentials{ClientID: "c", Key: k.rsa}, "RS384"},
		{"P-384, alg picked", Credentials{ClientID: "c", Key: k.p384}, "ES384"},
		{"P-384, ES384", Credentials{ClientID: "c", Key: k.p384, Alg: "ES384"}, "ES384"},
		{"bearer and client", Credentials{Bearer: "t", ClientID: "c", Key: k.p384}, ""},
		{"key without client", Credentials{Key: k.p384}, ""},
		{"client without key", Credentials{ClientID: "c"}, ""},
		{"RSA of 1024 bits", Credentials{ClientID: "c", Key: k.rsa1024}, ""},
		{"P-256", Credentials{ClientID: "c", Key: k.p256}, ""},
		{"RSA for ES384", Credentials{ClientID: "c", Key: k.rsa, Alg: "ES384"}, ""},
		{"P-384 for RS384", Credentials{ClientID: "c", Key: k.p384, Alg: "RS384"}, ""},
		{"Ed25519", Credentials{ClientID: "c", Key: k.ed}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.complete()
			switch {
			case tc.wantAlg == "" && err == nil:
				t.Errorf("got %+v, want an error", got)
			case tc.wantAlg != "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.wantAlg == "-" && got != tc.in:
				t.Errorf("got %+v, want it unchanged", got)
			case tc.wantAlg != "" && tc.wantAlg != "-" && (got.Alg != tc.wantAlg || got.Scope != "system/*.rs" || got.KeyID == ""):
				t.Errorf("got alg %q scope %q kid %q", got.Alg, got.Scope, got.KeyID)
			}
		})
	}
}

// TestAssertion checks client assertions with golang-jwt's own
// verification: the algorithm, the kid (the key's thumbprint) and the
// claims SMART Backend Services requires.
func TestAssertion(t *testing.T) {
	k := newTestKeys(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	const tokenURL = "https://up.example/auth/token"
	for _, key := range []crypto.Signer{k.rsa, k.p384} {
		c, err := Credentials{ClientID: "backend-1", Key: key}.complete()
		if err != nil {
			t.Fatal(err)
		}
		t.Run(c.Alg, func(t *testing.T) {
			ts := &tokens{creds: c, now: func() time.Time { return now }}
			signed, err := ts.assertion(tokenURL)
			if err != nil {
				t.Fatal(err)
			}
			var claims jwt.RegisteredClaims
			tok, err := jwt.ParseWithClaims(signed, &claims, func(*jwt.Token) (any, error) { return key.Public(), nil },
				jwt.WithValidMethods([]string{c.Alg}), jwt.WithAudience(tokenURL), jwt.WithIssuer("backend-1"),
				jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			tp, _ := (&jose.JSONWebKey{Key: key.Public()}).Thumbprint(crypto.SHA256)
			if kid := tok.Header["kid"]; kid != base64.RawURLEncoding.EncodeToString(tp) {
				t.Errorf("kid %v is not the key's thumbprint", kid)
			}
			if claims.Subject != "backend-1" || claims.ID == "" || !claims.ExpiresAt.Time.Equal(now.Add(5*time.Minute)) {
				t.Errorf("claims %+v", claims)
			}
			again, _ := ts.assertion(tokenURL)
			if again == signed {
				t.Error("two assertions are the same: the jti must be fresh")
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	k := newTestKeys(t)
	block := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	pkcs8 := func(key any) []byte { der, _ := x509.MarshalPKCS8PrivateKey(key); return der }
	sec1, _ := x509.MarshalECPrivateKey(k.p384)
	pub, _ := x509.MarshalPKIXPublicKey(k.p384.Public())
	for _, tc := range []struct {
		name string
		in   string
		want crypto.PublicKey // nil when refused
	}{
		{"PKCS #8 EC", block("PRIVATE KEY", pkcs8(k.p384)), k.p384.Public()},
		{"PKCS #8 RSA", block("PRIVATE KEY", pkcs8(k.rsa)), k.rsa.Public()},
		{"SEC 1", block("EC PRIVATE KEY", sec1), k.p384.Public()},
		{"PKCS #1", block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.rsa)), k.rsa.Public()},
		{"after a certificate-like block", block("PUBLIC KEY", pub) + block("PRIVATE KEY", pkcs8(k.p384)), k.p384.Public()},
		{"a public key only", block("PUBLIC KEY", pub), nil},
		{"garbage in the block", block("PRIVATE KEY", []byte("nonsense")), nil},
		{"no PEM", "nonsense", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseKey([]byte(tc.in))
			switch {
			case tc.want == nil && err == nil:
				t.Errorf("got a %T, want an error", got)
			case tc.want != nil && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.want != nil && !got.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.want):
				t.Error("got another key")
			}
			if err != nil && !strings.HasPrefix(err.Error(), "upstream: ") {
				t.Errorf("error %q does not name the package", err)
			}
		})
	}
}
