package authz

import (
	"fmt"
	"net/http"

	"smartd/authz/oauth"
)

// tokenResponse is the RFC 6749 §5.1 success body, as SMART Backend
// Services gives it ("Response": access_token, token_type "bearer",
// expires_in, scope).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// token is the token endpoint (RFC 6749 §3.2): one typed request, one
// switch on its grant type. An unknown grant_type was refused while
// decoding, before the client is authenticated, so that it is always
// exactly 400 unsupported_grant_type.
func (s *Server) token(w http.ResponseWriter, r *http.Request) error {
	req, err := parseTokenRequest(w, r)
	if err != nil {
		return err
	}
	var resp *tokenResponse
	switch req.GrantType {
	case GrantClientCredentials:
		resp, err = s.clientCredentials(r, req)
	case GrantAuthorizationCode, GrantRefreshToken:
		err = oauth.New(oauth.UnsupportedGrantType, fmt.Sprintf("grant_type %s is not supported yet; this server supports client_credentials", req.GrantType))
	default:
		err = oauth.Internal(fmt.Errorf("grant type %q decoded but not handled", req.GrantType))
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}
