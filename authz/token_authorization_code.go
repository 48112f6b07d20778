package authz

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"smartd/apps/registry"
	"smartd/authz/grants"
	"smartd/authz/oauth"
)

// Refresh token lifetimes (SMART App Launch 2.2, "Refresh access token").
const (
	// OfflineRefreshLifetime is how long a refresh token of a grant with
	// offline_access lives; each rotation starts it again.
	OfflineRefreshLifetime = 90 * 24 * time.Hour
	// OnlineRefreshLifetime bounds a refresh token of a grant with
	// online_access; the grant also ends with the user's session, which
	// the grants store checks at each rotation.
	OnlineRefreshLifetime = 24 * time.Hour
)

// IDTokenClaims are the claims of smartd's id_tokens (OpenID Connect Core
// §2, SMART App Launch 2.2 scopes-and-launch-context.html): iss the FHIR
// base, sub the user, aud the client_id, and fhirUser the absolute URL of
// the user's FHIR resource.
type IDTokenClaims struct {
	jwt.RegisteredClaims
	Nonce    string `json:"nonce,omitempty"`
	FHIRUser string `json:"fhirUser,omitempty"`
}

// authorizationCode is the authorization_code grant (RFC 6749 §4.1.3, RFC
// 7636 §4.5, SMART App Launch 2.2 "Obtain access token"): the client
// authenticates (a public client by its client_id), and the code,
// redirect_uri and code_verifier are checked by the grants store.
func (s *Server) authorizationCode(r *http.Request, req *tokenRequest) (*tokenResponse, error) {
	app, err := s.userClient(r, req, registry.GrantAuthorizationCode)
	if err != nil {
		return nil, err
	}
	code, redirect := req.Form.Get("code"), req.Form.Get("redirect_uri")
	if code == "" {
		return nil, oauth.New(oauth.InvalidRequest, "code is required (RFC 6749 §4.1.3)")
	}
	if redirect == "" {
		return nil, oauth.New(oauth.InvalidRequest, "redirect_uri is required (RFC 6749 §4.1.3)")
	}
	g, err := s.opts.Grants.RedeemCode(code, app.ClientID, redirect, req.Form.Get("code_verifier"))
	if err != nil {
		return nil, grantError(err, "authorization code")
	}
	if err := s.simulateToken(r, app, g, true); err != nil {
		return nil, err
	}
	return s.userTokens(app, g, g.Scope, "")
}

// userClient authenticates the client of an authorization_code or
// refresh_token request and checks that it registered grant.
func (s *Server) userClient(r *http.Request, req *tokenRequest, grant string) (*registry.App, error) {
	app, err := s.opts.Clients.Authenticate(r.Context(), req.Form, req.Header, []string{s.urls.Token})
	if err != nil {
		return nil, err
	}
	if app == nil {
		return nil, oauth.New(oauth.InvalidClient, "client_id is required")
	}
	if !app.HasGrant(grant) {
		return nil, oauth.New(oauth.UnauthorizedClient, "this client is not registered for the "+grant+" grant")
	}
	return app, nil
}

// grantError maps the grants store's errors to RFC 6749 §5.2 errors whose
// description names the failed check; what is "authorization code" or
// "refresh token".
func grantError(err error, what string) error {
	var desc string
	switch {
	case errors.Is(err, grants.ErrInvalidScope):
		return oauth.New(oauth.InvalidScope, "scope may only narrow the granted scope (RFC 6749 §6): "+strings.TrimPrefix(err.Error(), grants.ErrInvalidScope.Error()+": "))
	case errors.Is(err, grants.ErrCodeReused):
		desc = "the authorization code was already used; the grant and the tokens issued from it are revoked (RFC 6749 §4.1.2)"
	case errors.Is(err, grants.ErrRefreshReused):
		desc = "the refresh token was already used; the grant and its tokens are revoked"
	case errors.Is(err, grants.ErrNotFound):
		desc = "the " + what + " is unknown"
	case errors.Is(err, grants.ErrExpired):
		desc = "the " + what + " has expired"
	case errors.Is(err, grants.ErrClientMismatch):
		desc = "the " + what + " was issued to another client"
	case errors.Is(err, grants.ErrRedirectMismatch):
		desc = "redirect_uri does not match the authorization request (RFC 6749 §4.1.3)"
	case errors.Is(err, grants.ErrPKCE):
		desc = "PKCE (RFC 7636 §4.6): " + strings.TrimPrefix(err.Error(), grants.ErrPKCE.Error()+": ")
	case errors.Is(err, grants.ErrRevoked):
		desc = "the grant was revoked"
	case errors.Is(err, grants.ErrSessionEnded):
		desc = "the grant has online access only and the user's session has ended"
	default:
		return oauth.Internal(err)
	}
	return oauth.New(oauth.InvalidGrant, desc)
}

