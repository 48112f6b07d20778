package keys

import (
	"crypto"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// The two signing algorithms, one per key.
const (
	// algES256 signs access tokens (RFC 7518 §3.4, P-256).
	algES256 = "ES256"
	// algRS256 signs id_tokens, as SMART requires (RFC 7518 §3.3).
	algRS256 = "RS256"
)

// key is one signing key as held in memory.
type key struct {
	kid     string
	alg     string
	created time.Time
	retired time.Time // zero while current
	expires time.Time // end of verification; zero while current
	signer  crypto.Signer
	public  crypto.PublicKey
	jwk     jwk
}

// live reports whether the key may still verify a token at now.
func (k *key) live(now time.Time) bool {
	return k.expires.IsZero() || now.Before(k.expires)
}

// keyRecord is a key as stored in the bucket, one JSON value per key. The
// dates stay outside the sealed part so that Rotate can retire a key
// without the passphrase-derived key touching its private half.
type keyRecord struct {
	Kid     string    `json:"kid"`
	Alg     string    `json:"alg"`
	Created time.Time `json:"created"`
	Retired time.Time `json:"retired,omitzero"`
	Expires time.Time `json:"expires,omitzero"`
	// Private is the PKCS #8 DER private key, sealed with the kid as
	// additional data when the store is encrypted.
	Private []byte `json:"private"`
}

// generateKey makes a new key for alg. rsaBits is the RSA modulus size.
func generateKey(alg string, rsaBits int, now time.Time) (*key, error) {
	var signer crypto.Signer
	var err error
	switch alg {
	case algES256:
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case algRS256:
		signer, err = rsa.GenerateKey(rand.Reader, rsaBits)
	default:
		return nil, fmt.Errorf("unknown algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	j, err := publicJWK(alg, signer.Public())
	if err != nil {
		return nil, err
	}
	return &key{kid: j.Kid, alg: alg, created: now.UTC(), signer: signer, public: signer.Public(), jwk: j}, nil
}

// encodeKey returns the stored form of k, sealing the private key when
// aead is not nil.
func encodeKey(k *key, aead cipher.AEAD, rnd io.Reader) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.signer)
	if err != nil {
		return nil, err
	}
	if aead != nil {
		if der, err = seal(aead, rnd, der, []byte(k.kid)); err != nil {
			return nil, err
		}
	}
	return json.Marshal(keyRecord{Kid: k.kid, Alg: k.alg, Created: k.created,
		Retired: k.retired, Expires: k.expires, Private: der})
}

// decodeKey parses a stored key, unsealing it when aead is not nil, and
// checks that the key fits its algorithm and that the kid is its
// thumbprint.
func decodeKey(raw []byte, aead cipher.AEAD) (*key, error) {
	var rec keyRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	der := rec.Private
	if aead != nil {
		var err error
		if der, err = unseal(aead, der, []byte(rec.Kid)); err != nil {
			return nil, fmt.Errorf("%w: key %s does not decrypt: %v", ErrCorrupt, rec.Kid, err)
		}
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: key %s: %v", ErrCorrupt, rec.Kid, err)
	}
	var signer crypto.Signer
	switch p := priv.(type) {
	case *ecdsa.PrivateKey:
		if rec.Alg == algES256 && p.Curve == elliptic.P256() {
			signer = p
		}
	case *rsa.PrivateKey:
		if rec.Alg == algRS256 && p.N.BitLen() >= 2048 {
			signer = p
		}
	}
	if signer == nil {
		return nil, fmt.Errorf("%w: key %s is a %T, not an %s key", ErrCorrupt, rec.Kid, priv, rec.Alg)
	}
	j, err := publicJWK(rec.Alg, signer.Public())
	if err != nil {
		return nil, err
	}
	if j.Kid != rec.Kid {
		return nil, fmt.Errorf("%w: kid %s is not the thumbprint of its key", ErrCorrupt, rec.Kid)
	}
	return &key{kid: rec.Kid, alg: rec.Alg, created: rec.Created, retired: rec.Retired,
		expires: rec.Expires, signer: signer, public: signer.Public(), jwk: j}, nil
}
