package conformance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// fake is a small SMART server for the tests: discovery, a token
// endpoint (client_credentials with ES384 assertions, authorization_code
// with PKCE, refresh with rotation), introspection, revocation, login,
// picker and consent pages, and a FHIR API that enforces tokens. Each
// entry of breaks makes it misbehave in one way, so that a test can show
// which checks catch it. It is test code: nothing here is smartd's.
type fake struct {
	ts     *httptest.Server
	base   string // FHIR base
	breaks map[string]bool

	clientKey *ecdsa.PrivateKey // the backend client's key
	idKey     *rsa.PrivateKey   // signs id_tokens

	mu       sync.Mutex
	jtis     map[string]bool
	codes    map[string]*fakeGrant
	refresh  map[string]*fakeGrant
	tokens   map[string]*fakeToken
	backends map[string]fakeKey     // Backend Services clients by client_id
	apps     map[string]string      // public apps' redirect URIs by client_id
	users    map[string]string      // passwords by username
	launches map[string]*fakeLaunch // EHR launches by id
}

// fakeKey is a backend client's registered key.
type fakeKey struct {
	kid string
	key *ecdsa.PublicKey
}

// fakeGrant is an authorization in progress or granted.
type fakeGrant struct {
	redirect, challenge, method, scope, nonce, patient string
	client                                             string
	ehr                                                *fakeLaunch // nil in a standalone launch
}

// fakeToken is an access token the fake issued.
type fakeToken struct {
	client, scope, patient, fhirUser string
	exp                              time.Time
	revoked                          bool
}

// The fake's clients and user.
const (
	fakeBackend     = "fake-backend"
	fakeKID         = "fake-backend-key"
	fakeApp         = "fake-app"
	fakeRedirect    = "https://app.example/callback"
	fakeUser        = "alice"
	fakePassword    = "alice-password"
	fakePatient     = "p1"
	fakePractitoner = "Practitioner/pr1"
)

// newFake starts a fake over http, broken in the given ways.
func newFake(t *testing.T, breaks ...string) *fake {
	t.Helper()
	return startFake(t, false, breaks)
}

// startFake starts a fake, over https when tls is set.
func startFake(t *testing.T, tls bool, breaks []string) *fake {
	t.Helper()
	f := &fake{breaks: map[string]bool{}, jtis: map[string]bool{}, codes: map[string]*fakeGrant{},
		refresh: map[string]*fakeGrant{}, tokens: map[string]*fakeToken{}, apps: map[string]string{fakeApp: fakeRedirect},
		users: map[string]string{fakeUser: fakePassword}, launches: map[string]*fakeLaunch{}}
	for _, b := range breaks {
		f.breaks[b] = true
	}
	var err error
	if f.clientKey, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if f.idKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	f.backends = map[string]fakeKey{fakeBackend: {kid: fakeKID, key: &f.clientKey.PublicKey}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fhir/.well-known/smart-configuration", f.smartConfiguration)
	mux.HandleFunc("GET /fhir/.well-known/openid-configuration", f.openIDConfiguration)
	mux.HandleFunc("GET /fhir/metadata", f.metadata)
	mux.HandleFunc("GET /jwks", f.jwks)
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("POST /introspect", f.introspect)
	mux.HandleFunc("POST /revoke", f.revoke)
	mux.HandleFunc("/authorize", f.authorize)
	mux.HandleFunc("POST /login", f.login)
	mux.HandleFunc("POST /pick", f.pick)
	mux.HandleFunc("POST /consent", f.consent)
	f.adminRoutes(mux)
	mux.HandleFunc("GET /fhir/{type}", f.fhirSearch)
	mux.HandleFunc("GET /fhir/{type}/{id}", f.fhirRead)
	if tls {
		f.ts = httptest.NewTLSServer(mux)
	} else {
		f.ts = httptest.NewServer(mux)
	}
	t.Cleanup(f.ts.Close)
	f.base = f.ts.URL + "/fhir"
	return f
}

// config is the suite's settings for the fake.
func (f *fake) config() Config {
	der, _ := x509.MarshalPKCS8PrivateKey(f.clientKey)
	var client *http.Client
	if f.ts.TLS != nil {
		client = f.ts.Client()
	}
	return Config{
		HTTPClient: client, FHIRBase: f.base, ClientID: fakeBackend, KeyID: fakeKID,
		Key:            pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		PublicClientID: fakeApp, RedirectURI: fakeRedirect, Username: fakeUser, Password: fakePassword,
		AdminToken: fakeAdminToken,
	}
}

// adminOnly is the suite's settings with nothing but the FHIR base and
// the admin token: setup registers everything else.
func (f *fake) adminOnly() Config {
	cfg := f.config()
	return Config{HTTPClient: cfg.HTTPClient, FHIRBase: f.base, AdminToken: fakeAdminToken}
}

func (f *fake) url(path string) string { return f.ts.URL + path }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fake) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	caps := []string{"launch-standalone", "client-public", "client-confidential-asymmetric", "context-standalone-patient",
		"permission-patient", "permission-v2", "permission-offline", "sso-openid-connect", "authorize-post"}
	if f.breaks["ehr-context-without-ehr-launch"] {
		caps = append(caps, "context-ehr-patient")
	}
	methods := []string{"private_key_jwt", "none"}
	if f.breaks["no-private-key-jwt"] {
		methods = []string{"none"}
	}
	pkce := []string{"S256"}
	if f.breaks["plain-pkce"] {
		pkce = append(pkce, "plain")
	}
	doc := map[string]any{
		"issuer": f.base, "jwks_uri": f.url("/jwks"), "authorization_endpoint": f.url("/authorize"),
		"token_endpoint": f.url("/token"), "introspection_endpoint": f.url("/introspect"),
		"revocation_endpoint": f.url("/revoke"), "registration_endpoint": f.url("/register"),
		"grant_types_supported":                            []string{"authorization_code", "client_credentials", "refresh_token"},
		"token_endpoint_auth_methods_supported":            methods,
		"token_endpoint_auth_signing_alg_values_supported": []string{"ES384", "RS384"},
		"scopes_supported":                                 []string{"openid", "fhirUser", "launch/patient", "offline_access", "patient/*.rs", "system/Patient.rs"},
		"response_types_supported":                         []string{"code"},
		"code_challenge_methods_supported":                 pkce,
		"capabilities":                                     caps,
	}
	if f.breaks["relative-registration-endpoint"] {
		doc["registration_endpoint"] = "/register"
	}
	if f.breaks["no-grant-types"] {
		delete(doc, "grant_types_supported")
	}
	if f.breaks["no-scopes-supported"] {
		delete(doc, "scopes_supported")
	}
	switch {
	case f.breaks["discovery-text-plain"]:
		w.Header().Set("Content-Type", "text/plain")
		json.NewEncoder(w).Encode(doc)
	case f.breaks["discovery-obeys-accept"] && strings.Contains(r.Header.Get("Accept"), "text/html"):
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>smart-configuration</body></html>"))
	default:
		writeJSON(w, 200, doc)
	}
}

