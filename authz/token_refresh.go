package authz

import (
	"net/http"

	"smartd/apps/registry"
	"smartd/authz/grants"
	"smartd/authz/oauth"
)

// refreshToken is the refresh_token grant (RFC 6749 §6, SMART App Launch
// 2.2 "Refresh access token"): the client authenticates as at the
// authorization_code grant and must be the token's client; the token is
// rotated (RFC 9700 §4.14.2), so every response carries a new refresh
// token and a rotated one presented again revokes the whole grant. scope,
// when sent, may only narrow the granted scope; the response carries the
// grant's launch context, and an id_token when openid is in the
// (narrowed) scope.
func (s *Server) refreshToken(r *http.Request, req *tokenRequest) (*tokenResponse, error) {
	app, err := s.userClient(r, req, registry.GrantRefreshToken)
	if err != nil {
		return nil, err
	}
	token := req.Form.Get("refresh_token")
	if token == "" {
		return nil, oauth.New(oauth.InvalidRequest, "refresh_token is required (RFC 6749 §6)")
	}
	// The scope is checked before the token rotates, so that a refused
	// request leaves the client's token working.
	peeked, err := s.opts.Grants.PeekRefresh(token, app.ClientID)
	if err != nil {
		return nil, grantError(err, "refresh token")
	}
	if err := s.simulateToken(r, app, peeked, false); err != nil {
		return nil, err
	}
	granted, err := grants.Narrow(peeked.Scope, req.Scope.String())
	if err != nil {
		return nil, grantError(err, "refresh token")
	}
	g, next, err := s.opts.Grants.RotateRefresh(token, app.ClientID)
	if err != nil {
		return nil, grantError(err, "refresh token")
	}
	return s.userTokens(app, g, granted, next)
}
