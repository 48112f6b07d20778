package authz

import (
	"errors"
	"net/http"

	"github.com/golang-jwt/jwt/v5"

	"smartd/authz/grants"
	"smartd/authz/oauth"
)

// revoke is the RFC 7009 revocation endpoint. The client authenticates
// as at the token endpoint (public clients by client_id, §2.1), and may
// revoke only its own tokens; for any other token, unknown, expired,
// malformed or another client's, it gets 200 all the same (§2.2: "invalid
// tokens do not cause an error response"), so that the endpoint tells
// nothing about tokens it did not issue to the caller. Revoking an access
// token records its jti until its exp; revoking a refresh token revokes
// its grant, which ends the access tokens issued from it too (their
// grant claim).
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) error {
	req, err := parseRevokeRequest(w, r)
	if err != nil {
		return err
	}
	app, err := s.opts.Clients.Authenticate(r.Context(), req.Form, req.Header, []string{s.urls.Revoke, s.urls.Token})
	if err != nil {
		return err
	}
	var c AccessTokenClaims
	_, verr := s.opts.Keys.VerifyAccessToken(req.Token, &c, jwt.WithIssuer(s.opts.Issuer), jwt.WithAudience(s.opts.Issuer))
	switch {
	case verr == nil && app != nil && c.ClientID == app.ClientID && c.ExpiresAt != nil:
		if err := s.opts.Revocations.Revoke(c.ID, c.ExpiresAt.Time); err != nil {
			return err
		}
	case verr != nil && app != nil && s.opts.Grants != nil:
		err := s.opts.Grants.RevokeRefresh(req.Token, app.ClientID)
		if err != nil && !errors.Is(err, grants.ErrNotFound) && !errors.Is(err, grants.ErrClientMismatch) {
			return oauth.Internal(err)
		}
	}
	oauth.NoStore(w.Header())
	w.WriteHeader(http.StatusOK)
	return nil
}
