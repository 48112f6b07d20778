package authz

import (
	"net/http"

	"smartd/apps/registry"
	"smartd/authz/oauth"
)

// introspection is the RFC 7662 §2.2 response. An inactive token gets
// {"active":false} and nothing else (SMART token-introspection.html; RFC
// 7662 §2.2: "SHOULD NOT include any additional information").
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Aud       string `json:"aud,omitempty"`
	Iss       string `json:"iss,omitempty"`
}

// introspect is the RFC 7662 introspection endpoint. The caller proves
// who it is (RFC 7662 §2.1: "MUST require some form of authorization"),
// either with a bearer access token of ours, which SMART says an
// introspection endpoint that enforces access control MUST accept, or as
// a confidential client; any authenticated caller may introspect any
// token (token-introspection.html, "Authorization to use the
// introspection endpoint").
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) error {
	req, err := parseIntrospectRequest(w, r)
	if err != nil {
		return err
	}
	if err := s.authenticateCaller(r, req); err != nil {
		return err
	}
	c, ok := s.verifyAccessToken(req.Token)
	if !ok {
		return writeJSON(w, http.StatusOK, introspection{Active: false})
	}
	return writeJSON(w, http.StatusOK, introspection{
		Active:    true,
		Scope:     c.Scope,
		ClientID:  c.ClientID,
		TokenType: "Bearer",
		Exp:       c.ExpiresAt.Unix(),
		Iat:       c.IssuedAt.Unix(),
		Sub:       c.Subject,
		Aud:       s.opts.Issuer,
		Iss:       c.Issuer,
	})
}

// authenticateCaller accepts a valid, unrevoked bearer access token or a
// confidential client whose assertion may name the introspection or the
// token URL as its aud. A public client has nothing to prove itself
// with, so it must use its access token.
func (s *Server) authenticateCaller(r *http.Request, req *introspectRequest) error {
	if req.Bearer != "" {
		if _, ok := s.verifyAccessToken(req.Bearer); !ok {
			e := oauth.New(oauth.InvalidToken, "the bearer token is not a valid access token of this server")
			e.Challenge = "Bearer"
			return e
		}
		return nil
	}
	app, err := s.opts.Clients.Authenticate(r.Context(), req.Form, req.Header, []string{s.urls.Introspect, s.urls.Token})
	if err != nil {
		return err
	}
	if app == nil || app.Type() == registry.Public {
		return oauth.New(oauth.InvalidClient, "introspection needs a confidential client's credentials or a bearer access token")
	}
	return nil
}
