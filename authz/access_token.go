package authz

import (
	"encoding/base64"
	"errors"
	"io"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"smartd/authz/oauth"
)

// AccessTokenClaims are the claims of smartd's access tokens: RFC 9068
// §2.2's iss, exp, aud, sub, client_id, iat and jti, and the granted
// scope. iss and aud are the FHIR base; for client_credentials sub is the
// client_id (RFC 9068 §2.2: the client acting on its own behalf), for the
// authorization_code and refresh_token grants the user, and the private
// claim grant names the grant the token was issued from, so that revoking
// the grant ends the token. patient, encounter and fhirUser carry the
// launch context.
type AccessTokenClaims struct {
	jwt.RegisteredClaims
	ClientID  string `json:"client_id"`
	Scope     string `json:"scope"`
	Grant     string `json:"grant,omitempty"`
	Patient   string `json:"patient,omitempty"`
	Encounter string `json:"encounter,omitempty"`
	FHIRUser  string `json:"fhirUser,omitempty"`
	// SimulateFHIR401After is set by launch simulation (sandbox only):
	// the FHIR API answers 401 once the token has made this many
	// requests (simulation.Options.FHIR401After).
	SimulateFHIR401After *int `json:"smartd_simulate_fhir_401_after,omitempty"`
}

// jtiBytes is the entropy of a token id: 128 bits make a collision
// across every token ever issued negligible.
const jtiBytes = 16

// newJTI returns a fresh token id, base64url.
func newJTI(r io.Reader) (string, error) {
	b := make([]byte, jtiBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// issued is a minted access token.
type issued struct {
	token  string
	claims AccessTokenClaims
}

// mintAccessToken signs an access token for clientID, subject sub, with
// the granted scope, living Options.AccessTokenLifetime from now.
func (s *Server) mintAccessToken(clientID, sub, granted string) (issued, error) {
	return s.mint(AccessTokenClaims{ClientID: clientID, Scope: granted, RegisteredClaims: jwt.RegisteredClaims{Subject: sub}})
}

// mint completes c (iss, aud, exp, iat, jti) and signs it.
func (s *Server) mint(c AccessTokenClaims) (issued, error) {
	return s.mintFor(c, s.opts.AccessTokenLifetime)
}

// mintFor is mint with a lifetime of its own (launch simulation's; zero
// makes a token expired when issued).
func (s *Server) mintFor(c AccessTokenClaims, lifetime time.Duration) (issued, error) {
	jti, err := newJTI(s.opts.Rand)
	if err != nil {
		return issued{}, oauth.Internal(err)
	}
	now := s.opts.Now().Truncate(time.Second)
	c.RegisteredClaims = jwt.RegisteredClaims{
		Issuer:    s.opts.Issuer,
		Subject:   c.Subject,
		Audience:  jwt.ClaimStrings{s.opts.Issuer},
		ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        jti,
	}
	tok, err := s.opts.Keys.SignAccessToken(c)
	if err != nil {
		return issued{}, oauth.Internal(err)
	}
	return issued{tok, c}, nil
}

// verifyAccessToken verifies one of our access tokens: signature, typ,
// exp, iss and aud the FHIR base, and neither it nor its grant revoked.
// Any failure is reported as "not a valid token" without detail.
func (s *Server) verifyAccessToken(token string) (*AccessTokenClaims, bool) {
	c, err := s.ParseAccessToken(token)
	if err != nil || s.TokenRevoked(c) {
		return nil, false
	}
	return c, true
}

// ErrTokenExpired is returned by ParseAccessToken for a token past its exp.
var ErrTokenExpired = errors.New("the access token has expired")

// ErrTokenInvalid is returned by ParseAccessToken for anything else that
// makes a token unacceptable: a bad signature, an unknown kid, another
// issuer or audience, a malformed token.
var ErrTokenInvalid = errors.New("the access token is not valid here")

// ParseAccessToken verifies an access token's signature (ES256, a kid of
// our key set), typ, iss and aud (the FHIR base), iat and exp, and returns
// its claims. It does not check revocation: see TokenRevoked, which is
// cheap enough for every request while this is not (about 80 µs).
func (s *Server) ParseAccessToken(token string) (*AccessTokenClaims, error) {
	var c AccessTokenClaims
	_, err := s.opts.Keys.VerifyAccessToken(token, &c, jwt.WithIssuer(s.opts.Issuer), jwt.WithAudience(s.opts.Issuer), jwt.WithIssuedAt())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, ErrTokenExpired
	case err != nil || c.ID == "" || c.ExpiresAt == nil:
		return nil, ErrTokenInvalid
	}
	return &c, nil
}

// TokenRevoked reports whether the token with these claims was revoked,
// itself (by jti) or through its grant. It reads memory only.
func (s *Server) TokenRevoked(c *AccessTokenClaims) bool {
	return s.opts.Revocations.Revoked(c.ID) || s.GrantRevoked(c.Grant)
}
