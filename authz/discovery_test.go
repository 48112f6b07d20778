package authz_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"smartd/authz"
	"smartd/server"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got, indented, with testdata/name (refresh with
// -update), with the server's base URL written as {{root}}.
func golden(t *testing.T, s *testServer, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("%s: %v: %s", name, err, got)
	}
	text := strings.ReplaceAll(buf.String(), s.root, "{{root}}") + "\n"
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), text); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestDiscoveryDocuments: SMART App Launch 2.2 conformance.html, and
// Inferno's well_known_endpoint_test: 200, application/json whatever the
// Accept header says, any origin may read it, every URL absolute.
func TestDiscoveryDocuments(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct{ path, golden string }{
		{"/fhir/.well-known/smart-configuration", "smart-configuration.golden.json"},
		{"/fhir/.well-known/openid-configuration", "openid-configuration.golden.json"},
	} {
		var first []byte
		for _, accept := range []string{"application/json", "application/fhir+json", "text/html", ""} {
			r := do(t, "GET", s.root+tc.path, nil, "Accept", accept, "Origin", "https://anyone.example")
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s (Accept %q): %d %s", tc.path, accept, r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("GET %s (Accept %q): Content-Type %q", tc.path, accept, ct)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("GET %s: Access-Control-Allow-Origin %q, want *", tc.path, got)
			}
			if first == nil {
				first = r.Body
				golden(t, s, tc.golden, r.Body)
			} else if !bytes.Equal(first, r.Body) {
				t.Errorf("GET %s: the body depends on Accept %q", tc.path, accept)
			}
		}
		doc := map[string]any{}
		json.Unmarshal(first, &doc)
		for k, v := range doc {
			if u, ok := v.(string); ok && (strings.HasSuffix(k, "_endpoint") || strings.HasSuffix(k, "_uri") || k == "issuer") && !strings.HasPrefix(u, s.root+"/") {
				t.Errorf("%s: %s = %q is not an absolute URL of this server", tc.path, k, u)
			}
		}
		if head := do(t, "HEAD", s.root+tc.path, nil); head.Status != http.StatusOK || len(head.Body) != 0 {
			t.Errorf("HEAD %s: %d, %d bytes", tc.path, head.Status, len(head.Body))
		}
	}
	// Other paths below .well-known are the FHIR server's: 404.
	if r := do(t, "GET", s.root+"/fhir/.well-known/other", nil); r.Status != http.StatusNotFound {
		t.Errorf("GET /fhir/.well-known/other: %d", r.Status)
	}
}

// TestDiscoveryClosedRegistration: with registration closed, neither the
// discovery document nor the CapabilityStatement names the endpoint.
func TestDiscoveryClosedRegistration(t *testing.T) {
	s := newTestServer(t, func(c *server.Config) { c.Registration = authz.RegistrationClosed })
	doc := do(t, "GET", s.fhir+authz.SMARTConfigurationPath, nil).json(t)
	if _, ok := doc["registration_endpoint"]; ok {
		t.Errorf("registration_endpoint advertised while registration is closed: %v", doc["registration_endpoint"])
	}
	if uris := oauthURIs(t, s); uris["register"] != "" {
		t.Errorf("the CapabilityStatement names register %q while registration is closed", uris["register"])
	}
}

// oauthURIs reads the oauth-uris extension of the CapabilityStatement.
func oauthURIs(t *testing.T, s *testServer) map[string]string {
	t.Helper()
	r := do(t, "GET", s.fhir+"/metadata", nil)
	var cs struct {
		Rest []struct {
			Security struct {
				Cors    bool `json:"cors"`
				Service []struct {
					Coding []struct{ System, Code string }
				}
				Extension []struct {
					URL       string `json:"url"`
					Extension []struct {
						URL      string `json:"url"`
						ValueURI string `json:"valueUri"`
					}
				}
			}
		}
	}
	if err := json.Unmarshal(r.Body, &cs); err != nil || len(cs.Rest) != 1 {
		t.Fatalf("metadata: %v %s", err, r.Body)
	}
	sec := cs.Rest[0].Security
	if !sec.Cors || len(sec.Service) != 1 || len(sec.Service[0].Coding) != 1 ||
		sec.Service[0].Coding[0].System != "http://terminology.hl7.org/CodeSystem/restful-security-service" || sec.Service[0].Coding[0].Code != "SMART-on-FHIR" {
		t.Errorf("security lacks cors and the SMART-on-FHIR service: %+v", sec)
	}
	out := map[string]string{}
	for _, e := range sec.Extension {
		if e.URL != "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris" {
			continue
		}
		for _, u := range e.Extension {
			out[u.URL] = u.ValueURI
		}
	}
	return out
}

// TestCapabilityStatementOAuthURIs: the deprecated oauth-uris extension
// that Inferno's STU1 discovery still reads matches the well-known
// document.
func TestCapabilityStatementOAuthURIs(t *testing.T) {
	s := newTestServer(t)
	doc := do(t, "GET", s.fhir+authz.SMARTConfigurationPath, nil).json(t)
	want := map[string]string{
		"token":      doc["token_endpoint"].(string),
		"authorize":  doc["authorization_endpoint"].(string),
		"register":   doc["registration_endpoint"].(string),
		"introspect": doc["introspection_endpoint"].(string),
		"revoke":     doc["revocation_endpoint"].(string),
	}
	if diff := cmp.Diff(want, oauthURIs(t, s)); diff != "" {
		t.Errorf("oauth-uris (-well-known +CapabilityStatement):\n%s", diff)
	}
}

// TestJWKS: the published set holds public keys only, and is public.
func TestJWKS(t *testing.T) {
	s := newTestServer(t)
	doc := do(t, "GET", s.fhir+authz.SMARTConfigurationPath, nil).json(t)
	r := do(t, "GET", doc["jwks_uri"].(string), nil, "Origin", "https://anyone.example")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("jwks: %d %v %s", r.Status, r.Header, r.Body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.Body, &set); err != nil {
		t.Fatal(err)
	}
	algs := map[string]bool{}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.KeyID == "" {
			t.Errorf("key %q: public %v", k.KeyID, k.IsPublic())
		}
		algs[k.Algorithm] = true
	}
	if !algs["ES256"] || !algs["RS256"] {
		t.Errorf("algorithms %v, want ES256 (access tokens) and RS256 (id_tokens)", algs)
	}
}

// TestBaseURLWithPath: behind a proxy at a path, every endpoint and URL
// carries it.
func TestBaseURLWithPath(t *testing.T) {
	var base string
	s := newTestServer(t, func(c *server.Config) { c.BaseURL += "/smartd"; base = c.BaseURL })
	r := do(t, "GET", base+"/fhir"+authz.SMARTConfigurationPath, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("discovery: %d %s", r.Status, r.Body)
	}
	doc := r.json(t)
	if doc["issuer"] != base+"/fhir" || doc["token_endpoint"] != base+"/auth/token" {
		t.Errorf("issuer %v, token_endpoint %v", doc["issuer"], doc["token_endpoint"])
	}
	for _, k := range []string{"jwks_uri", "token_endpoint", "registration_endpoint", "introspection_endpoint", "revocation_endpoint"} {
		u := doc[k].(string)
		method := "POST"
		if k == "jwks_uri" {
			method = "GET"
		}
		if r := do(t, method, u, nil); r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d", method, u, r.Status)
		}
	}
	if r := do(t, "GET", s.root+"/auth/jwks", nil); r.Status != http.StatusNotFound {
		t.Errorf("the JWKS is also served outside the base path: %d", r.Status)
	}
}
