package authz

import (
	"encoding/json"
	"net/http"
	"slices"

	"smartd/apps/registry"
)

// smartConfiguration is the SMART discovery document (SMART App Launch
// 2.2, conformance.html, "Metadata"), whose names are RFC 8414's. Every
// list states what works today: the fields the authorization endpoint
// brings (authorization_endpoint, the authorization_code and
// refresh_token grants, the launch and context capabilities) are added
// when it is served (Options.Authorize).
type smartConfiguration struct {
	Issuer                        string   `json:"issuer"`
	JWKSURI                       string   `json:"jwks_uri"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	GrantTypesSupported           []string `json:"grant_types_supported"`
	TokenEndpointAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgs  []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	RegistrationEndpoint          string   `json:"registration_endpoint,omitempty"`
	ScopesSupported               []string `json:"scopes_supported"`
	ResponseTypesSupported        []string `json:"response_types_supported"`
	IntrospectionEndpoint         string   `json:"introspection_endpoint"`
	RevocationEndpoint            string   `json:"revocation_endpoint"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
	Capabilities                  []string `json:"capabilities"`
	// OpenID Connect Discovery 1.0 §3 requires these two in
	// openid-configuration; they describe the id_tokens smartd's keys sign
	// (RS256, as SMART requires).
	SubjectTypesSupported   []string `json:"subject_types_supported,omitempty"`
	IDTokenSigningAlgValues []string `json:"id_token_signing_alg_values_supported,omitempty"`
}

// The values advertised, each a list of what this server does now.
var (
	// tokenAuthMethods are the client authentication methods of
	// authz/clientauth (RFC 7591 §2): private_key_jwt for asymmetric
	// clients (client-confidential-asymmetric.html) and the client secret
	// in HTTP Basic or in the form for symmetric ones.
	tokenAuthMethods = []string{registry.AuthPrivateKeyJWT, registry.AuthClientSecretBasic, registry.AuthClientSecretPost}
	// signingAlgs are the client assertion algorithms SMART names
	// (client-confidential-asymmetric.html, "Advertising server support").
	signingAlgs = []string{"RS384", "ES384"}
	// supportedScopes are the scopes a Backend Services client may ask
	// for; the server must support every scope it lists.
	supportedScopes = []string{"system/*.cruds", "system/*.rs", "system/*.read", "system/*.write", "system/*.*"}
	// capabilities are the SMART capabilities that work now
	// (conformance.html, "Capabilities").
	capabilities = []string{"client-confidential-symmetric", "client-confidential-asymmetric", "permission-v1", "permission-v2"}
)

// Added when the authorization endpoint is served (Options.Authorize).
var (
	// authorizeGrants are the grant types then advertised.
	authorizeGrants = []string{"authorization_code", string(GrantClientCredentials), "refresh_token"}
	// launchCapabilities are the standalone launch capabilities
	// (conformance.html, "Capabilities") package authorize provides.
	launchCapabilities = []string{
		"launch-standalone", "client-public", "context-standalone-patient", "context-standalone-encounter",
		"permission-patient", "permission-user", "permission-offline", "permission-online",
		"sso-openid-connect", "authorize-post",
	}
	// launchScopes are the user-facing scopes then advertised besides the
	// system ones.
	launchScopes = []string{
		"openid", "fhirUser", "profile", "launch", "launch/patient", "launch/encounter",
		"offline_access", "online_access", "patient/*.cruds", "patient/*.rs", "patient/*.read",
		"user/*.cruds", "user/*.rs", "user/*.read",
	}
	// ehrCapabilities are added when the EHR launch is served
	// (Options.EHRLaunch).
	ehrCapabilities = []string{"launch-ehr", "context-ehr-patient", "context-ehr-encounter", "context-banner", "context-style"}
)

// discovery builds the two documents once.
func (s *Server) discovery() (smart, oidc []byte) {
	doc := smartConfiguration{
		Issuer:        s.opts.Issuer,
		JWKSURI:       s.urls.JWKS,
		TokenEndpoint: s.urls.Token,
		// authorization_code and refresh_token are served at the token
		// endpoint (with Options.Grants) but advertised only with the
		// authorization endpoint that issues codes (below).
		GrantTypesSupported:           []string{string(GrantClientCredentials)},
		TokenEndpointAuthMethods:      tokenAuthMethods,
		TokenEndpointAuthSigningAlgs:  signingAlgs,
		RegistrationEndpoint:          s.RegisterURL(),
		ScopesSupported:               supportedScopes,
		ResponseTypesSupported:        []string{}, // no authorization endpoint: no response type
		IntrospectionEndpoint:         s.urls.Introspect,
		RevocationEndpoint:            s.urls.Revoke,
		CodeChallengeMethodsSupported: []string{"S256"},
		Capabilities:                  capabilities,
	}
	if s.urls.Authorize != "" {
		doc.AuthorizationEndpoint = s.urls.Authorize
		doc.GrantTypesSupported = authorizeGrants
		doc.ResponseTypesSupported = []string{"code"}
		doc.Capabilities = append(slices.Clone(capabilities), launchCapabilities...)
		doc.ScopesSupported = append(slices.Clone(supportedScopes), launchScopes...)
		if s.opts.EHRLaunch {
			doc.Capabilities = append(doc.Capabilities, ehrCapabilities...)
		}
	}
	smart = mustJSON(doc)
	doc.SubjectTypesSupported = []string{"public"}
	doc.IDTokenSigningAlgValues = []string{"RS256"}
	oidc = mustJSON(doc)
	return smart, oidc
}

// document serves a discovery document as application/json whatever the
// Accept header says (conformance.html: "MUST ... regardless of the
// Accept header").
func (s *Server) document(body []byte) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=300")
		w.Write(body)
		return nil
	}
}

// jwks serves our public keys (RFC 7517 §5). Clients may cache them
// briefly: a rotated-in key signs at once, and an unknown kid sends a
// client back here (OpenID Connect Core §10.1).
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(s.opts.Keys.JWKS())
	return nil
}

// mustJSON marshals a value that always marshals (strings and lists).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
