package keys

import (
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// The typ header values smartd signs with.
const (
	// typAccessToken is RFC 9068 §2.1's media type for JWT access tokens.
	// SMART apps treat access tokens as opaque, so no client reads it;
	// resource servers check it so that an id_token or a client assertion
	// is never taken for an access token (RFC 9068 §4, RFC 8725 §3.11).
	typAccessToken = "at+jwt"
	// typIDToken: OpenID Connect Core defines no typ for id_tokens, and
	// some client libraries reject anything but "JWT".
	typIDToken = "JWT"
)

// SignAccessToken signs claims as an RFC 9068 access token: ES256 with the
// current EC key, header kid and typ "at+jwt". The claims must carry exp
// within Options.Retain of now (ErrLifetime).
func (k *Keys) SignAccessToken(claims jwt.Claims) (string, error) {
	return k.sign(k.ring.Load().es, jwt.SigningMethodES256, typAccessToken, claims)
}

// SignIDToken signs claims as an OpenID Connect id_token: RS256 with the
// current RSA key, as SMART App Launch requires, header kid and typ "JWT".
// The claims must carry exp within Options.Retain of now (ErrLifetime).
func (k *Keys) SignIDToken(claims jwt.Claims) (string, error) {
	return k.sign(k.ring.Load().rs, jwt.SigningMethodRS256, typIDToken, claims)
}

// sign checks the lifetime and signs. The header is built here rather than
// by jwt.NewWithClaims so that kid and typ are set once.
func (k *Keys) sign(key *key, m jwt.SigningMethod, typ string, claims jwt.Claims) (string, error) {
	exp, err := claims.GetExpirationTime()
	if err != nil {
		return "", fmt.Errorf("keys: sign: %w", err)
	}
	if exp == nil || exp.After(k.now().Add(k.retain)) {
		return "", fmt.Errorf("keys: sign: %w (%v)", ErrLifetime, k.retain)
	}
	t := &jwt.Token{
		Header: map[string]any{"alg": m.Alg(), "kid": key.kid, "typ": typ},
		Claims: claims,
		Method: m,
	}
	s, err := t.SignedString(key.signer)
	if err != nil {
		return "", fmt.Errorf("keys: sign: %w", err)
	}
	return s, nil
}
