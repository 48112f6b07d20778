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
//
// Each run registers a new client; a real backend service registers once
// and keeps its key and client_id.
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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
	flag.Parse()
	if err := run(strings.TrimSuffix(*fhir, "/"), *scope, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "backend-client:", err)
		os.Exit(1)
	}
}

func run(fhir, scope string, out io.Writer) error {
	// 1. Discovery: the endpoints come from the SMART configuration.
	var conf struct {
		TokenEndpoint         string `json:"token_endpoint"`
		RegistrationEndpoint  string `json:"registration_endpoint"`
		IntrospectionEndpoint string `json:"introspection_endpoint"`
	}
	if err := call("GET", fhir+"/.well-known/smart-configuration", "", nil, &conf); err != nil {
		return err
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

	// 3. The token request: a signed assertion, aud the token URL.
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {scope},
		"client_assertion_type": {jwtBearer},
		"client_assertion":      {assertion(key, kid, client.ClientID, conf.TokenEndpoint)},
	}
	var tok map[string]any
	if err := call("POST", conf.TokenEndpoint, "application/x-www-form-urlencoded", []byte(form.Encode()), &tok); err != nil {
		return err
	}
	show(out, "token response", tok)

	// 4. Introspection, authenticated with a new assertion.
	form = url.Values{
		"token":                 {tok["access_token"].(string)},
		"client_assertion_type": {jwtBearer},
		"client_assertion":      {assertion(key, kid, client.ClientID, conf.IntrospectionEndpoint)},
	}
	var info map[string]any
	if err := call("POST", conf.IntrospectionEndpoint, "application/x-www-form-urlencoded", []byte(form.Encode()), &info); err != nil {
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
