package conformance

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Spec sections of discovery (SMART App Launch 2.2, conformance.html).
const specDiscovery = "SMART App Launch 2.2, conformance.html, \"FHIR Authorization Endpoint and Capabilities Discovery\""

var (
	ckWellKnown = Check{GroupDiscovery, "smart-configuration is served as JSON",
		specDiscovery + ": GET {base}/.well-known/smart-configuration returns application/json"}
	ckWellKnownAccept = Check{GroupDiscovery, "smart-configuration is JSON whatever the Accept header",
		specDiscovery + ": servers MUST respond with application/json regardless of Accept"}
	ckRequiredFields = Check{GroupDiscovery, "required fields are present",
		specDiscovery + ", \"Response\": token_endpoint, capabilities, grant_types_supported, code_challenge_methods_supported"}
	ckPKCEMethods = Check{GroupDiscovery, "PKCE: S256 offered, plain not",
		"SMART App Launch 2.2, app-launch.html, \"Considerations for PKCE Support\": S256 MUST, plain MUST NOT"}
	ckAbsoluteURLs = Check{GroupDiscovery, "endpoint URLs are absolute",
		specDiscovery + ", \"Response\": endpoint URLs are absolute"}
	ckCapabilities = Check{GroupDiscovery, "capabilities are consistent with the document",
		"SMART App Launch 2.2, conformance.html, \"Capabilities\" and \"Response\" (conditional fields)"}
	ckAsymmetric = Check{GroupDiscovery, "asymmetric client authentication is advertised",
		"SMART App Launch 2.2, client-confidential-asymmetric.html, \"Advertising server support\""}
	ckRecommended = Check{GroupDiscovery, "recommended fields are present",
		specDiscovery + ", \"Response\": scopes_supported and response_types_supported SHOULD be present"}
	ckOpenIDConfig = Check{GroupDiscovery, "openid-configuration is consistent",
		"OpenID Connect Discovery 1.0 §4; SMART App Launch 2.2, conformance.html (sso-openid-connect)"}
	ckJWKS = Check{GroupDiscovery, "jwks_uri serves an RSA key",
		"SMART App Launch 2.2, app-launch.html, \"Scopes for requesting identity data\" (id_token signed with RS256); RFC 7517 §5"}
	ckOAuthURIs = Check{GroupDiscovery, "CapabilityStatement oauth-uris match",
		"SMART App Launch 2.2, conformance.html (oauth-uris extension, deprecated); FHIR R4 capabilitystatement.html"}
	ckTLS = Check{GroupDiscovery, "endpoints use TLS",
		"SMART App Launch 2.2, app-launch.html, \"Security\": TLS 1.2 or later"}
)

var discoveryChecks = []Check{ckWellKnown, ckWellKnownAccept, ckRequiredFields, ckPKCEMethods, ckAbsoluteURLs,
	ckCapabilities, ckAsymmetric, ckRecommended, ckOpenIDConfig, ckJWKS, ckOAuthURIs, ckTLS}

// discovered is what discovery learnt; endpoint fields are "" when the
// document does not name them.
type discovered struct {
	doc                                  map[string]any
	capabilities                         []string
	issuer, jwksURI                      string
	authorize, token, introspect, revoke string
	jwks                                 *keySet // from jwks_uri, nil until ckJWKS passed
}

func (d *discovered) has(capability string) bool {
	return d != nil && slices.Contains(d.capabilities, capability)
}

// discovery runs the discovery scenario.
func (r *runner) discovery() {
	wellKnown := r.cfg.FHIRBase + "/.well-known/smart-configuration"
	r.do(ckWellKnown, func(st *step) error {
		resp, err := r.get(wellKnown, "Accept", "application/json")
		if err != nil {
			return err
		}
		doc, err := jsonDocument(resp)
		if err != nil && resp.Status == 200 {
			// A JSON body with the wrong Content-Type fails this check,
			// but the later ones can still read it.
			doc, _ = resp.object()
		}
		if doc == nil {
			return err
		}
		r.disc = &discovered{doc: doc}
		d := r.disc
		d.capabilities, _ = strList(doc, "capabilities")
		d.issuer, _ = str(doc, "issuer")
		d.jwksURI, _ = str(doc, "jwks_uri")
		d.authorize, _ = str(doc, "authorization_endpoint")
		d.token, _ = str(doc, "token_endpoint")
		d.introspect, _ = str(doc, "introspection_endpoint")
		d.revoke, _ = str(doc, "revocation_endpoint")
		return err
	})
	r.do(ckWellKnownAccept, func(st *step) error {
		resp, err := r.get(wellKnown, "Accept", "text/html")
		if err != nil {
			return err
		}
		_, err = jsonDocument(resp)
		return err
	})
	if r.disc == nil {
		r.skipAll(discoveryChecks[2:], "no smart-configuration document to check")
		return
	}
	d := r.disc
	r.do(ckRequiredFields, func(st *step) error { return requiredFields(d.doc) })
	r.do(ckPKCEMethods, func(st *step) error {
		methods, ok := strList(d.doc, "code_challenge_methods_supported")
		switch {
		case !ok:
			return fmt.Errorf("code_challenge_methods_supported is missing or not an array of strings")
		case !slices.Contains(methods, "S256"):
			return fmt.Errorf("code_challenge_methods_supported %q lacks S256", methods)
		case slices.Contains(methods, "plain"):
			return fmt.Errorf("code_challenge_methods_supported %q offers plain", methods)
		}
		return nil
	})
	r.do(ckAbsoluteURLs, func(st *step) error { return absoluteURLs(d.doc) })
	r.do(ckCapabilities, func(st *step) error { return joinProblems(capabilityProblems(d.doc)) })
	r.do(ckAsymmetric, func(st *step) error { return r.asymmetricAdvertised(st) })
	r.do(ckRecommended, func(st *step) error {
		var miss []string
		if _, ok := strList(d.doc, "scopes_supported"); !ok {
			miss = append(miss, "scopes_supported")
		}
		if rt, ok := strList(d.doc, "response_types_supported"); !ok {
			miss = append(miss, "response_types_supported")
		} else if d.authorize != "" && !slices.Contains(rt, "code") {
			miss = append(miss, `"code" in response_types_supported`)
		}
		if len(miss) > 0 {
			return fmt.Errorf("missing (SHOULD): %s", strings.Join(miss, ", "))
		}
		return nil
	})
	r.do(ckOpenIDConfig, func(st *step) error { return r.openIDConfiguration() })
	r.do(ckJWKS, func(st *step) error { return r.fetchJWKS(st) })
	r.do(ckOAuthURIs, func(st *step) error { return r.oauthURIs() })
	r.do(ckTLS, func(st *step) error { return r.tlsCheck(st) })
}

