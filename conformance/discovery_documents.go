package conformance

import (
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// openIDConfiguration checks {issuer}/.well-known/openid-configuration
// (OpenID Connect Discovery 1.0 §4, §3) against the SMART document, as
// Inferno's OpenID Connect group does.
func (r *runner) openIDConfiguration() error {
	d := r.disc
	if !d.has("sso-openid-connect") {
		return skipf("sso-openid-connect is not advertised")
	}
	if d.issuer == "" {
		return fmt.Errorf("sso-openid-connect is advertised but the smart-configuration has no issuer")
	}
	resp, err := r.get(strings.TrimSuffix(d.issuer, "/")+"/.well-known/openid-configuration", "Accept", "application/json")
	if err != nil {
		return err
	}
	doc, err := jsonDocument(resp)
	if err != nil {
		return err
	}
	var p []string
	for _, f := range []string{"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"} {
		if s, _ := str(doc, f); s == "" {
			p = append(p, f+" is missing")
		}
	}
	for _, f := range []string{"response_types_supported", "subject_types_supported"} {
		if _, ok := strList(doc, f); !ok {
			p = append(p, f+" is missing")
		}
	}
	if algs, _ := strList(doc, "id_token_signing_alg_values_supported"); !slices.Contains(algs, "RS256") {
		p = append(p, fmt.Sprintf("id_token_signing_alg_values_supported %q lacks RS256", algs))
	}
	if iss, _ := str(doc, "issuer"); iss != "" && iss != d.issuer {
		p = append(p, fmt.Sprintf("issuer %q differs from the smart-configuration's %q", iss, d.issuer))
	}
	for _, f := range []string{"authorization_endpoint", "token_endpoint", "jwks_uri"} {
		a, _ := str(doc, f)
		b, _ := str(d.doc, f)
		if a != "" && b != "" && a != b {
			p = append(p, fmt.Sprintf("%s %q differs from the smart-configuration's %q", f, a, b))
		}
	}
	return joinProblems(p)
}

// keySet is a JWKS whose keys go-jose could read; others are ignored.
type keySet struct {
	keys []jose.JSONWebKey
}

// parseKeySet reads a JWKS (RFC 7517 §5).
func parseKeySet(b []byte) (*keySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not a JWKS: %v", err)
	}
	ks := &keySet{}
	for _, k := range raw.Keys {
		var key jose.JSONWebKey
		if json.Unmarshal(k, &key) == nil && key.Valid() {
			ks.keys = append(ks.keys, key)
		}
	}
	return ks, nil
}

