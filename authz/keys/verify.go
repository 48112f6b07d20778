package keys

import (
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// accessMethods are the algorithms VerifyAccessToken accepts; never
// mutated.
var accessMethods = []string{algES256}

// Keyfunc returns a jwt.Keyfunc over every key that may still verify a
// token: it picks the key named by the header kid and refuses a token
// without kid (ErrNoKid), with an unknown or expired kid (ErrUnknownKid),
// or whose alg is not the key's one algorithm (ErrAlgMismatch), so none,
// HMAC and RSA/EC confusion never reach signature checking. Parse with
// jwt.WithValidMethods as well, to say which token kind is expected.
func (k *Keys) Keyfunc() jwt.Keyfunc {
	return k.keyfunc
}

func (k *Keys) keyfunc(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, ErrNoKid
	}
	key := k.ring.Load().byKid[kid]
	if key == nil || !key.live(k.now()) {
		return nil, ErrUnknownKid
	}
	if t.Method == nil || t.Method.Alg() != key.alg {
		return nil, ErrAlgMismatch
	}
	return key.public, nil
}

// accessKeyfunc is keyfunc for access tokens, which must also carry the
// RFC 9068 typ.
func (k *Keys) accessKeyfunc(t *jwt.Token) (any, error) {
	typ, _ := t.Header["typ"].(string)
	// RFC 9068 §4: "at+jwt" or "application/at+jwt"; media types compare
	// case-insensitively (RFC 7515 §4.1.9).
	typ = strings.TrimPrefix(strings.ToLower(typ), "application/")
	if typ != typAccessToken {
		return nil, ErrTokenType
	}
	return k.keyfunc(t)
}

// VerifyAccessToken parses an access token into claims and verifies it as
// the enforcement point and introspection need: ES256 only, typ "at+jwt",
// a live key by kid, exp required and checked against Options.Now. opts add
// checks such as jwt.WithAudience, jwt.WithIssuer and jwt.WithLeeway; they
// cannot widen the accepted algorithms. Errors wrap jwt's sentinels
// (jwt.ErrTokenExpired, jwt.ErrTokenSignatureInvalid...) and this
// package's (ErrUnknownKid...).
func (k *Keys) VerifyAccessToken(token string, claims jwt.Claims, opts ...jwt.ParserOption) (*jwt.Token, error) {
	all := make([]jwt.ParserOption, 0, len(opts)+3)
	all = append(all, jwt.WithTimeFunc(k.now), jwt.WithExpirationRequired())
	all = append(all, opts...)
	all = append(all, jwt.WithValidMethods(accessMethods))
	return jwt.NewParser(all...).ParseWithClaims(token, claims, k.accessKeyfunc)
}