func (f *fake) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	iss := f.base
	if f.breaks["openid-issuer-mismatch"] {
		iss = f.ts.URL
	}
	writeJSON(w, 200, map[string]any{
		"issuer": iss, "authorization_endpoint": f.url("/authorize"), "token_endpoint": f.url("/token"),
		"jwks_uri": f.url("/jwks"), "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (f *fake) metadata(w http.ResponseWriter, r *http.Request) {
	token := f.url("/token")
	if f.breaks["oauth-uris-mismatch"] {
		token = f.url("/old-token")
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	json.NewEncoder(w).Encode(map[string]any{
		"resourceType": "CapabilityStatement",
		"rest": []any{map[string]any{"security": map[string]any{"extension": []any{map[string]any{
			"url": oauthURIsExtension,
			"extension": []any{
				map[string]string{"url": "token", "valueUri": token},
				map[string]string{"url": "authorize", "valueUri": f.url("/authorize")},
			},
		}}}}},
	})
}

func (f *fake) jwks(w http.ResponseWriter, r *http.Request) {
	var key any = &f.idKey.PublicKey
	if f.breaks["jwks-without-rsa"] {
		key = &f.clientKey.PublicKey
	}
	writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key, KeyID: "id-key", Algorithm: "RS256", Use: "sig"}}})
}

// bearerToken returns the request's valid access token, or writes a 401.
func (f *fake) bearerToken(w http.ResponseWriter, r *http.Request) (*fakeToken, bool) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if f.breaks["no-enforcement"] {
		return &fakeToken{scope: "system/*.rs", fhirUser: fakePractitoner}, true
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", "Bearer")
		w.WriteHeader(401)
		return nil, false
	}
	f.mu.Lock()
	tok := f.tokens[raw]
	f.mu.Unlock()
	if tok == nil || tok.revoked || time.Now().After(tok.exp) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(401)
		return nil, false
	}
	return tok, true
}

// allows reports whether the token has a scope naming typ or *.
func (t *fakeToken) allows(typ string) bool {
	for _, s := range strings.Fields(t.scope) {
		if m := resourceScope.FindStringSubmatch(s); m != nil {
			rest := strings.TrimPrefix(s, m[1]+"/")
			if n := rest[:strings.IndexByte(rest, '.')]; n == "*" || n == typ {
				return true
			}
		}
	}
	return false
}

func (f *fake) fhirSearch(w http.ResponseWriter, r *http.Request) {
	tok, ok := f.bearerToken(w, r)
	if !ok {
		return
	}
	typ := r.PathValue("type")
	if !tok.allows(typ) {
		w.WriteHeader(403)
		return
	}
	bundle := "Bundle"
	if f.breaks["search-not-bundle"] {
		bundle = "OperationOutcome"
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	json.NewEncoder(w).Encode(map[string]any{"resourceType": bundle, "type": "searchset",
		"entry": []any{map[string]any{"resource": map[string]string{"resourceType": typ, "id": fakePatient}}}})
}

func (f *fake) fhirRead(w http.ResponseWriter, r *http.Request) {
	tok, ok := f.bearerToken(w, r)
	if !ok {
		return
	}
	typ, id := r.PathValue("type"), r.PathValue("id")
	own := typ+"/"+id == fakePractitoner && strings.HasSuffix(tok.fhirUser, fakePractitoner)
	if !own && !tok.allows(typ) || own && f.breaks["fhiruser-unreadable"] {
		w.WriteHeader(403)
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	json.NewEncoder(w).Encode(map[string]string{"resourceType": typ, "id": id})
}
