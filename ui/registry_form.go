package ui

import (
	"slices"

	"github.com/a-h/templ"
)

// AppForm holds the fields of the app registration form, as typed. The
// names of its HTML fields are the AppField constants.
type AppForm struct {
	Name, LaunchURL string
	// RedirectURIs holds one URI per line.
	RedirectURIs string
	// ClientType is public, confidential-symmetric or
	// confidential-asymmetric (registry.ClientType).
	ClientType string
	// GrantTypes are the ticked grants (registry.Grant*).
	GrantTypes []string
	// JWKSURI, JWKS and PEM are the ways a confidential-asymmetric app
	// gives its public keys; PEM is a pasted key (an uploaded file
	// arrives as AppFieldPEMFile).
	JWKSURI, JWKS, PEM string
	// Scope is the space- or line-separated scopes the app may be granted.
	Scope   string
	LogoURI string
}

// The HTML field names of the app registration form.
const (
	AppFieldName         = "name"
	AppFieldLaunchURL    = "launch_url"
	AppFieldRedirectURIs = "redirect_uris"
	AppFieldClientType   = "client_type"
	AppFieldGrantTypes   = "grant_types"
	AppFieldJWKSURI      = "jwks_uri"
	AppFieldJWKS         = "jwks"
	AppFieldPEM          = "pem"
	AppFieldPEMFile      = "pem_file"
	AppFieldScope        = "scope"
	AppFieldLogoURI      = "logo_uri"
)

// AppFormPage is the view model of the register and edit pages.
type AppFormPage struct {
	Nav ConsoleNav
	// ClientID is the app being edited; empty registers a new one.
	ClientID string
	// Action is the URL the form posts to (multipart, for the PEM file).
	Action, CSRF string
	// CancelURL is where "Cancel" goes.
	CancelURL string
	Form      AppForm
	// Errors are the problems of the last submission, by AppField.
	Errors FieldErrors
	// DefaultScopes describes the scope used when the field is left empty.
	DefaultScopes string
}

func (p AppFormPage) title() string {
	if p.ClientID != "" {
		return "Edit " + appOrThis(p.Form.Name)
	}
	return "Register an app"
}

func (p AppFormPage) submitLabel() string {
	if p.ClientID != "" {
		return "Save changes"
	}
	return "Register app"
}

// clientTypes are the choices of the client type radio buttons.
var clientTypes = []struct{ Value, Label, Hint string }{
	{"public", "Public", "A browser or native app that cannot keep a secret: PKCE only."},
	{"confidential-symmetric", "Confidential, with a client secret", "A server-side app; smartd shows the secret once."},
	{"confidential-asymmetric", "Confidential, with a key pair", "Signs a JWT with its private key (private_key_jwt); needed for backend services."},
}

// grantChoices are the choices of the grant type checkboxes.
var grantChoices = []struct{ Value, Label string }{
	{"authorization_code", "Launch in the browser (authorization code with PKCE)"},
	{"refresh_token", "Refresh tokens"},
	{"client_credentials", "Backend service (client credentials, key pair only)"},
}

func (f AppForm) hasGrant(g string) bool { return slices.Contains(f.GrantTypes, g) }

// fieldAttrs marks a field invalid and points it at its hint and its
// problems, when it has them.
func fieldAttrs(field, hintID string, errs FieldErrors) templ.Attributes {
	a := templ.Attributes{}
	describe := hintID
	if len(errs[field]) > 0 {
		a["aria-invalid"] = "true"
		describe = joinNonEmpty(" ", describe, field+"-error")
	}
	if describe != "" {
		a["aria-describedby"] = describe
	}
	return a
}
