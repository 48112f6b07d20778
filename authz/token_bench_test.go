package authz_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"smartd/server"
)

// benchmarkClientCredentials measures the token endpoint as a backend
// service meets it: smartd's real router (server.New over a bbolt file),
// an httptest server on loopback, a client registered through the
// registration endpoint, and assertions signed with fresh jtis before the
// timer starts, posted over keep-alive connections by GOMAXPROCS
// goroutines. tokens/s counts the 200 responses per second of wall time;
// the client's HTTP work runs on the same cores as the server's.
func benchmarkClientCredentials(b *testing.B, alg string) {
	hs := httptest.NewUnstartedServer(nil)
	root := "http://" + hs.Listener.Addr().String()
	srv, err := server.New(server.Config{DataDir: b.TempDir(), BaseURL: root, NoSamples: true, NoDemoApps: true})
	if err != nil {
		hs.Close()
		b.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	b.Cleanup(func() { hs.Close(); srv.Close() })

	method, key, kid := benchKey(b, alg)
	clientID := benchRegister(b, root+"/auth/register", method, key, kid)
	tokenURL := root + "/auth/token"

	// One body per request; a few spare for the warm-up request.
	bodies := make([]string, b.N+1)
	now := time.Now()
	for i := range bodies {
		tok := jwt.NewWithClaims(method, jwt.MapClaims{
			"iss": clientID, "sub": clientID, "aud": tokenURL,
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": randomHex(16),
		})
		tok.Header["kid"] = kid
		tok.Header["typ"] = "JWT"
		s, err := tok.SignedString(key)
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = url.Values{
			"grant_type": {"client_credentials"}, "scope": {"system/Patient.rs"},
			"client_assertion_type": {jwtBearer}, "client_assertion": {s},
		}.Encode()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	b.Cleanup(client.CloseIdleConnections)
	if code := benchPost(client, tokenURL, bodies[b.N]); code != http.StatusOK {
		b.Fatalf("warm-up token request: status %d", code)
	}

	var next, failed atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if benchPost(client, tokenURL, bodies[next.Add(1)-1]) != http.StatusOK {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d token requests failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

func BenchmarkClientCredentialsRS384(b *testing.B) { benchmarkClientCredentials(b, "RS384") }
func BenchmarkClientCredentialsES384(b *testing.B) { benchmarkClientCredentials(b, "ES384") }

// benchKey makes a client key: RSA 2048 for RS384, P-384 for ES384.
func benchKey(b *testing.B, alg string) (jwt.SigningMethod, crypto.Signer, string) {
	b.Helper()
	var (
		key crypto.Signer
		err error
	)
	method := jwt.GetSigningMethod(alg)
	switch alg {
	case "RS384":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	}
	if err != nil || key == nil {
		b.Fatalf("no %s key: %v", alg, err)
	}
	return method, key, "bench-" + randomHex(4)
}

// benchRegister registers a Backend Services client with key's public half
// as an inline JWKS and returns its client_id.
func benchRegister(b *testing.B, registerURL string, method jwt.SigningMethod, key crypto.Signer, kid string) string {
	b.Helper()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: kid, Algorithm: method.Alg(), Use: "sig"}}}
	md, err := json.Marshal(map[string]any{
		"client_name": "token benchmark", "grant_types": []string{"client_credentials"},
		"token_endpoint_auth_method": "private_key_jwt", "scope": "system/*.rs", "jwks": set,
	})
	if err != nil {
		b.Fatal(err)
	}
	resp, err := http.Post(registerURL, "application/json", strings.NewReader(string(md)))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated || got.ClientID == "" {
		b.Fatalf("registration: status %d, %v", resp.StatusCode, err)
	}
	return got.ClientID
}

// benchPost posts one token request and returns its status, 0 if it got
// no response.
func benchPost(client *http.Client, tokenURL, body string) int {
	req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
