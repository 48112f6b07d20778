package registry

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"smartd/launch/simulation"
)

// ClientType is a SMART client type (SMART App Launch 2.2, "Client
// Authentication"), which follows from an app's token endpoint
// authentication method.
type ClientType string

// The SMART client types.
const (
	// Public clients cannot keep a secret: browser and native apps (none + PKCE).
	Public ClientType = "public"
	// ConfidentialSymmetric clients authenticate with a client secret.
	ConfidentialSymmetric ClientType = "confidential-symmetric"
	// ConfidentialAsymmetric clients authenticate with a JWT signed by a
	// registered key (private_key_jwt); required for Backend Services.
	ConfidentialAsymmetric ClientType = "confidential-asymmetric"
)

// DefaultAuthMethod returns the token_endpoint_auth_method a form or
// command line should use for t, or "" for an unknown type.
func (t ClientType) DefaultAuthMethod() string {
	switch t {
	case Public:
		return AuthNone
	case ConfidentialSymmetric:
		return AuthClientSecretBasic
	case ConfidentialAsymmetric:
		return AuthPrivateKeyJWT
	}
	return ""
}

// Token endpoint authentication methods (RFC 7591 §2).
const (
	AuthNone              = "none"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthPrivateKeyJWT     = "private_key_jwt"
)

// Grant types an app may register (RFC 7591 §2).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantClientCredentials = "client_credentials"
	GrantRefreshToken      = "refresh_token"
)

// App is one registered SMART app. Its JSON form is the stored and
// exported one; field names follow RFC 7591 where it has one.
type App struct {
	// ClientID is the OAuth client_id; empty until the Store assigns one,
	// unless the caller chose it.
	ClientID string `json:"client_id"`
	// Name is the client_name shown on consent and registry pages.
	Name string `json:"client_name,omitempty"`
	// RedirectURIs are the exact redirect URIs of the authorization_code grant.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// LaunchURL is where an EHR launch opens the app with iss and launch
	// (RFC 7591 metadata name "initiate_login_uri"; see the package doc).
	LaunchURL string `json:"initiate_login_uri,omitempty"`
	// Scope lists the scopes the app may be granted, space-separated, verbatim.
	Scope string `json:"scope"`
	// GrantTypes are the grants the app may use.
	GrantTypes []string `json:"grant_types"`
	// AuthMethod is the token_endpoint_auth_method; it fixes the client type.
	AuthMethod string `json:"token_endpoint_auth_method"`
	// JWKS is an inline JSON Web Key Set of public keys (private_key_jwt).
	JWKS json.RawMessage `json:"jwks,omitempty"`
	// JWKSURI is where the app publishes its public keys (private_key_jwt).
	JWKSURI string `json:"jwks_uri,omitempty"`
	// LogoURI is an image shown next to the app's name.
	LogoURI string `json:"logo_uri,omitempty"`
	// Contacts are ways to reach the people responsible, typically e-mail addresses.
	Contacts []string `json:"contacts,omitempty"`
	// Owner is the developer account that manages the app; empty for apps
	// registered by an administrator or dynamically.
	Owner string `json:"owner,omitempty"`
	// Created and Updated are set by the Store.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// SecretHash is the SHA-256 digest of the client secret
	// (confidential-symmetric apps only).
	SecretHash []byte `json:"secret_hash,omitempty"`
	// RegistrationTokenHash is the SHA-256 digest of the RFC 7592
	// registration access token.
	RegistrationTokenHash []byte `json:"registration_token_hash,omitempty"`
	// AllowSimulation opts the app in to launch simulation (package
	// simulation), which a server started with -sandbox then applies to
	// its launches. Only an administrator sets it (the admin API, an
	// import), never dynamic registration.
	AllowSimulation bool `json:"allow_simulation,omitempty"`
	// Simulation is what every launch of the app simulates unless the
	// launch says otherwise (standalone launches have only this); nil
	// for nothing. Set with AllowSimulation.
	Simulation *simulation.Options `json:"simulation,omitempty"`
}

// Type returns the client type that a.AuthMethod implies, or "" for an
// unknown method.
func (a *App) Type() ClientType {
	switch a.AuthMethod {
	case AuthNone:
		return Public
	case AuthClientSecretBasic, AuthClientSecretPost:
		return ConfidentialSymmetric
	case AuthPrivateKeyJWT:
		return ConfidentialAsymmetric
	}
	return ""
}

// HasGrant reports whether the app registered grant type g.
func (a *App) HasGrant(g string) bool { return slices.Contains(a.GrantTypes, g) }

// HasJWKS reports whether the app registered an inline JWKS.
func (a *App) HasJWKS() bool {
	t := bytes.TrimSpace(a.JWKS)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// CheckSecret reports, in constant time, whether plain is the app's
// client secret. It is false for an app without a secret.
func (a *App) CheckSecret(plain string) bool { return CheckSecret(a.SecretHash, plain) }

// CheckRegistrationToken reports, in constant time, whether tok is the
// app's RFC 7592 registration access token.
func (a *App) CheckRegistrationToken(tok string) bool {
	return CheckSecret(a.RegistrationTokenHash, tok)
}

// RedirectURIAllowed reports whether uri is one of the app's redirect
// URIs: by exact string comparison (RFC 6749 §3.1.2.3), except that the
// port of a registered http loopback URI may differ (RFC 8252 §7.3).
func (a *App) RedirectURIAllowed(uri string) bool {
	if slices.Contains(a.RedirectURIs, uri) {
		return true
	}
	req, ok := loopbackWithoutPort(uri)
	if !ok {
		return false
	}
	for _, r := range a.RedirectURIs {
		if reg, ok := loopbackWithoutPort(r); ok && reg == req {
			return true
		}
	}
	return false
}

// loopbackWithoutPort returns raw without its port if it is an http URL
// on a loopback host with no user information or fragment.
func loopbackWithoutPort(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || strings.Contains(raw, "#") {
		return "", false
	}
	h := u.Hostname()
	if !isLoopbackHost(h) {
		return "", false
	}
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	u.Host = strings.ToLower(h)
	return u.String(), true
}

// Clone returns a deep copy of a.
func (a *App) Clone() *App {
	c := *a
	c.RedirectURIs = slices.Clone(a.RedirectURIs)
	c.GrantTypes = slices.Clone(a.GrantTypes)
	c.JWKS = bytes.Clone(a.JWKS)
	c.Contacts = slices.Clone(a.Contacts)
	c.SecretHash = bytes.Clone(a.SecretHash)
	c.RegistrationTokenHash = bytes.Clone(a.RegistrationTokenHash)
	c.Simulation = a.Simulation.Clone()
	return &c
}
