package authz

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"smartd/apps/registry"
	"smartd/authz/oauth"
	"smartd/authz/scope"
)

// This file is the one place HTTP requests are decoded: the endpoints
// receive the typed requests below, already checked for form.

// GrantType is an OAuth 2.0 grant_type value (RFC 6749 §4).
type GrantType string

// The grant types smartd knows. authorization_code and refresh_token are
// served when Options.Grants is set.
const (
	GrantClientCredentials GrantType = "client_credentials" // RFC 6749 §4.4, SMART Backend Services
	GrantAuthorizationCode GrantType = "authorization_code" // RFC 6749 §4.1
	GrantRefreshToken      GrantType = "refresh_token"      // RFC 6749 §6
)

// maxFormBytes bounds form and registration bodies; a client assertion
// or an inline JWKS is a few kilobytes.
const maxFormBytes = 64 << 10

// tokenRequest is a decoded token request (RFC 6749 §3.2).
type tokenRequest struct {
	GrantType GrantType
	// Scope is the requested scope, parsed; HasScope says whether the
	// parameter was sent at all.
	Scope    scope.Set
	HasScope bool
	// Form and Header carry the client credentials for the authenticator.
	Form   url.Values
	Header http.Header
}

// introspectRequest is a decoded RFC 7662 §2.1 request.
type introspectRequest struct {
	Token string
	// Bearer is the caller's own access token, when it authenticates with
	// one instead of as a client (SMART, token-introspection.html).
	Bearer string
	Form   url.Values
	Header http.Header
}

// revokeRequest is a decoded RFC 7009 §2.1 request. token_type_hint is
// read and ignored: smartd revokes access tokens only, and §2.1 lets a
// server search past the hint.
type revokeRequest struct {
	Token  string
	Form   url.Values
	Header http.Header
}

// registrationRequest is a decoded RFC 7591 §3.1 request.
type registrationRequest struct {
	Metadata registry.Metadata
	// Bearer is the initial access token, if any (RFC 7591 §3).
	Bearer string
	// Addr is the rate-limit key of the caller.
	Addr string
}

// managementRequest is a decoded RFC 7592 §2 request: read, update (with
// Metadata) or delete.
type managementRequest struct {
	ClientID string
	// Bearer is the registration access token.
	Bearer   string
	Metadata registry.Metadata
}

func parseTokenRequest(w http.ResponseWriter, r *http.Request) (*tokenRequest, error) {
	form, err := readForm(w, r)
	if err != nil {
		return nil, err
	}
	g, err := parseGrantType(form.Get("grant_type"))
	if err != nil {
		return nil, err
	}
	req := &tokenRequest{GrantType: g, Form: form, Header: r.Header}
	if _, req.HasScope = form["scope"]; req.HasScope {
		if req.Scope, err = scope.Parse(form.Get("scope")); err != nil {
			return nil, oauth.New(oauth.InvalidScope, "scope is malformed (RFC 6749 §3.3): "+err.Error())
		}
	}
	return req, nil
}

// parseGrantType maps grant_type to a known GrantType; a missing or
// unknown one is unsupported_grant_type (RFC 6749 §5.2).
func parseGrantType(s string) (GrantType, error) {
	switch g := GrantType(s); g {
	case GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken:
		return g, nil
	case "":
		return "", oauth.New(oauth.UnsupportedGrantType, "grant_type is required; this server supports client_credentials")
	}
	return "", oauth.New(oauth.UnsupportedGrantType, fmt.Sprintf("grant_type %q is not supported; this server supports client_credentials", clip(s)))
}

func parseIntrospectRequest(w http.ResponseWriter, r *http.Request) (*introspectRequest, error) {
	form, err := readForm(w, r)
	if err != nil {
		return nil, err
	}
	req := &introspectRequest{Token: form.Get("token"), Form: form, Header: r.Header}
	if req.Token == "" {
		return nil, oauth.New(oauth.InvalidRequest, "token is required (RFC 7662 §2.1)")
	}
	req.Bearer, _ = bearerToken(r.Header)
	return req, nil
}

func parseRevokeRequest(w http.ResponseWriter, r *http.Request) (*revokeRequest, error) {
	form, err := readForm(w, r)
	if err != nil {
		return nil, err
	}
	req := &revokeRequest{Token: form.Get("token"), Form: form, Header: r.Header}
	if req.Token == "" {
		return nil, oauth.New(oauth.InvalidRequest, "token is required (RFC 7009 §2.1)")
	}
	return req, nil
}

func parseRegistrationRequest(w http.ResponseWriter, r *http.Request) (*registrationRequest, error) {
	req := &registrationRequest{Addr: clientAddr(r.RemoteAddr)}
	req.Bearer, _ = bearerToken(r.Header)
	var err error
	req.Metadata, err = readMetadata(w, r)
	return req, err
}

// parseManagementRequest decodes an RFC 7592 request; the body is read
// only for PUT.
func parseManagementRequest(w http.ResponseWriter, r *http.Request) (*managementRequest, error) {
	req := &managementRequest{ClientID: r.PathValue("client_id")}
	var ok bool
	if req.Bearer, ok = bearerToken(r.Header); !ok {
		return nil, invalidRegistrationToken("send the registration access token as a Bearer token (RFC 7592 §3)")
	}
	if r.Method == http.MethodPut {
		var err error
		if req.Metadata, err = readMetadata(w, r); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// readForm decodes an application/x-www-form-urlencoded body (RFC 6749
// §3.2, RFC 7662 §2.1, RFC 7009 §2.1). Parameters in the query string are
// not read, and a parameter sent twice is refused (RFC 6749 §3.1: "MUST
// NOT be included more than once").
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oauth.New(oauth.InvalidRequest, "the request body must be application/x-www-form-urlencoded")
	}
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, oauth.New(oauth.InvalidRequest, "the form body is malformed")
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, oauth.New(oauth.InvalidRequest, fmt.Sprintf("parameter %q is repeated (RFC 6749 §3.1)", clip(k)))
		}
	}
	return form, nil
}

// readMetadata decodes an RFC 7591 §3.1 JSON body. Unknown members are
// ignored (RFC 7591 §2).
func readMetadata(w http.ResponseWriter, r *http.Request) (registry.Metadata, error) {
	var md registry.Metadata
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return md, oauth.New(oauth.InvalidClientMetadata, "the request body must be application/json (RFC 7591 §3.1)")
	}
	body, err := readBody(w, r)
	if err != nil {
		return md, err
	}
	if err := json.Unmarshal(body, &md); err != nil {
		return md, oauth.New(oauth.InvalidClientMetadata, "the body is not a JSON object of client metadata: "+err.Error())
	}
	return md, nil
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		e := oauth.New(oauth.InvalidRequest, fmt.Sprintf("the request body is larger than %d bytes", maxFormBytes))
		e.Status = http.StatusRequestEntityTooLarge
		return nil, e
	case err != nil:
		return nil, oauth.New(oauth.InvalidRequest, "the request body could not be read")
	}
	return body, nil
}

// bearerToken returns the token of an "Authorization: Bearer" header (RFC
// 6750 §2.1; the scheme is case-insensitive).
func bearerToken(h http.Header) (string, bool) {
	scheme, tok, ok := strings.Cut(h.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// clip shortens a client-supplied value quoted in an error description.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
