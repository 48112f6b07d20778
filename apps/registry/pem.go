package registry

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/MicahParks/jwkset"
)

// ParsePEMKey turns an uploaded public key into a one-key JWKS for
// App.JWKS. data holds PEM: a "PUBLIC KEY" (PKIX), an "RSA PUBLIC KEY"
// (PKCS #1) or a "CERTIFICATE" (X.509, whose key is used; the certificate
// itself is not kept, and its dates and issuer are not checked). The first
// such block is used; an input holding any private key is refused whole.
//
// The key must pass the same rules as an inline JWKS (RSA of 2048 to 8192
// bits, EC on P-256, P-384 or P-521). kid names the key; if it is empty,
// the key's RFC 7638 thumbprint is used. The JWK carries only kty, kid and
// the public members, as SMART's client-confidential-asymmetric.md shows.
func ParsePEMKey(data []byte, kid string) (json.RawMessage, error) {
	pub, err := pemPublicKey(data)
	if err != nil {
		return nil, err
	}
	label := "the key"
	if kid != "" {
		label = fmt.Sprintf("key %q", kid)
	}
	if p := publicKeyProblem(pub); p != "" {
		return nil, fmt.Errorf("%s: %s", label, p)
	}
	if p := textProblem(kid, maxName); p != "" {
		return nil, fmt.Errorf("kid %s", p)
	}
	jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	m := jwk.Marshal()
	if kid == "" {
		kid = thumbprint(m)
	}
	m.KID = kid
	out, err := json.Marshal(jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{m}})
	if err != nil {
		return nil, err
	}
	if probs := jwksProblems(out); len(probs) > 0 {
		return nil, errors.New(strings.Join(probs, "; "))
	}
	return out, nil
}

// pemPublicKey returns the public key of the first key or certificate
// block in data.
func pemPublicKey(data []byte) (any, error) {
	var found *pem.Block
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if strings.Contains(b.Type, "PRIVATE KEY") {
			return nil, fmt.Errorf("the upload holds a private key (%s); upload only the public key or certificate, and keep the private key with the app", b.Type)
		}
		switch b.Type {
		case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
			if found == nil {
				found = b
			}
		}
	}
	if found == nil {
		return nil, errors.New(`no public key found: upload PEM text starting with "-----BEGIN PUBLIC KEY-----" or "-----BEGIN CERTIFICATE-----"`)
	}
	switch found.Type {
	case "PUBLIC KEY":
		pub, err := x509.ParsePKIXPublicKey(found.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the PUBLIC KEY block cannot be read: %w", err)
		}
		return pub, nil
	case "RSA PUBLIC KEY":
		pub, err := x509.ParsePKCS1PublicKey(found.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the RSA PUBLIC KEY block cannot be read: %w", err)
		}
		return pub, nil
	default:
		cert, err := x509.ParseCertificate(found.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the CERTIFICATE block cannot be read: %w", err)
		}
		return cert.PublicKey, nil
	}
}

// thumbprint returns the RFC 7638 SHA-256 thumbprint of an RSA or EC
// public JWK: the digest of its required members in lexical order, with
// no whitespace. Base64url values need no JSON escaping.
func thumbprint(m jwkset.JWKMarshal) string {
	var s string
	if m.KTY == jwkset.KtyRSA {
		s = fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, m.E, m.N)
	} else {
		s = fmt.Sprintf(`{"crv":"%s","kty":"EC","x":"%s","y":"%s"}`, m.CRV, m.X, m.Y)
	}
	h := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
