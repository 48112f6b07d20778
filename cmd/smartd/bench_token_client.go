package main

import (
	"bytes"
	"cmp"
	"context"
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
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// tokenBenchAlg is an assertion algorithm bench-token signs with.
type tokenBenchAlg struct {
	alg         string
	method      jwt.SigningMethod
	defaultRate int // tokens/s that sizes the default pool
}

// tokenBenchAlgs are SMART's two required assertion algorithms
// (client-confidential-asymmetric.html). Never mutated.
var tokenBenchAlgs = map[string]tokenBenchAlg{
	"RS384": {"RS384", jwt.SigningMethodRS384, 15000},
	"ES384": {"ES384", jwt.SigningMethodES384, 5000},
}

// jwtBearer is the RFC 7523 client assertion type.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// tokenEndpoints are the discovered endpoints bench-token and bench
// -scenario authorize use.
type tokenEndpoints struct {
	Token        string `json:"token_endpoint"`
	Registration string `json:"registration_endpoint"`
	Authorize    string `json:"authorization_endpoint"`
	// Issuer is smartd's FHIR base, the aud of an authorize request.
	Issuer string `json:"issuer"`
}

// discoverTokenEndpoints reads the SMART configuration below base, or
// below base+"/fhir" when base is the server root, and refuses endpoints
// that are not on loopback.
func discoverTokenEndpoints(ctx context.Context, client *http.Client, base *url.URL) (tokenEndpoints, error) {
	var firstErr error
	for _, fhir := range []string{base.String(), base.String() + "/fhir"} {
		var ep tokenEndpoints
		err := benchJSON(ctx, client, http.MethodGet, fhir+"/.well-known/smart-configuration", nil, http.StatusOK, &ep)
		if err == nil && ep.Token == "" {
			err = fmt.Errorf("%s/.well-known/smart-configuration names no token_endpoint", fhir)
		}
		if err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		for _, u := range []string{ep.Token, ep.Registration, ep.Authorize} {
			if p, err := url.Parse(u); u != "" && (err != nil || !loopbackHost(p.Hostname())) {
				return ep, fmt.Errorf("the SMART configuration names %s: %w", u, errNotLoopback)
			}
		}
		return ep, nil
	}
	return tokenEndpoints{}, fmt.Errorf("discovering the token endpoint: %w", firstErr)
}

// benchJSON sends a request with an optional JSON body and decodes the
// JSON answer into v when its status is want.
func benchJSON(ctx context.Context, client *http.Client, method, u string, body []byte, want int, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %.300s", method, u, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s %s: %v", method, u, err)
	}
	return nil
}

// assertionSigner signs client assertions for one registered client.
type assertionSigner struct {
	clientID, kid string
	method        jwt.SigningMethod
	key           crypto.Signer
}

// registerBenchClient makes a fresh key (RSA 2048 for RS384, P-384 for
// ES384) and registers a Backend Services client with it as an inline
// JWKS through the open registration endpoint (RFC 7591).
func registerBenchClient(ctx context.Context, client *http.Client, registerURL string, alg tokenBenchAlg, scope string) (*assertionSigner, error) {
	if registerURL == "" {
		return nil, errors.New("-register: the server offers no registration endpoint; use -client-id and -key")
	}
	var (
		key crypto.Signer
		err error
	)
	if alg.alg == "RS384" {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	}
	if err != nil {
		return nil, err
	}
	kid := "bench-" + randomHex(6)
	md, err := json.Marshal(map[string]any{
		"client_name":                "smartd bench-token " + kid,
		"grant_types":                []string{"client_credentials"},
		"token_endpoint_auth_method": "private_key_jwt",
		"scope":                      scope,
		"jwks":                       jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: kid, Algorithm: alg.alg, Use: "sig"}}},
	})
	if err != nil {
		return nil, err
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if err := benchJSON(ctx, client, http.MethodPost, registerURL, md, http.StatusCreated, &reg); err != nil {
		return nil, fmt.Errorf("-register: %w", err)
	}
	return &assertionSigner{clientID: reg.ClientID, kid: kid, method: alg.method, key: key}, nil
}

// loadAssertionSigner reads a client's private key; its type must fit the
// alg. kid "" means the key's RFC 7638 thumbprint, as smartd's demo and
// PEM registrations use.
func loadAssertionSigner(file, clientID, kid string, alg tokenBenchAlg) (*assertionSigner, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("-key %s holds no PEM block", file)
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(blk.Bytes); err != nil {
		if key, err = x509.ParseECPrivateKey(blk.Bytes); err != nil {
			if key, err = x509.ParsePKCS1PrivateKey(blk.Bytes); err != nil {
				return nil, fmt.Errorf("-key %s: not a PKCS #8, SEC 1 or PKCS #1 private key", file)
			}
		}
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if alg.alg != "RS384" {
			return nil, fmt.Errorf("-key %s is an RSA key; use -alg RS384", file)
		}
	case *ecdsa.PrivateKey:
		if alg.alg != "ES384" || k.Curve != elliptic.P384() {
			return nil, fmt.Errorf("-key %s is an EC %s key; ES384 needs P-384", file, k.Curve.Params().Name)
		}
	default:
		return nil, fmt.Errorf("-key %s holds a %T; want RSA or EC P-384", file, key)
	}
	signer := key.(crypto.Signer)
	if kid == "" {
		t, err := (&jose.JSONWebKey{Key: signer.Public()}).Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, err
		}
		kid = base64.RawURLEncoding.EncodeToString(t)
	}
	return &assertionSigner{clientID: clientID, kid: kid, method: alg.method, key: signer}, nil
}

// assertion signs one assertion as SMART Backend Services asks: iss = sub
// = client_id, aud the token URL, exp five minutes on, a fresh jti,
// header kid and typ JWT.
func (s *assertionSigner) assertion(aud string, now time.Time) (string, error) {
	t := jwt.NewWithClaims(s.method, jwt.MapClaims{
		"iss": s.clientID, "sub": s.clientID, "aud": aud,
		"iat": now.Unix(), "exp": now.Add(300 * time.Second).Unix(), "jti": randomHex(16),
	})
	t.Header["kid"] = s.kid
	t.Header["typ"] = "JWT"
	return t.SignedString(s.key)
}

// pool signs n token request bodies on every core, each with its own
// assertion.
func (s *assertionSigner) pool(ctx context.Context, tokenURL, scope string, n int) ([]string, error) {
	bodies := make([]string, n)
	now := time.Now()
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n && ctx.Err() == nil; i += workers {
				a, err := s.assertion(tokenURL, now)
				if err != nil {
					errs[w] = err
					return
				}
				bodies[i] = url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
					"client_assertion_type": {jwtBearer}, "client_assertion": {a}}.Encode()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("signing assertions: %w", err)
	}
	return bodies, ctx.Err()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
