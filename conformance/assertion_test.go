package conformance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// TestThumbprint: the RFC 7638 §3.1 example key has the RFC's thumbprint.
func TestThumbprint(t *testing.T) {
	var k jose.JSONWebKey
	err := json.Unmarshal([]byte(`{"kty":"RSA","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}`), &k)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := thumbprint(k.Key); err != nil || got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Errorf("thumbprint %q, %v", got, err)
	}
}

func pemOf(t *testing.T, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParseSigningKey(t *testing.T) {
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	pk8 := func(k any) []byte { der, _ := x509.MarshalPKCS8PrivateKey(k); return pemOf(t, "PRIVATE KEY", der) }
	sec1, _ := x509.MarshalECPrivateKey(ec384)
	pub, _ := x509.MarshalPKIXPublicKey(&ec384.PublicKey)
	tests := []struct {
		name     string
		pem      []byte
		kid, alg string
		wantAlg  string
		wantErr  string
	}{
		{"PKCS #8 P-384", pk8(ec384), "", "", "ES384", ""},
		{"SEC 1 P-384 with a kid", pemOf(t, "EC PRIVATE KEY", sec1), "k1", "", "ES384", ""},
		{"P-256", pk8(ec256), "", "", "ES256", ""},
		{"PKCS #1 RSA", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), "", "", "RS384", ""},
		{"RSA with PS384", pk8(rsaKey), "", "PS384", "PS384", ""},
		{"RSA with ES384", pk8(rsaKey), "", "ES384", "", "does not fit"},
		{"P-384 with ES256", pk8(ec384), "", "ES256", "", "does not fit"},
		{"unknown alg", pk8(ec384), "", "XX999", "", "does not fit"},
		{"a public key", pemOf(t, "PUBLIC KEY", pub), "", "", "", "not a PKCS #8"},
		{"not PEM", []byte("hello"), "", "", "", "not PEM"},
	}
	for _, tt := range tests {
		k, err := parseSigningKey(tt.pem, tt.kid, tt.alg)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || k.alg != tt.wantAlg {
			t.Errorf("%s: %v, alg %v, want %s", tt.name, err, k, tt.wantAlg)
			continue
		}
		want := tt.kid
		if want == "" {
			want, _ = thumbprint(k.priv.Public())
		}
		if k.kid != want {
			t.Errorf("%s: kid %q, want %q", tt.name, k.kid, want)
		}
	}
}

// TestAssertion: a signed assertion verifies with the public key and
// carries the claims SMART Backend Services requires; the alg-confusion
// and unsigned variants are what they claim to be.
func TestAssertion(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	k, err := parseSigningKey(pemOf(t, "PRIVATE KEY", der), "kid-1", "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	a := k.newAssertion("client-1", "https://as.example/token", now)
	s, err := a.sign()
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(s, claims, func(*jwt.Token) (any, error) { return &ec.PublicKey, nil },
		jwt.WithValidMethods([]string{"ES384"}), jwt.WithAudience("https://as.example/token"), jwt.WithIssuer("client-1"), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := claims.GetExpirationTime()
	if tok.Header["kid"] != "kid-1" || tok.Header["typ"] != "JWT" || claims["sub"] != "client-1" || len(claims["jti"].(string)) != 64 ||
		exp.Sub(now) > 5*time.Minute || exp.Sub(now) < 4*time.Minute {
		t.Errorf("header %v claims %v", tok.Header, claims)
	}

	a.header["alg"], a.hmacSecret = "HS256", k.publicPEM
	s, _ = a.sign()
	if _, err := jwt.Parse(s, func(*jwt.Token) (any, error) { return k.publicPEM, nil }, jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Errorf("HS256 variant: %v", err)
	}
	a.header["alg"], a.hmacSecret, a.none = "none", nil, true
	s, _ = a.sign()
	if parts := strings.Split(s, "."); len(parts) != 3 || parts[2] != "" {
		t.Errorf("none variant: %q", s)
	}
	h, _ := base64.RawURLEncoding.DecodeString(strings.Split(s, ".")[0])
	if !strings.Contains(string(h), `"alg":"none"`) {
		t.Errorf("none header: %s", h)
	}
	other, err := k.otherKey()
	if err != nil || other.kid != k.kid || other.priv.Public().(*ecdsa.PublicKey).Equal(&ec.PublicKey) {
		t.Errorf("otherKey: %v", err)
	}
}
