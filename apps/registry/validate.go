package registry

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits that keep one registration small; open registration lets
// strangers write them.
const (
	maxClientID     = 128
	maxName         = 200
	maxURL          = 2048
	maxRedirectURIs = 20
	maxContacts     = 10
	maxContact      = 320
	maxScope        = 4096
	maxOwner        = 200
)

// ValidateOptions relax validation for development. The zero value is the
// production policy.
type ValidateOptions struct {
	// AllowPrivateJWKSURI accepts a jwks_uri on a loopback or private
	// host, and http for one on a loopback host (the development flag
	// -allow-private-jwks-uri). Without it such URIs are refused.
	AllowPrivateJWKSURI bool
}

// FieldError is one problem with one field. Field is the RFC 7591
// metadata name (client_id, client_name, redirect_uris,
// initiate_login_uri, scope, grant_types, response_types,
// token_endpoint_auth_method, jwks, jwks_uri, logo_uri, contacts,
// client_secret, registration_access_token, ...) or "owner".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every problem found in a registration, in a
// stable order, so that a form can show each next to its field and the
// registration endpoint can describe them all at once.
type ValidationError struct {
	Errors []FieldError
}

// Error joins every problem into one line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid registration: ")
	for i, fe := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(fe.Field)
		b.WriteString(": ")
		b.WriteString(fe.Message)
	}
	return b.String()
}

// Messages returns the problems with one field.
func (e *ValidationError) Messages(field string) []string {
	var out []string
	for _, fe := range e.Errors {
		if fe.Field == field {
			out = append(out, fe.Message)
		}
	}
	return out
}

// Code returns the RFC 7591 §3.2.2 error code: "invalid_redirect_uri" when
// a redirect URI is at fault, else "invalid_client_metadata".
func (e *ValidationError) Code() string {
	if len(e.Messages("redirect_uris")) > 0 {
		return "invalid_redirect_uri"
	}
	return "invalid_client_metadata"
}

