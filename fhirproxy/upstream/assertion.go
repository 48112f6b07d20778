package upstream

import (
	"context"
	"crypto"
	"crypto/rand"
	_ "crypto/sha512" // SHA-384 for RS384 and ES384
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// assertionLifetime is how long a client assertion is valid: SMART
// Backend Services allows at most five minutes.
const assertionLifetime = 5 * time.Minute

// defaultTokenLifetime is assumed when a token response has no
// expires_in.
const defaultTokenLifetime = 5 * time.Minute

// request gets an access token with the client_credentials grant and a
// signed client assertion (SMART App Launch 2.2, Backend Services,
// "Request access token"; RFC 7523 §2.2).
func (t *tokens) request(ctx context.Context) (string, time.Duration, error) {
	tokenURL, err := t.endpoint(ctx)
	if err != nil {
		return "", 0, err
	}
	assertion, err := t.assertion(tokenURL)
	if err != nil {
		return "", 0, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {t.creds.Scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	status, err := t.getJSON(req, &out)
	switch {
	case err != nil:
		return "", 0, err
	case status != http.StatusOK:
		return "", 0, fmt.Errorf("the token endpoint %s answered %d %s: %s", tokenURL, status, out.Error, out.Description)
	case out.AccessToken == "" || !strings.EqualFold(out.TokenType, "bearer"):
		return "", 0, fmt.Errorf("the token endpoint %s answered no bearer token", tokenURL)
	}
	lifetime := time.Duration(out.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = defaultTokenLifetime
	}
	return out.AccessToken, lifetime, nil
}

// endpoint returns the token endpoint, discovering it from the upstream's
// SMART configuration (SMART App Launch 2.2, "Conformance") on first use.
func (t *tokens) endpoint(ctx context.Context) (string, error) {
	t.mu.Lock()
	u := t.tokenURL
	t.mu.Unlock()
	if u != "" {
		return u, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.upstream+"/.well-known/smart-configuration", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	var conf struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	status, err := t.getJSON(req, &conf)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK || conf.TokenEndpoint == "" {
		return "", fmt.Errorf("%s names no token_endpoint (status %d)", req.URL, status)
	}
	t.mu.Lock()
	t.tokenURL = conf.TokenEndpoint
	t.mu.Unlock()
	return conf.TokenEndpoint, nil
}

// getJSON runs req and decodes its JSON answer into out, returning the
// status.
func (t *tokens) getJSON(req *http.Request, out any) (int, error) {
	resp, err := t.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(body, out); err != nil && resp.StatusCode == http.StatusOK {
		return 0, fmt.Errorf("%s: %w", req.URL, err)
	}
	return resp.StatusCode, nil
}

// assertion signs a client assertion for the token endpoint: iss and sub
// the client_id, aud the token URL, a fresh jti, at most five minutes of
// life (SMART App Launch 2.2, Backend Services, "Authenticating to the
// Token endpoint").
func (t *tokens) assertion(tokenURL string) (string, error) {
	now := t.now()
	c := t.creds
	tok := jwt.NewWithClaims(signers[c.Alg], jwt.RegisteredClaims{
		Issuer: c.ClientID, Subject: c.ClientID, Audience: jwt.ClaimStrings{tokenURL},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(assertionLifetime)), ID: rand.Text(),
	})
	tok.Header["kid"] = c.KeyID
	return tok.SignedString(c.Key)
}

// signers are the JWS algorithms of client assertions, signing with any
// crypto.Signer (a key in memory, or one in a KMS or HSM).
var signers = map[string]*signer{
	"RS384": {alg: "RS384", hash: crypto.SHA384},
	"ES384": {alg: "ES384", hash: crypto.SHA384, ecSize: 48},
}

// signer is a jwt.SigningMethod over crypto.Signer. ecSize, for ECDSA, is
// the byte size of r and s in the JWS signature (RFC 7518 §3.4).
type signer struct {
	alg    string
	hash   crypto.Hash
	ecSize int
}

// Alg implements jwt.SigningMethod.
func (s *signer) Alg() string { return s.alg }

// Verify implements jwt.SigningMethod; assertions are only signed here.
func (s *signer) Verify(string, []byte, any) error {
	return errors.New("upstream: client assertions are not verified here")
}

// Sign implements jwt.SigningMethod: RSASSA-PKCS1-v1_5 or ECDSA over the
// hash, the ECDSA signature turned from ASN.1 into r || s.
func (s *signer) Sign(signingString string, key any) ([]byte, error) {
	k, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("upstream: a %T cannot sign", key)
	}
	h := s.hash.New()
	h.Write([]byte(signingString))
	sig, err := k.Sign(rand.Reader, h.Sum(nil), s.hash)
	if err != nil || s.ecSize == 0 {
		return sig, err
	}
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) > 0 {
		return nil, errors.New("upstream: malformed ECDSA signature")
	}
	out := make([]byte, 2*s.ecSize)
	rs.R.FillBytes(out[:s.ecSize])
	rs.S.FillBytes(out[s.ecSize:])
	return out, nil
}