// rsaKey returns the RSA key named kid, or the only RSA key when kid is
// "" (Inferno: with several RSA keys the kid is required).
func (ks *keySet) rsaKey(kid string) (*rsa.PublicKey, error) {
	var found []*rsa.PublicKey
	for _, k := range ks.keys {
		pub, ok := k.Key.(*rsa.PublicKey)
		if ok && (kid == "" || k.KeyID == kid) {
			found = append(found, pub)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && kid != "":
		return nil, fmt.Errorf("the JWKS has no RSA key with kid %q", kid)
	case len(found) == 0:
		return nil, fmt.Errorf("the JWKS has no RSA key")
	}
	return nil, fmt.Errorf("the JWKS has %d RSA keys and the token names no kid", len(found))
}

// fetchJWKS reads jwks_uri, which must hold an RSA key for RS256
// id_tokens.
func (r *runner) fetchJWKS(st *step) error {
	d := r.disc
	if d.jwksURI == "" {
		if d.has("sso-openid-connect") {
			return fmt.Errorf("sso-openid-connect is advertised without jwks_uri")
		}
		return skipf("no jwks_uri advertised (optional without sso-openid-connect)")
	}
	resp, err := r.get(d.jwksURI, "Accept", "application/json")
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		return fmt.Errorf("GET jwks_uri: got %s, want 200", resp.describe())
	}
	ks, err := parseKeySet(resp.Body)
	if err != nil {
		return err
	}
	n := 0
	for _, k := range ks.keys {
		if !k.IsPublic() {
			return fmt.Errorf("the JWKS publishes private key material (kid %q)", k.KeyID)
		}
		if _, ok := k.Key.(*rsa.PublicKey); ok {
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("the JWKS has no usable RSA key (%d keys read)", len(ks.keys))
	}
	st.note("%d keys, %d RSA", len(ks.keys), n)
	d.jwks = ks
	return nil
}

// oauthURIsExtension is the deprecated CapabilityStatement extension that
// lists the OAuth endpoints.
const oauthURIsExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

// oauthURIs compares the CapabilityStatement's oauth-uris extension, when
// present, with the well-known document.
func (r *runner) oauthURIs() error {
	resp, err := r.get(r.cfg.FHIRBase+"/metadata", "Accept", "application/fhir+json")
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		return fmt.Errorf("GET metadata: got %s, want 200", resp.describe())
	}
	var cs struct {
		ResourceType string `json:"resourceType"`
		Rest         []struct {
			Security struct {
				Extension []struct {
					URL       string `json:"url"`
					Extension []struct {
						URL      string `json:"url"`
						ValueURI string `json:"valueUri"`
					} `json:"extension"`
				} `json:"extension"`
			} `json:"security"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(resp.Body, &cs); err != nil || cs.ResourceType != "CapabilityStatement" {
		return fmt.Errorf("metadata is not a CapabilityStatement: %s", resp.describe())
	}
	wellKnown := map[string]string{"token": "token_endpoint", "authorize": "authorization_endpoint",
		"introspect": "introspection_endpoint", "revoke": "revocation_endpoint",
		"register": "registration_endpoint", "manage": "management_endpoint"}
	var p []string
	seen := 0
	for _, rest := range cs.Rest {
		for _, ext := range rest.Security.Extension {
			if ext.URL != oauthURIsExtension {
				continue
			}
			for _, e := range ext.Extension {
				seen++
				field, ok := wellKnown[e.URL]
				if !ok {
					continue
				}
				if want, _ := str(r.disc.doc, field); want != "" && want != e.ValueURI {
					p = append(p, fmt.Sprintf("oauth-uris %s is %q, the smart-configuration's %s is %q", e.URL, e.ValueURI, field, want))
				}
			}
		}
	}
	if seen == 0 {
		return skipf("the CapabilityStatement has no oauth-uris extension (deprecated in SMART 2.x, so optional)")
	}
	return joinProblems(p)
}

// tlsCheck: the FHIR base and the OAuth endpoints are https, except on
// a loopback address, where http is a development setup.
func (r *runner) tlsCheck(st *step) error {
	urls := []string{r.cfg.FHIRBase, r.disc.token, r.disc.authorize}
	var plain []string
	for _, s := range urls {
		u, err := url.Parse(s)
		if s == "" || err != nil {
			continue
		}
		if u.Scheme != "https" {
			plain = append(plain, s)
		}
	}
	if len(plain) == 0 {
		resp, err := r.get(r.cfg.FHIRBase+"/metadata", "Accept", "application/fhir+json")
		if err != nil {
			return err
		}
		if resp.TLS != nil {
			st.note("%s", tls.VersionName(resp.TLS.Version))
			if resp.TLS.Version < tls.VersionTLS12 {
				return fmt.Errorf("negotiated %s, want TLS 1.2 or later", tls.VersionName(resp.TLS.Version))
			}
		}
		return nil
	}
	for _, s := range plain {
		u, _ := url.Parse(s)
		if !isLoopback(u.Hostname()) {
			return fmt.Errorf("served over plain http: %s", strings.Join(plain, ", "))
		}
	}
	return skipf("plain http on a loopback address (a development setup): %s", strings.Join(plain, ", "))
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
