package authz

import (
	"encoding/json"
	"fmt"
	"net/http"

	"smartd/authz/oauth"
)

// tokenResponse is the RFC 6749 §5.1 success body, as SMART Backend
// Services gives it ("Response": access_token, token_type "bearer",
// expires_in, scope), and for the authorization_code and refresh_token
// grants also the refresh token, id_token and launch context (SMART App
// Launch 2.2, "Response": patient, encounter, fhirContext,
// need_patient_banner, smart_style_url).
type tokenResponse struct {
	AccessToken       string          `json:"access_token"`
	TokenType         string          `json:"token_type"`
	ExpiresIn         int64           `json:"expires_in"`
	Scope             string          `json:"scope"`
	RefreshToken      string          `json:"refresh_token,omitempty"`
	IDToken           string          `json:"id_token,omitempty"`
	Patient           string          `json:"patient,omitempty"`
	Encounter         string          `json:"encounter,omitempty"`
	FHIRContext       json.RawMessage `json:"fhirContext,omitempty"`
	NeedPatientBanner bool            `json:"need_patient_banner,omitempty"`
	SMARTStyleURL     string          `json:"smart_style_url,omitempty"`
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
	switch {
	case req.GrantType == GrantClientCredentials:
		resp, err = s.clientCredentials(r, req)
	case s.opts.Grants == nil:
		err = oauth.New(oauth.UnsupportedGrantType, fmt.Sprintf("grant_type %s is not supported; this server supports client_credentials", req.GrantType))
	case req.GrantType == GrantAuthorizationCode:
		resp, err = s.authorizationCode(r, req)
	case req.GrantType == GrantRefreshToken:
		resp, err = s.refreshToken(r, req)
	default:
		err = oauth.Internal(fmt.Errorf("grant type %q decoded but not handled", req.GrantType))
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}
