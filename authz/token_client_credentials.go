package authz

import (
	"net/http"

	"smartd/apps/registry"
	"smartd/authz/oauth"
	"smartd/authz/scope"
)

// clientCredentials is the client_credentials grant of SMART Backend
// Services (backend-services.html, "Request an access token"): the client
// authenticates with a signed assertion whose aud is the token URL, asks
// for system/ scopes, and gets a short-lived access token and no refresh
// token.
func (s *Server) clientCredentials(r *http.Request, req *tokenRequest) (*tokenResponse, error) {
	app, err := s.opts.Clients.Authenticate(r.Context(), req.Form, req.Header, []string{s.urls.Token})
	if err != nil {
		return nil, err
	}
	// The registry admits client_credentials only for private_key_jwt
	// clients (Backend Services: "MUST" be confidential-asymmetric); the
	// type is checked again for registrations stored by older rules.
	if !app.HasGrant(registry.GrantClientCredentials) || app.Type() != registry.ConfidentialAsymmetric {
		return nil, oauth.New(oauth.UnauthorizedClient, "this client is not registered for the client_credentials grant")
	}
	if !req.HasScope || len(req.Scope) == 0 {
		return nil, oauth.New(oauth.InvalidRequest, "scope is required (SMART Backend Services)")
	}
	allowed, err := scope.Parse(app.Scope)
	if err != nil {
		return nil, oauth.Internal(err)
	}
	granted := scope.Grant(systemScopes(req.Scope), systemScopes(allowed), s.opts.Grant)
	if len(granted) == 0 {
		return nil, oauth.New(oauth.InvalidScope, "none of the requested scopes can be granted to this client: a backend service is granted system/ scopes within its registered scope ("+clip(app.Scope)+")")
	}
	tok, err := s.mintAccessToken(app.ClientID, app.ClientID, granted.String())
	if err != nil {
		return nil, err
	}
	return &tokenResponse{
		AccessToken: tok.token,
		TokenType:   "bearer",
		ExpiresIn:   int64(s.opts.AccessTokenLifetime.Seconds()),
		Scope:       tok.claims.Scope,
	}, nil
}

// systemScopes keeps the system/ resource scopes of set: a backend
// service acts for no user or patient, so openid, fhirUser, launch and
// offline_access are left out of the grant rather than failing the
// request, as are patient/ and user/ scopes.
func systemScopes(set scope.Set) scope.Set {
	var out scope.Set
	for _, sc := range set {
		if sc.Kind == scope.KindResource && sc.Context == scope.ContextSystem {
			out = append(out, sc)
		}
	}
	return out
}
