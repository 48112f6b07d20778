package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// forge signs claims with any header, method and key, for tokens smartd
// would never make.
func forge(t testing.TB, m jwt.SigningMethod, header map[string]any, c jwt.Claims, key any) string {
	t.Helper()
	h := map[string]any{"alg": m.Alg()}
	for name, v := range header {
		h[name] = v
	}
	s, err := (&jwt.Token{Method: m, Header: h, Claims: c}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// refusalCase is one token and how verification must treat it.
type refusalCase struct {
	name  string
	token string
	// access is the error VerifyAccessToken must return (nil: accept).
	access error
	// keyfunc is the error Keyfunc alone must produce under a parser with
	// no method restriction (nil: accept).
	keyfunc error
}

// refusalCases builds the table against k, whose clock is at t0.
func refusalCases(t testing.TB, k *Keys) []refusalCase {
	t.Helper()
	r := k.ring.Load()
	ec, rs := r.es, r.rs
	c := claims(t0, time.Hour)
	expired := claims(t0.Add(-2*time.Hour), time.Hour)
	foreign, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPoint, err := ec.public.(*ecdsa.PublicKey).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	access, err := k.SignAccessToken(c)
	if err != nil {
		t.Fatal(err)
	}
	id, err := k.SignIDToken(c)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(access, ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sig[3] ^= 1
	tampered := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	atHeader := func(kid string) map[string]any { return map[string]any{"kid": kid, "typ": "at+jwt"} }
	return []refusalCase{
		{"access token", access, nil, nil},
		{"typ application/at+jwt", forge(t, jwt.SigningMethodES256, map[string]any{"kid": ec.kid, "typ": "application/AT+JWT"}, c, ec.signer), nil, nil},
		{"id token as access token", id, jwt.ErrTokenSignatureInvalid, nil},
		{"ES256 with typ JWT", forge(t, jwt.SigningMethodES256, map[string]any{"kid": ec.kid, "typ": "JWT"}, c, ec.signer), ErrTokenType, nil},
		{"no kid", forge(t, jwt.SigningMethodES256, map[string]any{"typ": "at+jwt"}, c, ec.signer), ErrNoKid, ErrNoKid},
		{"empty kid", forge(t, jwt.SigningMethodES256, atHeader(""), c, ec.signer), ErrNoKid, ErrNoKid},
		{"kid not a string", forge(t, jwt.SigningMethodES256, map[string]any{"kid": 7, "typ": "at+jwt"}, c, ec.signer), ErrNoKid, ErrNoKid},
		{"unknown kid", forge(t, jwt.SigningMethodES256, atHeader("nope"), c, foreign), ErrUnknownKid, ErrUnknownKid},
		{"our kid, foreign key", forge(t, jwt.SigningMethodES256, atHeader(ec.kid), c, foreign), jwt.ErrTokenSignatureInvalid, jwt.ErrTokenSignatureInvalid},
		{"alg none", forge(t, jwt.SigningMethodNone, atHeader(ec.kid), c, jwt.UnsafeAllowNoneSignatureType), jwt.ErrTokenSignatureInvalid, ErrAlgMismatch},
		// The classic confusion: the public key used as an HMAC secret.
		{"HS256 keyed with the EC public key", forge(t, jwt.SigningMethodHS256, atHeader(ec.kid), c, ecPoint), jwt.ErrTokenSignatureInvalid, ErrAlgMismatch},
		{"HS256 keyed with the RSA modulus", forge(t, jwt.SigningMethodHS256, atHeader(rs.kid), c, []byte(rs.jwk.N)), jwt.ErrTokenSignatureInvalid, ErrAlgMismatch},
		{"RS256 under the EC kid", forge(t, jwt.SigningMethodRS256, atHeader(ec.kid), c, rs.signer), jwt.ErrTokenSignatureInvalid, ErrAlgMismatch},
		{"ES256 under the RSA kid", forge(t, jwt.SigningMethodES256, atHeader(rs.kid), c, ec.signer), ErrAlgMismatch, ErrAlgMismatch},
		{"ES384 under the EC kid", forgeES384(t, ec.kid, c), jwt.ErrTokenSignatureInvalid, ErrAlgMismatch},
		{"tampered signature", tampered, jwt.ErrTokenSignatureInvalid, jwt.ErrTokenSignatureInvalid},
		{"expired", forge(t, jwt.SigningMethodES256, atHeader(ec.kid), expired, ec.signer), jwt.ErrTokenExpired, jwt.ErrTokenExpired},
		{"malformed", "a.b", jwt.ErrTokenMalformed, jwt.ErrTokenMalformed},
	}
}

// forgeES384 signs with a P-384 key under kid.
func forgeES384(t testing.TB, kid string, c jwt.Claims) string {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return forge(t, jwt.SigningMethodES384, map[string]any{"kid": kid, "typ": "at+jwt"}, c, key)
}

func TestVerifyRefusals(t *testing.T) {
	c := newClock()
	k, _ := newKeys(t, Options{Now: c.Now})
	for _, tc := range refusalCases(t, k) {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := k.VerifyAccessToken(tc.token, &jwt.RegisteredClaims{})
			if !errors.Is(err, tc.access) || (err == nil) != (tc.access == nil) {
				t.Errorf("VerifyAccessToken: %v, want %v", err, tc.access)
			}
			if err == nil && (!tok.Valid || tok.Header["kid"] != k.ring.Load().es.kid) {
				t.Errorf("accepted token: valid %v, kid %v", tok.Valid, tok.Header["kid"])
			}
			p := jwt.NewParser(jwt.WithTimeFunc(c.Now))
			_, err = p.ParseWithClaims(tc.token, &jwt.RegisteredClaims{}, k.Keyfunc())
			if !errors.Is(err, tc.keyfunc) || (err == nil) != (tc.keyfunc == nil) {
				t.Errorf("Keyfunc: %v, want %v", err, tc.keyfunc)
			}
		})
	}
}

func TestVerifyOptions(t *testing.T) {
	c := newClock()
	k, _ := newKeys(t, Options{Now: c.Now})
	tok, err := k.SignAccessToken(claims(t0, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts []jwt.ParserOption
		want error
	}{
		{"audience", []jwt.ParserOption{jwt.WithAudience("https://smartd.example/fhir")}, nil},
		{"wrong audience", []jwt.ParserOption{jwt.WithAudience("https://other.example/fhir")}, jwt.ErrTokenInvalidAudience},
		{"wrong issuer", []jwt.ParserOption{jwt.WithIssuer("https://other.example/")}, jwt.ErrTokenInvalidIssuer},
		// A caller cannot widen the algorithms: RS256 stays refused.
		{"methods widened", []jwt.ParserOption{jwt.WithValidMethods([]string{"RS256"})}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.VerifyAccessToken(tok, &jwt.RegisteredClaims{}, tc.opts...)
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Errorf("%v, want %v", err, tc.want)
			}
		})
	}
	rsTok := forge(t, jwt.SigningMethodRS256, map[string]any{"kid": k.ring.Load().rs.kid, "typ": "at+jwt"},
		claims(t0, time.Hour), k.ring.Load().rs.signer)
	_, err = k.VerifyAccessToken(rsTok, &jwt.RegisteredClaims{}, jwt.WithValidMethods([]string{"RS256"}))
	if !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		t.Errorf("RS256 access token with widened methods: %v, want refused", err)
	}
}

