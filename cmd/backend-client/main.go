// Command backend-client is an example SMART Backend Services client
// (SMART App Launch 2.2, backend-services.html) for a running smartd with
// open registration: it makes an ES384 key, registers itself through the
// RFC 7591 registration endpoint with the public key as an inline JWKS,
// signs a client assertion (RFC 7523), exchanges it for an access token
// with the client_credentials grant, and introspects the token (RFC 7662).
//
// Usage:
//
//	go run ./cmd/backend-client [-fhir http://127.0.0.1:8080/fhir] [-scope 'system/*.rs']
//	go run ./cmd/backend-client -client-id demo-backend -key data/demo-backend-key.pem
//
// Without -client-id each run registers a new client; a real backend
// service registers once and keeps its key and client_id, as the second
// form does: it uses a registered client and its EC private key (PKCS #8
// or SEC 1 PEM), whose kid defaults to the key's RFC 7638 thumbprint.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

func main() {
	fhir := flag.String("fhir", "http://127.0.0.1:8080/fhir", "the FHIR base `URL` of the server")
	scope := flag.String("scope", "system/*.rs", "the `scopes` to register and ask for")
	clientID := flag.String("client-id", "", "use this registered client instead of registering one (with -key)")
	keyFile := flag.String("key", "", "the registered client's EC private key `file` (PEM)")
	kid := flag.String("kid", "", "the registered key's kid; defaults to its RFC 7638 thumbprint")
	printToken := flag.Bool("print-token", false, "print only the access token, for TOKEN=$(backend-client ...)")
	flag.Parse()
	c := client{id: *clientID, kid: *kid, tokenOnly: *printToken}
	if (*clientID == "") != (*keyFile == "") {
		fmt.Fprintln(os.Stderr, "backend-client: -client-id and -key go together")
		os.Exit(2)
	}
	if *keyFile != "" {
		var err error
		if c.key, err = readKey(*keyFile); err != nil {
			fmt.Fprintln(os.Stderr, "backend-client:", err)
			os.Exit(1)
		}
	}
	if err := run(strings.TrimSuffix(*fhir, "/"), *scope, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "backend-client:", err)
		os.Exit(1)
	}
}

// client is a registered client: its id, key and the key's kid. The zero
// value means "register a new one".
type client struct {
	id, kid string
	key     *ecdsa.PrivateKey
	// tokenOnly prints the access token alone and stops there.
	tokenOnly bool
}

// readKey reads an EC private key from a PEM file.
func readKey(file string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s holds no PEM block", file)
	}
	if k, err := x509.ParseECPrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s holds a %T, not an EC private key", file, k)
	}
	return ec, nil
}

// thumbprint is the RFC 7638 SHA-256 thumbprint of key's public half.
func thumbprint(key *ecdsa.PrivateKey) (string, error) {
	t, err := (&jose.JSONWebKey{Key: key.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(t), nil
}

func run(fhir, scope string, c client, out io.Writer) error {
	// 1. Discovery: the endpoints come from the SMART configuration.
	var conf struct {
		TokenEndpoint         string `json:"token_endpoint"`
		RegistrationEndpoint  string `json:"registration_endpoint"`
		IntrospectionEndpoint string `json:"introspection_endpoint"`
	}
	if err := call("GET", fhir+"/.well-known/smart-configuration", "", nil, &conf); err != nil {
		return err
	}
	if c.key != nil {
		kid := c.kid
		if kid == "" {
			var err error
			if kid, err = thumbprint(c.key); err != nil {
				return err
			}
		}
		if c.tokenOnly {
			return printAccessToken(conf.TokenEndpoint, scope, c.key, kid, c.id, out)
		}
		fmt.Fprintf(out, "using client_id %s, key %s\n", c.id, kid)
		return token(conf.TokenEndpoint, conf.IntrospectionEndpoint, scope, c.key, kid, c.id, out)
	}
	if conf.RegistrationEndpoint == "" {
		return fmt.Errorf("the server does not offer dynamic registration")
	}

	// 2. A key pair; the public half is registered as an inline JWKS.
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return err
	}
	kid := "backend-" + random(8)
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: kid, Algorithm: "ES384", Use: "sig"}}}
	reg, _ := json.Marshal(map[string]any{
		"client_name":                "backend-client example",
		"grant_types":                []string{"client_credentials"},
		"token_endpoint_auth_method": "private_key_jwt",
		"scope":                      scope,
		"jwks":                       jwks,
	})
	var client struct {
		ClientID string `json:"client_id"`
	}
	if err := call("POST", conf.RegistrationEndpoint, "application/json", reg, &client); err != nil {
		return err
	}
	fmt.Fprintf(out, "registered client_id %s\n", client.ClientID)
	return token(conf.TokenEndpoint, conf.IntrospectionEndpoint, scope, key, kid, client.ClientID, out)
}

// requestToken gets an access token with the client_credentials grant.
func requestToken(tokenURL, scope string, key *ecdsa.PrivateKey, kid, clientID string) (map[string]any, error) {
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {scope},
		"client_assertion_type": {jwtBearer},
		"client_assertion":      {assertion(key, kid, clientID, tokenURL)},
	}
	var tok map[string]any
	err := call("POST", tokenURL, "application/x-www-form-urlencoded", []byte(form.Encode()), &tok)
	return tok, err
}

// printAccessToken prints the access token alone.
func printAccessToken(tokenURL, scope string, key *ecdsa.PrivateKey, kid, clientID string, out io.Writer) error {
	tok, err := requestToken(tokenURL, scope, key, kid, clientID)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, tok["access_token"])
	return err
}

// token gets an access token with the client_credentials grant and
// introspects it.
func token(tokenURL, introspectURL, scope string, key *ecdsa.PrivateKey, kid, clientID string, out io.Writer) error {
	// 3. The token request: a signed assertion, aud the token URL.
	tok, err := requestToken(tokenURL, scope, key, kid, clientID)
	if err != nil {
		return err
	}
	show(out, "token response", tok)

	// 4. Introspection, authenticated with a new assertion.
	form := url.Values{
		"token":                 {tok["access_token"].(string)},
		"client_assertion_type": {jwtBearer},
		"client_assertion":      {assertion(key, kid, clientID, introspectURL)},
	}
	var info map[string]any
	if err := call("POST", introspectURL, "application/x-www-form-urlencoded", []byte(form.Encode()), &info); err != nil {
		return err
	}
	show(out, "introspection", info)
	return nil
}

// assertion signs a client assertion as SMART asks: header kid and typ
// JWT; iss = sub = client_id, aud, exp within five minutes, a new jti.
func assertion(key *ecdsa.PrivateKey, kid, clientID, aud string) string {
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodES384, jwt.MapClaims{
		"iss": clientID, "sub": clientID, "aud": aud,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": random(32),
	})
	t.Header["kid"] = kid
	t.Header["typ"] = "JWT"
	s, err := t.SignedString(key)
	if err != nil {
		panic(err) // an ECDSA key in memory always signs
	}
	return s
}

// call sends a request and decodes a 2xx JSON answer into v.
func call(method, u, contentType string, body []byte, v any) error {
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, b)
	}
	return json.Unmarshal(b, v)
}

func show(out io.Writer, what string, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintf(out, "%s:\n%s\n", what, b)
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