func (e *ValidationError) add(field, format string, args ...any) {
	e.Errors = append(e.Errors, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// merge appends the problems of err, a *ValidationError or nil.
func (e *ValidationError) merge(err error) {
	var o *ValidationError
	if errors.As(err, &o) {
		e.Errors = append(e.Errors, o.Errors...)
	}
}

// err returns e, or nil if it holds no problem.
func (e *ValidationError) err() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e
}

// Validate checks a registration against the rules in the package doc and
// returns a *ValidationError listing every problem, or nil. An empty
// ClientID, and a confidential-symmetric app without a secret, are
// accepted: the Store assigns both.
func (a *App) Validate(opts ValidateOptions) error {
	var v ValidationError
	a.validateIdentity(&v)
	a.validateAuth(&v, opts)
	a.validateGrants(&v)
	if p := scopeProblem(a.Scope); p != "" {
		v.add("scope", "%s", p)
	}
	if err := a.Simulation.Validate(); err != nil {
		v.add("simulation", "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return v.err()
}

func (a *App) validateIdentity(v *ValidationError) {
	if a.ClientID != "" && !validClientID(a.ClientID) {
		v.add("client_id", "client_id may hold only letters, digits and -._~ (at most %d characters)", maxClientID)
	}
	if p := textProblem(a.Name, maxName); p != "" {
		v.add("client_name", "client_name %s", p)
	}
	if p := textProblem(a.Owner, maxOwner); p != "" {
		v.add("owner", "owner %s", p)
	}
	if a.LogoURI != "" {
		if p := urlProblem(a.LogoURI, true); p != "" {
			v.add("logo_uri", "%q %s", a.LogoURI, p)
		}
	}
	if len(a.Contacts) > maxContacts {
		v.add("contacts", "%d contacts given; at most %d are accepted", len(a.Contacts), maxContacts)
	}
	for _, c := range a.Contacts {
		if strings.TrimSpace(c) == "" {
			v.add("contacts", "a contact is empty")
		} else if p := textProblem(c, maxContact); p != "" {
			v.add("contacts", "%q %s", c, p)
		}
	}
}

func (a *App) validateAuth(v *ValidationError, opts ValidateOptions) {
	typ := a.Type()
	switch {
	case a.AuthMethod == "":
		v.add("token_endpoint_auth_method", "token_endpoint_auth_method is required: none (public), client_secret_basic or client_secret_post (confidential-symmetric), or private_key_jwt (confidential-asymmetric)")
	case typ == "":
		v.add("token_endpoint_auth_method", "unsupported token_endpoint_auth_method %q; use none, client_secret_basic, client_secret_post or private_key_jwt", a.AuthMethod)
	}
	if len(a.SecretHash) > 0 {
		if typ != "" && typ != ConfidentialSymmetric {
			v.add("client_secret", "a %s client has no client secret", typ)
		} else if len(a.SecretHash) != sha256.Size {
			v.add("client_secret", "the secret hash is not a SHA-256 digest")
		}
	}
	if len(a.RegistrationTokenHash) > 0 && len(a.RegistrationTokenHash) != sha256.Size {
		v.add("registration_access_token", "the registration token hash is not a SHA-256 digest")
	}
	hasJWKS, hasURI := a.HasJWKS(), a.JWKSURI != ""
	if typ != ConfidentialAsymmetric {
		if typ != "" && hasJWKS {
			v.add("jwks", "only confidential-asymmetric clients (private_key_jwt) register keys; a %s client has none", typ)
		}
		if typ != "" && hasURI {
			v.add("jwks_uri", "only confidential-asymmetric clients (private_key_jwt) register keys; a %s client has none", typ)
		}
		return
	}
	switch {
	case !hasJWKS && !hasURI:
		v.add("jwks", "a confidential-asymmetric client registers its public keys: a jwks_uri (preferred) or an inline jwks")
	case hasJWKS && hasURI:
		v.add("jwks", "register a jwks or a jwks_uri, not both")
	case hasJWKS:
		for _, p := range jwksProblems(a.JWKS) {
			v.add("jwks", "%s", p)
		}
	default:
		if p := jwksURIProblem(a.JWKSURI, opts); p != "" {
			v.add("jwks_uri", "%q %s", a.JWKSURI, p)
		}
	}
}

func (a *App) validateGrants(v *ValidationError) {
	if len(a.GrantTypes) == 0 {
		v.add("grant_types", "at least one grant type is required: authorization_code or client_credentials")
	}
	seen := map[string]bool{}
	for _, g := range a.GrantTypes {
		switch g {
		case GrantAuthorizationCode, GrantClientCredentials, GrantRefreshToken:
		default:
			v.add("grant_types", "unsupported grant type %q; use authorization_code, client_credentials or refresh_token", g)
			continue
		}
		if seen[g] {
			v.add("grant_types", "grant type %q is listed twice", g)
		}
		seen[g] = true
	}
	code := seen[GrantAuthorizationCode]
	if seen[GrantRefreshToken] && !code {
		v.add("grant_types", "refresh_token is issued only with authorization_code")
	}
	if seen[GrantClientCredentials] && a.Type() != "" && a.Type() != ConfidentialAsymmetric {
		v.add("grant_types", "client_credentials (SMART Backend Services) needs a confidential-asymmetric client (private_key_jwt), not a %s one", a.Type())
	}
	switch {
	case code && len(a.RedirectURIs) == 0:
		v.add("redirect_uris", "authorization_code needs at least one redirect URI")
	case !code && len(a.RedirectURIs) > 0:
		v.add("redirect_uris", "redirect URIs are used only with the authorization_code grant")
	case len(a.RedirectURIs) > maxRedirectURIs:
		v.add("redirect_uris", "%d redirect URIs given; at most %d are accepted", len(a.RedirectURIs), maxRedirectURIs)
	}
	uris := map[string]bool{}
	for _, u := range a.RedirectURIs {
		if p := urlProblem(u, false); p != "" {
			v.add("redirect_uris", "%q %s", u, p)
		} else if uris[u] {
			v.add("redirect_uris", "%q is listed twice", u)
		}
		uris[u] = true
	}
	if a.LaunchURL != "" {
		if !code {
			v.add("initiate_login_uri", "a launch URL is used only with the authorization_code grant")
		}
		if p := urlProblem(a.LaunchURL, false); p != "" {
			v.add("initiate_login_uri", "%q %s", a.LaunchURL, p)
		}
	}
}

// scopeProblem checks the RFC 6749 §3.3 syntax of a scope list: tokens of
// printable ASCII other than '"' and '\', separated by single spaces.
func scopeProblem(s string) string {
	if s == "" {
		return "scope is required: the space-separated scopes this app may be granted"
	}
	if len(s) > maxScope {
		return fmt.Sprintf("scope is longer than %d characters", maxScope)
	}
	for _, r := range s {
		switch {
		case r == ' ':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && unicode.IsControl(r)):
			return "scope contains a control character"
		case r < 0x21 || r > 0x7e || r == '"' || r == '\\':
			return fmt.Sprintf("scope contains %q, which RFC 6749 §3.3 does not allow in a scope", r)
		}
	}
	if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		return "scope has leading, trailing or repeated spaces; separate scopes with one space"
	}
	return ""
}

// textProblem checks free text: valid UTF-8, no control characters, at
// most max characters. The message follows the field name.
func textProblem(s string, max int) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case utf8.RuneCountInString(s) > max:
		return fmt.Sprintf("is longer than %d characters", max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "contains a control character"
	}
	return ""
}

func validClientID(id string) bool {
	if len(id) > maxClientID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0
		if !ok {
			return false
		}
	}
	return id != ""
}
