package registry

import (
	"bytes"
	"encoding/json"
	"slices"

	"smartd/launch/simulation"
)

// Metadata is the JSON of RFC 7591 registration requests and responses
// and of RFC 7592 reads and updates. The first six fields are set by the
// server in responses; the rest is client metadata (RFC 7591 §2), of which
// smartd keeps the members below and ignores others (RFC 7591 §2: "MUST
// ignore any client metadata ... that it does not understand").
type Metadata struct {
	ClientID                string `json:"client_id,omitempty"`
	ClientSecret            string `json:"client_secret,omitempty"`
	ClientIDIssuedAt        int64  `json:"client_id_issued_at,omitempty"`
	ClientSecretExpiresAt   *int64 `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken string `json:"registration_access_token,omitempty"`
	RegistrationClientURI   string `json:"registration_client_uri,omitempty"`

	ClientName              string          `json:"client_name,omitempty"`
	RedirectURIs            []string        `json:"redirect_uris,omitempty"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method,omitempty"`
	GrantTypes              []string        `json:"grant_types,omitempty"`
	ResponseTypes           []string        `json:"response_types,omitempty"`
	Scope                   string          `json:"scope,omitempty"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`
	LogoURI                 string          `json:"logo_uri,omitempty"`
	Contacts                []string        `json:"contacts,omitempty"`
	// InitiateLoginURI is the SMART launch URL (OpenID Connect Dynamic
	// Client Registration 1.0 §2; see the package doc).
	InitiateLoginURI string `json:"initiate_login_uri,omitempty"`

	// AllowSimulation and Simulation are smartd's own members, App's
	// fields of the same names. FromMetadata leaves them out: only the
	// admin API copies them into an App, so dynamic registration cannot
	// set them.
	AllowSimulation bool                `json:"allow_simulation,omitempty"`
	Simulation      *simulation.Options `json:"simulation,omitempty"`
}

// FromMetadata builds an unsaved App from registration metadata, applying
// the RFC 7591 §2 defaults: token_endpoint_auth_method client_secret_basic,
// grant_types authorization_code. It checks what has no App field:
// response_types must be "code" alone, and only with authorization_code.
// Server-assigned members (client_id, client_secret, ...) are ignored;
// Store.Register and Store.Reregister check them. The App still needs
// Validate, which the Store runs.
func FromMetadata(md Metadata) (*App, error) {
	a, v := fromMetadata(md)
	if err := v.err(); err != nil {
		return nil, err
	}
	return a, nil
}

func fromMetadata(md Metadata) (*App, *ValidationError) {
	a := &App{
		Name:         md.ClientName,
		RedirectURIs: slices.Clone(md.RedirectURIs),
		LaunchURL:    md.InitiateLoginURI,
		Scope:        md.Scope,
		GrantTypes:   slices.Clone(md.GrantTypes),
		AuthMethod:   md.TokenEndpointAuthMethod,
		JWKS:         bytes.Clone(md.JWKS),
		JWKSURI:      md.JWKSURI,
		LogoURI:      md.LogoURI,
		Contacts:     slices.Clone(md.Contacts),
	}
	if a.AuthMethod == "" {
		a.AuthMethod = AuthClientSecretBasic
	}
	if len(a.GrantTypes) == 0 {
		a.GrantTypes = []string{GrantAuthorizationCode}
	}
	var v ValidationError
	code := false
	for _, rt := range md.ResponseTypes {
		switch rt {
		case "code":
			code = true
		case "token":
			v.add("response_types", `response type "token" (implicit grant) is not supported; use "code" with PKCE`)
		default:
			v.add("response_types", `unsupported response type %q; use "code"`, rt)
		}
	}
	switch {
	case code && !a.HasGrant(GrantAuthorizationCode):
		v.add("response_types", `response type "code" needs the authorization_code grant`)
	case len(md.ResponseTypes) > 0 && !code && a.HasGrant(GrantAuthorizationCode):
		v.add("response_types", `the authorization_code grant needs response type "code"`)
	}
	return a, &v
}

// Metadata returns the app's registered metadata with client_id and
// client_id_issued_at, as RFC 7591 §3.2.1 and RFC 7592 §3 return it.
// client_secret_expires_at is 0 (never) for an app with a secret; the
// secret itself is never stored and so never returned.
func (a *App) Metadata() Metadata {
	md := Metadata{
		ClientID:                a.ClientID,
		ClientName:              a.Name,
		RedirectURIs:            slices.Clone(a.RedirectURIs),
		TokenEndpointAuthMethod: a.AuthMethod,
		GrantTypes:              slices.Clone(a.GrantTypes),
		Scope:                   a.Scope,
		JWKS:                    bytes.Clone(a.JWKS),
		JWKSURI:                 a.JWKSURI,
		LogoURI:                 a.LogoURI,
		Contacts:                slices.Clone(a.Contacts),
		InitiateLoginURI:        a.LaunchURL,
		AllowSimulation:         a.AllowSimulation,
		Simulation:              a.Simulation.Clone(),
	}
	if !a.Created.IsZero() {
		md.ClientIDIssuedAt = a.Created.Unix()
	}
	if len(a.SecretHash) > 0 {
		never := int64(0)
		md.ClientSecretExpiresAt = &never
	}
	if a.HasGrant(GrantAuthorizationCode) {
		md.ResponseTypes = []string{"code"}
	}
	return md
}

// Response returns the body of a registration or update response: the
// app's metadata, the plaintext credentials just issued (if any), and the
// RFC 7592 registration_client_uri, which only the HTTP layer knows.
func (a *App) Response(c Credentials, registrationClientURI string) Metadata {
	md := a.Metadata()
	md.ClientSecret = c.ClientSecret
	md.RegistrationAccessToken = c.RegistrationAccessToken
	md.RegistrationClientURI = registrationClientURI
	return md
}

// serverAssigned reports the server-assigned members present in md, except
// those named in allowed.
func serverAssigned(md Metadata, v *ValidationError, why string, allowed ...string) {
	check := func(field string, present bool) {
		if present && !slices.Contains(allowed, field) {
			v.add(field, "%s is set by the server; %s", field, why)
		}
	}
	check("client_id", md.ClientID != "")
	check("client_secret", md.ClientSecret != "")
	check("client_id_issued_at", md.ClientIDIssuedAt != 0)
	check("client_secret_expires_at", md.ClientSecretExpiresAt != nil)
	check("registration_access_token", md.RegistrationAccessToken != "")
	check("registration_client_uri", md.RegistrationClientURI != "")
}
