package conformance

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// signingKey is a Backend Services client's private key.
type signingKey struct {
	priv      crypto.Signer
	alg, kid  string
	publicPEM []byte // the public key as PEM, the HMAC secret of the alg-confusion check
}

// parseSigningKey reads a PEM private key (PKCS #8, PKCS #1 or SEC 1).
// alg "" is chosen from the key; kid "" is its RFC 7638 thumbprint.
func parseSigningKey(pemBytes []byte, kid, alg string) (*signingKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("the key is not PEM")
	}
	var priv crypto.Signer
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("the PKCS #8 key is a %T, not an RSA or EC key", k)
		}
		priv = s
	} else if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		priv = k
	} else if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		priv = k
	} else {
		return nil, fmt.Errorf("the PEM block %q is not a PKCS #8, PKCS #1 or SEC 1 private key", block.Type)
	}
	want, err := keyAlg(priv)
	if err != nil {
		return nil, err
	}
	if alg == "" {
		alg = want
	} else if m := jwt.GetSigningMethod(alg); m == nil || !algFits(alg, priv) {
		return nil, fmt.Errorf("alg %s does not fit a %s key (try %s)", alg, keyKind(priv), want)
	}
	der, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	if kid == "" {
		if kid, err = thumbprint(priv.Public()); err != nil {
			return nil, err
		}
	}
	return &signingKey{priv: priv, alg: alg, kid: kid,
		publicPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}, nil
}

// thumbprint is the RFC 7638 SHA-256 thumbprint of a public key,
// base64url: the kid smartd (and many servers) give a key registered
// without one.
func thumbprint(pub crypto.PublicKey) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// keyAlg is the algorithm SMART expects for a key: ES384 for P-384 and
// RS384 for RSA (client-confidential-asymmetric.html), and the ES
// algorithm of the curve otherwise.
func keyAlg(k crypto.Signer) (string, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return "RS384", nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
	}
	return "", fmt.Errorf("a %s key cannot sign a SMART client assertion (RSA or EC P-256/P-384/P-521)", keyKind(k))
}

func keyKind(k crypto.Signer) string {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PrivateKey:
		return "EC " + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", k)
}

func algFits(alg string, k crypto.Signer) bool {
	want, _ := keyAlg(k)
	switch k.(type) {
	case *rsa.PrivateKey:
		return alg[:2] == "RS" || alg[:2] == "PS"
	case *ecdsa.PrivateKey:
		return alg == want
	}
	return false
}

// otherKey is a fresh key of the same kind, which the server does not
// know.
func (k *signingKey) otherKey() (*signingKey, error) {
	var priv crypto.Signer
	var err error
	switch p := k.priv.(type) {
	case *rsa.PrivateKey:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case *ecdsa.PrivateKey:
		priv, err = ecdsa.GenerateKey(p.Curve, rand.Reader)
	default:
		err = fmt.Errorf("cannot make a key like a %T", p)
	}
	if err != nil {
		return nil, err
	}
	return &signingKey{priv: priv, alg: k.alg, kid: k.kid, publicPEM: k.publicPEM}, nil
}

// assertion is a client assertion (RFC 7523 §3, SMART Backend Services
// "Protocol details") before signing; checks edit it to break one rule.
type assertion struct {
	header, claims map[string]any
	key            *signingKey
	// hmacSecret, when set, signs with HS256 under this secret; none
	// leaves the signature empty (alg none).
	hmacSecret []byte
	none       bool
}

// newAssertion is a valid assertion for clientID at aud: iss and sub the
// client, a fresh 64-hex-digit jti, exp 4½ minutes ahead (within the 5
// the spec allows, with room for clock skew).
func (k *signingKey) newAssertion(clientID, aud string, now time.Time) *assertion {
	return &assertion{
		header: map[string]any{"alg": k.alg, "kid": k.kid, "typ": "JWT"},
		claims: map[string]any{"iss": clientID, "sub": clientID, "aud": aud, "jti": newJTI(),
			"iat": now.Unix(), "exp": now.Add(270 * time.Second).Unix()},
		key: k,
	}
}

// newJTI is 32 random bytes in hex.
func newJTI() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// sign returns the compact JWS.
func (a *assertion) sign() (string, error) {
	h, err := json.Marshal(a.header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(a.claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	var sig []byte
	switch {
	case a.none:
	case a.hmacSecret != nil:
		sig, err = jwt.SigningMethodHS256.Sign(input, a.hmacSecret)
	default:
		sig, err = jwt.GetSigningMethod(a.key.alg).Sign(input, a.key.priv)
	}
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
