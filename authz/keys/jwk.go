package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// jwk is the public JWK of one key (RFC 7517 §4, RFC 7518 §6.2.1 and
// §6.3.1). It has no field for a private member, so the JWKS built from it
// cannot carry one.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// jwks is the RFC 7517 §5 JWK Set.
type jwks struct {
	Keys []jwk `json:"keys"`
}

var b64 = base64.RawURLEncoding

// publicJWK returns the public JWK of pub with its kid set to the RFC 7638
// thumbprint.
func publicJWK(alg string, pub crypto.PublicKey) (jwk, error) {
	var j jwk
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		j = jwk{Kty: "RSA", N: b64.EncodeToString(pub.N.Bytes()),
			E: b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P256() {
			return jwk{}, fmt.Errorf("%w: EC key not on P-256", ErrCorrupt)
		}
		// SEC 1 uncompressed point: 0x04 || X || Y, each 32 bytes, the
		// fixed-length form RFC 7518 §6.2.1.2 requires.
		pt, err := pub.Bytes()
		if err != nil {
			return jwk{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		j = jwk{Kty: "EC", Crv: "P-256", X: b64.EncodeToString(pt[1:33]), Y: b64.EncodeToString(pt[33:65])}
	default:
		return jwk{}, fmt.Errorf("%w: key type %T", ErrCorrupt, pub)
	}
	j.Use, j.Alg = "sig", alg
	j.Kid = thumbprint(j)
	return j, nil
}

// thumbprint is the RFC 7638 §3 JWK thumbprint: SHA-256 over the required
// members in lexicographic order with no whitespace, base64url without
// padding. The member values are base64url or fixed names, which JSON never
// escapes, so the canonical form is written directly.
func thumbprint(j jwk) string {
	var canon string
	switch j.Kty {
	case "RSA":
		canon = `{"e":"` + j.E + `","kty":"RSA","n":"` + j.N + `"}`
	case "EC":
		canon = `{"crv":"` + j.Crv + `","kty":"EC","x":"` + j.X + `","y":"` + j.Y + `"}`
	}
	sum := sha256.Sum256([]byte(canon))
	return b64.EncodeToString(sum[:])
}

// marshalJWKS returns the set of the given keys' public JWKs.
func marshalJWKS(ks []*key) []byte {
	set := jwks{Keys: make([]jwk, 0, len(ks))}
	for _, k := range ks {
		set.Keys = append(set.Keys, k.jwk)
	}
	// A struct of strings always marshals.
	b, err := json.Marshal(set)
	if err != nil {
		panic(err)
	}
	return b
}