// jsonDocument checks that resp is a 200 JSON object and decodes it.
func jsonDocument(resp *response) (map[string]any, error) {
	if resp.Status != 200 {
		return nil, fmt.Errorf("got %s, want 200", resp.describe())
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return nil, fmt.Errorf("Content-Type is %q, want application/json", resp.Header.Get("Content-Type"))
	}
	return resp.object()
}

func requiredFields(doc map[string]any) error {
	var p []string
	if s, ok := str(doc, "token_endpoint"); !ok || s == "" {
		p = append(p, "token_endpoint is missing")
	}
	if caps, ok := strList(doc, "capabilities"); !ok {
		p = append(p, "capabilities is missing or not an array of strings")
	} else if len(caps) == 0 {
		p = append(p, "capabilities is empty")
	}
	if g, ok := strList(doc, "grant_types_supported"); !ok {
		p = append(p, "grant_types_supported is missing or not an array of strings")
	} else if !slices.Contains(g, "authorization_code") && !slices.Contains(g, "client_credentials") {
		p = append(p, fmt.Sprintf("grant_types_supported %q has neither authorization_code nor client_credentials", g))
	}
	if _, ok := strList(doc, "code_challenge_methods_supported"); !ok {
		p = append(p, "code_challenge_methods_supported is missing or not an array of strings")
	}
	return joinProblems(p)
}

// endpointFields are the members of the document that hold URLs.
var endpointFields = []string{"authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint",
	"management_endpoint", "introspection_endpoint", "revocation_endpoint", "user_access_brand_bundle"}

func absoluteURLs(doc map[string]any) error {
	var p []string
	for _, f := range endpointFields {
		v, present := doc[f]
		if !present {
			continue
		}
		s, ok := v.(string)
		u, err := url.Parse(s)
		if !ok || err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			p = append(p, fmt.Sprintf("%s %v is not an absolute http(s) URL", f, v))
		}
	}
	return joinProblems(p)
}

// joinProblems is nil for none, else one error listing them.
func joinProblems(p []string) error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(p, "; "))
}

// asymmetricAdvertised: when the server claims asymmetric client
// authentication (the capability, or client_credentials, which Backend
// Services authenticates with private_key_jwt), it lists private_key_jwt
// and RS384 or ES384.
func (r *runner) asymmetricAdvertised(st *step) error {
	d := r.disc
	grants, _ := strList(d.doc, "grant_types_supported")
	if !d.has("client-confidential-asymmetric") && !slices.Contains(grants, "client_credentials") {
		return skipf("neither client-confidential-asymmetric nor client_credentials is advertised")
	}
	var p []string
	if m, _ := strList(d.doc, "token_endpoint_auth_methods_supported"); !slices.Contains(m, "private_key_jwt") {
		p = append(p, fmt.Sprintf("token_endpoint_auth_methods_supported %q lacks private_key_jwt", m))
	}
	algs, _ := strList(d.doc, "token_endpoint_auth_signing_alg_values_supported")
	if !slices.Contains(algs, "RS384") && !slices.Contains(algs, "ES384") {
		p = append(p, fmt.Sprintf("token_endpoint_auth_signing_alg_values_supported %q has neither RS384 nor ES384", algs))
	} else if r.key != nil && !slices.Contains(algs, r.key.alg) {
		st.note("the configured key's %s is not listed in token_endpoint_auth_signing_alg_values_supported %q", r.key.alg, algs)
	}
	return joinProblems(p)
}
