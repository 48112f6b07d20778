package authz

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"smartd/apps/registry"
	"smartd/authz/grants"
	"smartd/authz/oauth"
	"smartd/authz/scope"
)

// Limits on authorization request parameters. SMART asks for a state of
// at least 122 bits; 2 KiB leaves room for apps that encode data in it
// while keeping the error redirect a reasonable URL.
const (
	maxStateBytes = 2 << 10
	maxScopeBytes = 8 << 10
)

// requestNotSupported is the OpenID Connect Core §3.1.2.6 error for a
// request object (the request or request_uri parameter), which smartd
// does not support.
const requestNotSupported oauth.Code = "request_not_supported"

// AuthorizeRequest is a validated authorization request (RFC 6749
// §4.1.1, SMART App Launch 2.2 "Obtain authorization code").
type AuthorizeRequest struct {
	// ClientID and RedirectURI are the client and the registered redirect
	// URI it sent; State is returned to it unchanged.
	ClientID, RedirectURI, State string
	// Scope is the scope parameter as sent; Scopes is it parsed.
	Scope  string
	Scopes scope.Set
	// Aud is the audience as sent (aud, or resource when aud is absent);
	// it names this server's FHIR base.
	Aud string
	// CodeChallenge is the S256 PKCE challenge (RFC 7636 §4.3).
	CodeChallenge string
	// Nonce and Prompt are the OpenID Connect Core §3.1.2.1 parameters,
	// as sent, if any.
	Nonce, Prompt string
	// Launch is the EHR launch handle, empty for a standalone launch.
	Launch string
	// App is the registered client.
	App *registry.App
}

// pageError is an authorization error that must not be sent to the
// redirect URI because client_id or redirect_uri is the problem (RFC 6749
// §4.1.2.1): the handler shows it on an error page.
type pageError struct{ err *oauth.Error }

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// pageErr returns a non-redirectable invalid_request error.
func pageErr(format string, args ...any) error {
	return &pageError{oauth.New(oauth.InvalidRequest, fmt.Sprintf(format, args...))}
}

// Redirectable reports whether err, from ParseAuthorize, is an OAuth
// error to be sent to the request's redirect URI with its state
// (oauth.Redirect). It is false for nil, for client_id and redirect_uri
// errors (show an error page, never redirect) and for any error
// ParseAuthorize did not make.
func Redirectable(err error) bool {
	var p *pageError
	var e *oauth.Error
	return err != nil && !errors.As(err, &p) && errors.As(err, &e)
}

// ParseAuthorize decodes and checks the parameters of an authorization
// request: the query of a GET or the form of a POST (SMART App Launch 2.2
// requires both). apps looks up clients; fhirBase is the only accepted
// aud. It returns (req, nil) when the request is valid.
//
// Every error is an *oauth.Error (errors.As). When client_id or
// redirect_uri is at fault the error is not Redirectable and req is nil:
// the handler shows an error page and never redirects (RFC 6749
// §4.1.2.1). Otherwise the error is Redirectable and req is non-nil with
// ClientID, RedirectURI, State and App set, for oauth.Redirect(w, r,
// req.RedirectURI, req.State, err); State is empty when it was itself the
// problem (repeated or too long).
//
// Decisions:
//   - redirect_uri is required even when the client registered exactly
//     one, which RFC 6749 §4.1.1 would allow: SMART App Launch 2.2 says the
//     app MUST send it.
//   - redirect_uri must equal a registered one exactly, except for the port
//     of an http loopback URI (registry.App.RedirectURIAllowed; RFC 8252
//     §7.3); an added query parameter or fragment is refused.
//   - aud must equal fhirBase once one trailing slash is removed from
//     each: "<base>" and "<base>/" are accepted, "<base>//" and any other
//     spelling (case included) are not. Inferno compares iss exactly, but
//     apps copy the base with or without the slash. resource (RFC 8707) is
//     read only when aud is absent.
//   - state is required (SMART App Launch 2.2 lists it as required).
//   - PKCE S256 is required for every client (grants.CheckChallenge).
//   - A repeated parameter is refused (RFC 6749 §3.1); a repeated
//     client_id or redirect_uri is not redirectable.
//   - launch is not checked against the launch scope here: the handler
//     resolves the launch context.
func ParseAuthorize(params url.Values, apps interface {
	Get(string) (*registry.App, error)
}, fhirBase string) (*AuthorizeRequest, error) {
	app, redirectURI, err := authorizeClient(params, apps)
	if err != nil {
		return nil, err
	}
	req := &AuthorizeRequest{ClientID: app.ClientID, RedirectURI: redirectURI, App: app}
	if vs := params["state"]; len(vs) == 1 && len(vs[0]) <= maxStateBytes {
		req.State = vs[0]
	}
	if err := checkAuthorize(params, app, fhirBase); err != nil {
		return req, err
	}
	req.Scope = params.Get("scope")
	req.Aud = authorizeAud(params)
	req.CodeChallenge = params.Get("code_challenge")
	req.Nonce = params.Get("nonce")
	req.Launch = params.Get("launch")
	req.Prompt = params.Get("prompt")
	req.Scopes, _ = scope.Parse(req.Scope) // checked by checkAuthorize
	return req, nil
}

