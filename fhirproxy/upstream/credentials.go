package upstream

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// Credentials are how smartd authenticates to the upstream FHIR server.
// The zero value sends no credentials; set Bearer for a static token, or
// ClientID and Key for a SMART Backend Services client (SMART App Launch
// 2.2, "Backend Services"), never both.
type Credentials struct {
	// Bearer is a static access token sent as "Authorization: Bearer".
	Bearer string

	// ClientID is the backend services client registered at the
	// upstream's authorization server.
	ClientID string
	// Key signs the client assertions: an RSA key (2048 bits or more)
	// for RS384 or an ECDSA P-384 key for ES384.
	Key crypto.Signer
	// KeyID is the kid of the assertions; "" means the key's RFC 7638
	// SHA-256 thumbprint (what smartd's registry names a key uploaded
	// without one).
	KeyID string
	// Alg is "RS384" or "ES384"; "" picks the one that fits Key.
	Alg string
	// Scope is the scope requested; "" means "system/*.rs", read-only
	// (writes through the proxy need a scope that allows them).
	Scope string
	// TokenURL is the upstream's token endpoint; "" discovers it from
	// {upstream}/.well-known/smart-configuration.
	TokenURL string
}

// backend reports whether c is a backend services client.
func (c Credentials) backend() bool { return c.ClientID != "" || c.Key != nil }

// complete checks c and fills in the defaults.
func (c Credentials) complete() (Credentials, error) {
	if !c.backend() {
		return c, nil
	}
	switch {
	case c.Bearer != "":
		return c, errors.New("upstream: a static bearer token and a backend services client exclude each other")
	case c.ClientID == "":
		return c, errors.New("upstream: a backend services key needs its client_id")
	case c.Key == nil:
		return c, errors.New("upstream: a backend services client needs its private key")
	}
	if c.Scope == "" {
		c.Scope = "system/*.rs"
	}
	pub := c.Key.Public()
	if c.Alg == "" {
		switch pub.(type) {
		case *rsa.PublicKey:
			c.Alg = "RS384"
		case *ecdsa.PublicKey:
			c.Alg = "ES384"
		}
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if c.Alg != "RS384" || k.N.BitLen() < 2048 {
			return c, fmt.Errorf("upstream: an RSA key of 2048 bits or more signs RS384, not %q", c.Alg)
		}
	case *ecdsa.PublicKey:
		if c.Alg != "ES384" || k.Curve != elliptic.P384() {
			return c, fmt.Errorf("upstream: an ECDSA P-384 key signs ES384, not %q", c.Alg)
		}
	default:
		return c, fmt.Errorf("upstream: a %T key cannot sign RS384 or ES384", pub)
	}
	if c.KeyID == "" {
		t, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
		if err != nil {
			return c, err
		}
		c.KeyID = base64.RawURLEncoding.EncodeToString(t)
	}
	return c, nil
}

// ParseKey decodes a PEM private key for Credentials.Key: PKCS #8
// ("PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY") or PKCS #1 ("RSA PRIVATE
// KEY").
func ParseKey(data []byte) (crypto.Signer, error) {
	for {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			return nil, errors.New("upstream: no PEM private key found")
		}
		var k any
		var err error
		switch blk.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(blk.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("upstream: %s: %w", blk.Type, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("upstream: a %T cannot sign", k)
		}
		return s, nil
	}
}
