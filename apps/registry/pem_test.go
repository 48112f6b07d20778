package registry

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/google/go-cmp/cmp"
)

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkixPEM(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("PUBLIC KEY", der)
}

// selfSigned returns a PEM certificate for priv's public key.
func selfSigned(t *testing.T, priv crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "app.example.org"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("CERTIFICATE", der)
}

func TestParsePEMKey(t *testing.T) {
	k := keys()
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k.rsa2048)
	if err != nil {
		t.Fatal(err)
	}
	ecPriv, err := x509.MarshalECPrivateKey(k.ec256)
	if err != nil {
		t.Fatal(err)
	}
	cert := selfSigned(t, k.rsa2048)
	tests := []struct {
		name    string
		pem     []byte
		kid     string
		wantKey any
		// wantMembers are the JWK's member names.
		wantMembers []string
		wantErr     string
	}{
		{name: "rsa pkix", pem: pkixPEM(t, &k.rsa2048.PublicKey), kid: "rs1", wantKey: &k.rsa2048.PublicKey,
			wantMembers: []string{"e", "kid", "kty", "n"}},
		{name: "rsa pkcs1", pem: pemBlock("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&k.rsa2048.PublicKey)), kid: "rs1",
			wantKey: &k.rsa2048.PublicKey, wantMembers: []string{"e", "kid", "kty", "n"}},
		{name: "ec p-256", pem: pkixPEM(t, &k.ec256.PublicKey), kid: "es", wantKey: &k.ec256.PublicKey,
			wantMembers: []string{"crv", "kid", "kty", "x", "y"}},
		{name: "ec p-521", pem: pkixPEM(t, &k.ec521.PublicKey), kid: "es5", wantKey: &k.ec521.PublicKey,
			wantMembers: []string{"crv", "kid", "kty", "x", "y"}},
		{name: "rsa certificate", pem: cert, kid: "cert", wantKey: &k.rsa2048.PublicKey,
			wantMembers: []string{"e", "kid", "kty", "n"}},
		{name: "ec certificate", pem: selfSigned(t, k.ec384), kid: "c", wantKey: &k.ec384.PublicKey,
			wantMembers: []string{"crv", "kid", "kty", "x", "y"}},
		{name: "certificate chain uses the first", pem: append(append([]byte("leaf:\n"), cert...), selfSigned(t, k.ec384)...), kid: "leaf",
			wantKey: &k.rsa2048.PublicKey, wantMembers: []string{"e", "kid", "kty", "n"}},

		{name: "rsa 1024", pem: pkixPEM(t, &k.rsa1024.PublicKey), kid: "old",
			wantErr: `key "old": RSA key of 1024 bits; at least 2048 are required`},
		{name: "rsa 1024 without kid", pem: pkixPEM(t, &k.rsa1024.PublicKey),
			wantErr: `the key: RSA key of 1024 bits; at least 2048 are required`},
		{name: "p-224 certificate", pem: selfSigned(t, k.ec224), kid: "small",
			wantErr: `key "small": EC curve "P-224" is not accepted; use P-256, P-384 or P-521`},
		{name: "ed25519", pem: pkixPEM(t, k.ed.Public()), kid: "ed",
			wantErr: `key "ed": Ed25519 keys are not accepted; use RSA or EC (SMART names RS384 and ES384)`},
		{name: "pkcs8 private key", pem: pemBlock("PRIVATE KEY", pkcs8),
			wantErr: "the upload holds a private key (PRIVATE KEY); upload only the public key or certificate, and keep the private key with the app"},
		{name: "certificate with its private key", pem: append(cert, pemBlock("EC PRIVATE KEY", ecPriv)...),
			wantErr: "the upload holds a private key (EC PRIVATE KEY); upload only the public key or certificate, and keep the private key with the app"},
		{name: "not pem", pem: []byte("ssh-rsa AAAAB3NzaC1yc2E"),
			wantErr: `no public key found: upload PEM text starting with "-----BEGIN PUBLIC KEY-----" or "-----BEGIN CERTIFICATE-----"`},
		{name: "other block", pem: pemBlock("CERTIFICATE REQUEST", []byte{1}),
			wantErr: `no public key found: upload PEM text starting with "-----BEGIN PUBLIC KEY-----" or "-----BEGIN CERTIFICATE-----"`},
		{name: "corrupt public key", pem: pemBlock("PUBLIC KEY", []byte{0x30, 0x03, 1, 2, 3}),
			wantErr: "the PUBLIC KEY block cannot be read: "},
		{name: "kid with control character", pem: pkixPEM(t, &k.ec256.PublicKey), kid: "a\nb",
			wantErr: "kid contains a control character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePEMKey(tc.pem, tc.kid)
			if tc.wantErr != "" {
				// A wantErr ending in ": " is a prefix, before words of crypto/x509.
				if err == nil || err.Error() != tc.wantErr && !(strings.HasSuffix(tc.wantErr, ": ") && strings.HasPrefix(err.Error(), tc.wantErr)) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := ValidateJWKS(got); err != nil {
				t.Fatalf("the result does not validate: %v", err)
			}
			var s struct{ Keys []map[string]json.RawMessage }
			if err := json.Unmarshal(got, &s); err != nil || len(s.Keys) != 1 {
				t.Fatalf("not a one-key JWKS: %s (%v)", got, err)
			}
			var members []string
			for m := range s.Keys[0] {
				members = append(members, m)
			}
			sort.Strings(members)
			if diff := cmp.Diff(tc.wantMembers, members); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if kid := string(s.Keys[0]["kid"]); kid != `"`+tc.kid+`"` {
				t.Errorf("kid = %s, want %q", kid, tc.kid)
			}
			var keys jwkset.JWKSMarshal
			if err := json.Unmarshal(got, &keys); err != nil {
				t.Fatal(err)
			}
			jwks, err := keys.JWKSlice()
			if err != nil {
				t.Fatal(err)
			}
			type equaler interface{ Equal(crypto.PublicKey) bool }
			if !jwks[0].Key().(equaler).Equal(tc.wantKey) {
				t.Errorf("the JWK holds another key than the PEM")
			}
		})
	}
}

// TestParsePEMKeyThumbprintKid checks that a key uploaded without a kid is
// named by its RFC 7638 thumbprint.
func TestParsePEMKeyThumbprintKid(t *testing.T) {
	k := keys()
	for _, pub := range []any{&k.rsa2048.PublicKey, &k.ec384.PublicKey} {
		raw, err := ParsePEMKey(pkixPEM(t, pub), "")
		if err != nil {
			t.Fatal(err)
		}
		var s jwkset.JWKSMarshal
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		m := s.Keys[0]
		if want := thumbprint(m); m.KID != want || len(m.KID) != 43 {
			t.Errorf("kid = %q, want the thumbprint %q", m.KID, want)
		}
	}
}

// TestThumbprint checks the example of RFC 7638 §3.1.
func TestThumbprint(t *testing.T) {
	m := jwkset.JWKMarshal{
		KTY: jwkset.KtyRSA,
		E:   "AQAB",
		N:   "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
	}
	if got, want := thumbprint(m), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("thumbprint = %q, want %q", got, want)
	}
}