// authorizeClient checks client_id and redirect_uri, whose errors are not
// redirectable, and returns the app and the redirect URI.
func authorizeClient(params url.Values, apps interface {
	Get(string) (*registry.App, error)
}) (*registry.App, string, error) {
	for _, k := range []string{"client_id", "redirect_uri"} {
		if len(params[k]) > 1 {
			return nil, "", pageErr("%s is repeated (RFC 6749 §3.1)", k)
		}
	}
	id := params.Get("client_id")
	if id == "" {
		return nil, "", pageErr("client_id is required (RFC 6749 §4.1.1)")
	}
	app, err := apps.Get(id)
	switch {
	case errors.Is(err, registry.ErrNotFound) || err == nil && app == nil:
		e := oauth.New(oauth.InvalidClient, fmt.Sprintf("client_id %q is not registered", clip(id)))
		e.Status = http.StatusBadRequest // shown on a page, not an HTTP authentication challenge
		return nil, "", &pageError{e}
	case err != nil:
		return nil, "", &pageError{oauth.Internal(err)}
	}
	uri := params.Get("redirect_uri")
	switch {
	case uri == "":
		return nil, "", pageErr("redirect_uri is required (SMART App Launch 2.2, Obtain authorization code)")
	case len(app.RedirectURIs) == 0:
		return nil, "", pageErr("client %q has no redirect URI: it is not registered for authorization_code", clip(id))
	case !app.RedirectURIAllowed(uri):
		return nil, "", pageErr("redirect_uri %q is not one registered for client %q (exact match, RFC 6749 §3.1.2.3)", clip(uri), clip(id))
	}
	return app, uri, nil
}

// checkAuthorize checks the parameters whose errors are redirected, in
// this order: repeats, request objects, response_type, the client's
// grant, state, scope, aud, PKCE.
func checkAuthorize(params url.Values, app *registry.App, fhirBase string) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a deterministic message when several are repeated
	for _, k := range keys {
		if len(params[k]) > 1 {
			return oauth.New(oauth.InvalidRequest, fmt.Sprintf("parameter %q is repeated (RFC 6749 §3.1)", clip(k)))
		}
	}
	for _, k := range []string{"request", "request_uri"} {
		if _, ok := params[k]; ok {
			return oauth.New(requestNotSupported, k+" (a request object) is not supported; send the parameters directly")
		}
	}
	switch rt := params.Get("response_type"); rt {
	case "code":
	case "":
		return oauth.New(oauth.UnsupportedResponseType, "response_type is required; this server supports code")
	default:
		return oauth.New(oauth.UnsupportedResponseType, fmt.Sprintf("response_type %q is not supported; this server supports code", clip(rt)))
	}
	if !app.HasGrant(registry.GrantAuthorizationCode) {
		return oauth.New(oauth.UnauthorizedClient, "the client is not registered for the authorization_code grant")
	}
	switch n := len(params.Get("state")); {
	case n == 0:
		return oauth.New(oauth.InvalidRequest, "state is required (SMART App Launch 2.2)")
	case n > maxStateBytes:
		return oauth.New(oauth.InvalidRequest, fmt.Sprintf("state has %d bytes; at most %d are accepted", n, maxStateBytes))
	}
	if err := checkAuthorizeScope(params.Get("scope")); err != nil {
		return err
	}
	if aud := authorizeAud(params); !audMatches(aud, fhirBase) {
		if aud == "" {
			return oauth.New(oauth.InvalidRequest, fmt.Sprintf("aud is required: the FHIR base %s (SMART App Launch 2.2)", fhirBase))
		}
		return oauth.New(oauth.InvalidRequest, fmt.Sprintf("aud %q is not this server's FHIR base %s", clip(aud), fhirBase))
	}
	if err := grants.CheckChallenge(params.Get("code_challenge"), params.Get("code_challenge_method")); err != nil {
		return oauth.New(oauth.InvalidRequest, strings.TrimPrefix(err.Error(), grants.ErrPKCE.Error()+": ")+" (RFC 7636, SMART App Launch 2.2)")
	}
	return nil
}

// checkAuthorizeScope checks that scope is present, not too long and well
// formed (RFC 6749 §3.3).
func checkAuthorizeScope(s string) error {
	if len(s) > maxScopeBytes {
		return oauth.New(oauth.InvalidScope, fmt.Sprintf("scope has %d bytes; at most %d are accepted", len(s), maxScopeBytes))
	}
	set, err := scope.Parse(s)
	if err != nil {
		return oauth.New(oauth.InvalidScope, "scope is malformed (RFC 6749 §3.3): "+err.Error())
	}
	if len(set) == 0 {
		return oauth.New(oauth.InvalidScope, "scope is required (SMART App Launch 2.2)")
	}
	if !slices.ContainsFunc(set, func(sc scope.Scope) bool { return sc.Kind != scope.KindOther }) {
		return oauth.New(oauth.InvalidScope, "none of the requested scopes is one this server grants (SMART App Launch 2.2 scopes, openid, fhirUser, launch, offline_access, online_access)")
	}
	return nil
}

// authorizeAud returns aud, or resource (RFC 8707 §2) when aud is absent.
func authorizeAud(params url.Values) string {
	if _, ok := params["aud"]; ok {
		return params.Get("aud")
	}
	return params.Get("resource")
}

// audMatches reports whether aud names fhirBase: equal to it once one
// trailing slash is removed from each.
func audMatches(aud, fhirBase string) bool {
	return aud != "" && strings.TrimSuffix(aud, "/") == strings.TrimSuffix(fhirBase, "/")
}