// userTokens builds the response for grant g: an access token with the
// granted scope and the launch context, an id_token when openid is
// granted, and refreshToken, or a new one when it is "" and
// offline_access or online_access is granted.
func (s *Server) userTokens(app *registry.App, g grants.Grant, granted, refreshToken string) (*tokenResponse, error) {
	scopes := strings.Fields(granted)
	has := func(name string) bool {
		for _, sc := range scopes {
			if sc == name {
				return true
			}
		}
		return false
	}
	fhirUser := ""
	if has("fhirUser") || has("openid") {
		fhirUser = s.fhirUserURL(g.User)
	}
	life, fhir401 := s.simulatedAccess(app, g)
	tok, err := s.mintFor(AccessTokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: g.User},
		ClientID:         app.ClientID, Scope: granted, Grant: g.ID,
		Patient: g.Context.Patient, Encounter: g.Context.Encounter, FHIRUser: fhirUser,
		SimulateFHIR401After: fhir401,
	}, life)
	if err != nil {
		return nil, err
	}
	resp := &tokenResponse{
		AccessToken:       tok.token,
		TokenType:         "Bearer",
		ExpiresIn:         int64(life.Seconds()),
		Scope:             granted,
		RefreshToken:      refreshToken,
		Patient:           g.Context.Patient,
		Encounter:         g.Context.Encounter,
		FHIRContext:       g.Context.FHIRContext,
		NeedPatientBanner: g.Context.NeedPatientBanner,
		SMARTStyleURL:     g.Context.SMARTStyleURL,
	}
	if has("openid") {
		c := IDTokenClaims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer: s.opts.Issuer, Subject: g.User, Audience: jwt.ClaimStrings{app.ClientID},
				IssuedAt: tok.claims.IssuedAt, ExpiresAt: tok.claims.ExpiresAt,
			},
			Nonce:    g.Nonce,
			FHIRUser: fhirUser,
		}
		if resp.IDToken, err = s.opts.Keys.SignIDToken(c); err != nil {
			return nil, oauth.Internal(err)
		}
	}
	offline, online := has("offline_access"), has("online_access")
	if refreshToken == "" && (offline || online) && app.HasGrant(registry.GrantRefreshToken) {
		life := OnlineRefreshLifetime
		if offline {
			life = OfflineRefreshLifetime
		}
		if resp.RefreshToken, err = s.opts.Grants.IssueRefresh(g.ID, life); err != nil {
			return nil, grantError(err, "authorization code")
		}
	}
	return resp, nil
}

// fhirUserURL is the absolute URL of the user's FHIR resource: user as it
// is when it is an absolute URL, the FHIR base + "/" + user when it is a
// relative reference "Type/id" (Grant.User holds the fhirUser reference
// when the user has one), and "" for a login id, for which no fhirUser
// claim is made.
func (s *Server) fhirUserURL(user string) string {
	if strings.HasPrefix(user, "https://") || strings.HasPrefix(user, "http://") {
		return user
	}
	typ, id, ok := strings.Cut(user, "/")
	if !ok || typ == "" || id == "" || strings.Contains(id, "/") || typ[0] < 'A' || typ[0] > 'Z' {
		return ""
	}
	for _, c := range typ + id {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return ""
		}
	}
	return s.opts.Issuer + "/" + user
}
