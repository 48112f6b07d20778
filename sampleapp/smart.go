package sampleapp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxResponseBytes bounds what the app reads of any response.
const maxResponseBytes = 4 << 20

// configuration is the part of the SMART configuration the app uses
// (SMART App Launch 2.2, conformance.html, "Metadata").
type configuration struct {
	AuthorizationEndpoint         string   `json:"authorization_endpoint"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
}

// discover reads {iss}/.well-known/smart-configuration. Both endpoints
// must be absolute URLs on iss's origin (the app follows no one else),
// and the server must offer PKCE S256.
func (h *Handler) discover(ctx context.Context, iss string) (configuration, error) {
	var c configuration
	body, err := h.get(ctx, iss+"/.well-known/smart-configuration", "application/json", "")
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, fmt.Errorf("the SMART configuration is not JSON: %w", err)
	}
	for name, u := range map[string]string{"authorization_endpoint": c.AuthorizationEndpoint, "token_endpoint": c.TokenEndpoint} {
		if !sameOrigin(u, iss) {
			return c, fmt.Errorf("the SMART configuration's %s %q is not on the FHIR server's origin", name, u)
		}
	}
	if !slices.Contains(c.CodeChallengeMethodsSupported, "S256") {
		return c, fmt.Errorf("the server does not offer PKCE S256")
	}
	return c, nil
}

// sameOrigin reports whether u is an absolute http(s) URL with the
// scheme and host of ref.
func sameOrigin(u, ref string) bool {
	a, err := url.Parse(u)
	if err != nil || a.User != nil {
		return false
	}
	b, err := url.Parse(ref)
	if err != nil {
		return false
	}
	return (a.Scheme == "https" || a.Scheme == "http") && a.Scheme == b.Scheme && a.Host != "" && strings.EqualFold(a.Host, b.Host)
}

// challenge is the PKCE S256 code_challenge of verifier (RFC 7636 §4.2).
func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL is the authorization request (SMART App Launch 2.2,
// "Obtain authorization code"): the endpoint's own query is kept.
func (h *Handler) authorizeURL(endpoint, iss, scope, state, verifier, launchID string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", h.opts.ClientID)
	q.Set("redirect_uri", h.redirectURI())
	q.Set("scope", scope)
	q.Set("state", state)
	q.Set("aud", iss)
	q.Set("code_challenge", challenge(verifier))
	q.Set("code_challenge_method", "S256")
	if launchID != "" {
		q.Set("launch", launchID)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// tokenResponse is the token response (SMART App Launch 2.2, "Obtain access
// token"): the token and the launch context.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	Patient     string `json:"patient"`
	Encounter   string `json:"encounter"`
	// NeedPatientBanner is nil when the server left it out.
	NeedPatientBanner *bool `json:"need_patient_banner"`
}

// oauthError is an OAuth error response (RFC 6749 §5.2) or redirect
// (§4.1.2.1).
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *oauthError) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// exchange trades the code for a token as a public client: client_id and
// the PKCE verifier, no secret (RFC 6749 §4.1.3, RFC 7636 §4.5). A
// refusal is an *oauthError.
func (h *Handler) exchange(ctx context.Context, f flight, code string) (tokenResponse, error) {
	var t tokenResponse
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {h.redirectURI()},
		"client_id":     {h.opts.ClientID},
		"code_verifier": {f.verifier},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return t, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return t, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return t, err
	}
	if resp.StatusCode != http.StatusOK {
		var e oauthError
		if json.Unmarshal(body, &e) == nil && e.Code != "" {
			return t, &e
		}
		return t, fmt.Errorf("the token endpoint answered %s", resp.Status)
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return t, fmt.Errorf("the token response is not JSON: %w", err)
	}
	if t.AccessToken == "" || !strings.EqualFold(t.TokenType, "bearer") {
		return t, fmt.Errorf("the token response has no bearer access token (token_type %q)", t.TokenType)
	}
	return t, nil
}

// statusError is a FHIR request answered with another status than 200.
type statusError struct {
	url    string
	status int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s answered %d %s", e.url, e.status, http.StatusText(e.status))
}

// get GETs u, with the bearer token when there is one, and returns the
// body of a 200 response whose media type is JSON (application/json or
// application/fhir+json).
func (h *Handler) get(ctx context.Context, u, accept, bearer string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{url: u, status: resp.StatusCode}
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" && mt != "application/fhir+json" {
		return nil, fmt.Errorf("GET %s answered %q, not JSON", u, resp.Header.Get("Content-Type"))
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
}
