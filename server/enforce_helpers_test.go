package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"smartd/server"
)

// fhirWorld is a started server with the sample patients, the demo users,
// a public app allowed every user-facing scope, and a backend client.
type fhirWorld struct {
	t       testing.TB
	ts      *httptest.Server
	base    string // FHIR base
	backend *ecdsa.PrivateKey
}

// The apps the enforcement tests register.
const (
	matrixApp  = "matrix"
	backendApp = "matrix-backend"
)

func newFHIRWorld(t testing.TB) *fhirWorld {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: "http://" + ts.Listener.Addr().String(),
		AdminToken: testAdminToken, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	w := &fhirWorld{t: t, ts: ts, base: ts.URL + "/fhir"}
	app := `{"client_id":"matrix","client_name":"Matrix","redirect_uris":["http://localhost:8000/callback"],
		"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],
		"scope":"launch launch/patient openid fhirUser offline_access patient/*.cruds user/*.cruds patient/*.read patient/*.write user/*.read"}`
	if code, body := adminDo(t, ts, testAdminToken, "POST", "/apps", app); code != http.StatusCreated {
		t.Fatalf("register %s: %d %s", matrixApp, code, body)
	}
	w.backend, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: &w.backend.PublicKey, KeyID: "k1", Algorithm: "ES384", Use: "sig"})
	backend := `{"client_id":"matrix-backend","client_name":"Matrix backend","token_endpoint_auth_method":"private_key_jwt",
		"grant_types":["client_credentials"],"scope":"system/*.rs system/Patient.rs","jwks":{"keys":[` + string(jwk) + `]}}`
	if code, body := adminDo(t, ts, testAdminToken, "POST", "/apps", backend); code != http.StatusCreated {
		t.Fatalf("register %s: %d %s", backendApp, code, body)
	}
	return w
}

// userToken runs a standalone launch as user for scopes (picking patient
// when the user is shown the picker) and returns the access token.
func (w *fhirWorld) userToken(user, password, scopes, pick string) string {
	w.t.Helper()
	l := newLaunch(w.t, w.ts)
	l.conf.ClientID = matrixApp
	_, page := l.start(scopes)
	resp, page := l.submit(page, "/auth/login", url.Values{"username": {user}, "password": {password}})
	if strings.Contains(page, "/auth/pick-patient") {
		resp, page = l.submit(page, "/auth/pick-patient", url.Values{"patient": {pick}})
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "/auth/consent") {
		w.t.Fatalf("got %d, want the consent page:\n%s", resp.StatusCode, page)
	}
	resp, _ = l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
	tok := l.finish(resp)
	if got, _ := tok.Extra("scope").(string); got != scopes {
		w.t.Fatalf("granted %q, want %q", got, scopes)
	}
	return tok.AccessToken
}

// backendToken gets a client_credentials token for scopes with a signed
// assertion (SMART Backend Services).
func (w *fhirWorld) backendToken(scopes string) string {
	w.t.Helper()
	tokenURL := w.ts.URL + "/auth/token"
	a := jwt.NewWithClaims(jwt.SigningMethodES384, jwt.RegisteredClaims{
		Issuer: backendApp, Subject: backendApp, Audience: jwt.ClaimStrings{tokenURL},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(4 * time.Minute)), ID: rand.Text(),
	})
	a.Header["kid"] = "k1"
	signed, err := a.SignedString(w.backend)
	if err != nil {
		w.t.Fatal(err)
	}
	resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"client_credentials"}, "scope": {scopes},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {signed}})
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if json.Unmarshal(b, &out); resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		w.t.Fatalf("client_credentials: %d %s", resp.StatusCode, b)
	}
	return out.AccessToken
}

// fhirReply is a FHIR response.
type fhirReply struct {
	status    int
	challenge string
	body      map[string]any
	raw       string
}

// do sends a FHIR request with token ("" for none) to a path below the
// base (or an absolute URL).
func (w *fhirWorld) do(token, method, path, body string) fhirReply {
	w.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = w.base + path
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	return w.send(req)
}

// send sends a FHIR request and reads the reply.
func (w *fhirWorld) send(req *http.Request) fhirReply {
	w.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := fhirReply{status: resp.StatusCode, challenge: resp.Header.Get("WWW-Authenticate"), raw: string(b)}
	json.Unmarshal(b, &r.body)
	return r
}

func (w *fhirWorld) get(token, path string) fhirReply { return w.do(token, http.MethodGet, path, "") }

// refs lists "Type/id" of a bundle's entries (or of a resource).
func (r fhirReply) refs() []string {
	if r.body["resourceType"] != "Bundle" {
		if id, ok := r.body["id"].(string); ok {
			return []string{r.body["resourceType"].(string) + "/" + id}
		}
		return nil
	}
	var out []string
	entries, _ := r.body["entry"].([]any)
	for _, e := range entries {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		if res == nil {
			continue
		}
		id, _ := res["id"].(string)
		out = append(out, res["resourceType"].(string)+"/"+id)
	}
	return out
}

// next is a searchset's next link, "" on the last page.
func (r fhirReply) next() string {
	links, _ := r.body["link"].([]any)
	for _, l := range links {
		if m := l.(map[string]any); m["relation"] == "next" {
			return m["url"].(string)
		}
	}
	return ""
}

// issueCode is the code of an OperationOutcome's first issue.
func (r fhirReply) issueCode() string {
	issues, _ := r.body["issue"].([]any)
	if len(issues) == 0 {
		return ""
	}
	code, _ := issues[0].(map[string]any)["code"].(string)
	return code
}

// decodeJSON decodes a JSON body into v.
func decodeJSON(t testing.TB, r io.Reader, v any) {
	t.Helper()
	if err := json.NewDecoder(r).Decode(v); err != nil {
		t.Fatal(err)
	}
}