func TestRotateRetention(t *testing.T) {
	c := newClock()
	const retain = 2 * time.Hour
	k, db := newKeys(t, Options{Now: c.Now, Retain: retain})
	old, err := k.SignAccessToken(claims(c.Now(), time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	oldKid := k.ring.Load().es.kid

	c.Add(10 * time.Minute)
	rotatedAt := c.Now()
	if err := k.Rotate(); err != nil {
		t.Fatal(err)
	}
	fresh, err := k.SignAccessToken(claims(c.Now(), time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := k.VerifyAccessToken(fresh, &jwt.RegisteredClaims{})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Header["kid"] == oldKid {
		t.Errorf("token after rotation still signed with %s", oldKid)
	}
	var current, retired int
	for _, in := range k.List() {
		switch {
		case in.Current && in.Retired.IsZero() && in.Expires.IsZero():
			current++
		case !in.Current && in.Retired.Equal(rotatedAt) && in.Expires.Equal(rotatedAt.Add(retain)):
			retired++
		default:
			t.Errorf("List entry %+v", in)
		}
	}
	if current != 2 || retired != 2 {
		t.Errorf("List: %d current, %d retired, want 2 and 2", current, retired)
	}

	// A leeway longer than the retention isolates the key's retention
	// from the token's own exp.
	leeway := jwt.WithLeeway(24 * time.Hour)
	for _, step := range []struct {
		at      time.Duration // after rotation
		oldOK   bool
		jwksLen int
	}{
		{30 * time.Minute, true, 4},
		{retain - time.Second, true, 4},
		{retain, false, 2},
		{3 * retain, false, 2},
	} {
		c.Add(rotatedAt.Add(step.at).Sub(c.Now()))
		_, err := k.VerifyAccessToken(old, &jwt.RegisteredClaims{}, leeway)
		if step.oldOK && err != nil {
			t.Errorf("+%v: old token: %v", step.at, err)
		}
		if !step.oldOK && !errors.Is(err, ErrUnknownKid) {
			t.Errorf("+%v: old token: %v, want ErrUnknownKid", step.at, err)
		}
		if n := strings.Count(string(k.JWKS()), `"kid"`); n != step.jwksLen {
			t.Errorf("+%v: JWKS has %d keys, want %d", step.at, n, step.jwksLen)
		}
		if _, err := k.VerifyAccessToken(fresh, &jwt.RegisteredClaims{}, leeway); err != nil {
			t.Errorf("+%v: fresh token: %v", step.at, err)
		}
	}
	if n := len(k.List()); n != 2 {
		t.Errorf("List after retention: %d keys, want 2", n)
	}

	// Reopening after the retention deletes the retired records.
	if _, err := Open(db, Options{Now: c.Now, Retain: retain}); err != nil {
		t.Fatal(err)
	}
	var records int
	for name := range bucketEntries(t, db) {
		if strings.HasPrefix(name, string(keyPrefix)) {
			records++
		}
	}
	if records != 2 {
		t.Errorf("%d key records after retention, want 2", records)
	}
}

func TestConcurrentSignRotate(t *testing.T) {
	k, _ := newKeys(t, Options{})
	done := make(chan error)
	for range 4 {
		go func() {
			for range 50 {
				tok, err := k.SignAccessToken(claims(time.Now(), time.Minute))
				if err == nil {
					_, err = k.VerifyAccessToken(tok, &jwt.RegisteredClaims{})
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 3 {
		if err := k.Rotate(); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if n := len(k.List()); n != 8 {
		t.Errorf("after 3 rotations %d keys, want 8", n)
	}
}
