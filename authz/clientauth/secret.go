package clientauth

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"smartd/apps/registry"
	"smartd/authz/oauth"
)

// basicCredentials are decoded HTTP Basic credentials.
type basicCredentials struct {
	clientID, secret string
}

// parseBasic returns the HTTP Basic credentials of a request, or nil if it
// sends none. Other Authorization schemes are left to the endpoint (an
// introspection endpoint may take a bearer token). The user and password
// are form-urlencoded before base64 (RFC 6749 §2.3.1), so they are decoded
// here; smartd's client_ids and secrets use only characters that encoding
// leaves alone, so a client that forgets to encode still works.
func parseBasic(h http.Header) (*basicCredentials, error) {
	vals := h.Values("Authorization")
	if len(vals) == 0 {
		return nil, nil
	}
	if len(vals) > 1 {
		return nil, invalidRequest("the Authorization header is sent %d times; send it once", len(vals))
	}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(vals[0]), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return nil, nil
	}
	fail := func(format string, args ...any) (*basicCredentials, error) {
		return nil, challengeBasic(invalidClient(format, args...))
	}
	rest = strings.TrimSpace(rest)
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(rest); err != nil {
			return fail("the HTTP Basic credentials are not valid base64 (RFC 7617 §2)")
		}
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return fail("the HTTP Basic credentials have no ':' between client_id and client_secret (RFC 7617 §2)")
	}
	id, err := url.QueryUnescape(user)
	if err != nil {
		return fail("the HTTP Basic client_id is not form-urlencoded (RFC 6749 §2.3.1): %v", err)
	}
	secret, err := url.QueryUnescape(pass)
	if err != nil {
		return fail("the HTTP Basic client_secret is not form-urlencoded (RFC 6749 §2.3.1): %v", err)
	}
	if id == "" {
		return fail("the HTTP Basic credentials have an empty client_id")
	}
	return &basicCredentials{clientID: id, secret: secret}, nil
}

// authenticateBasic is client_secret_basic (RFC 6749 §2.3.1). A public
// client may identify itself with Basic and an empty password, as
// golang.org/x/oauth2 does with AuthStyleInHeader: that carries no
// secret, so it is taken as its client_id.
func (a *Authenticator) authenticateBasic(c *basicCredentials, formID string) (*registry.App, error) {
	if formID != "" && formID != c.clientID {
		return nil, invalidClient("client_id %s in the request body differs from client_id %s in HTTP Basic",
			quote(formID), quote(c.clientID))
	}
	app, err := a.lookup(c.clientID, "")
	if err != nil {
		return nil, err
	}
	if app.AuthMethod == registry.AuthNone && c.secret == "" {
		return app, nil
	}
	return a.checkSecret(app, registry.AuthClientSecretBasic, c.secret)
}

// authenticatePost is client_secret_post (RFC 6749 §2.3.1).
func (a *Authenticator) authenticatePost(clientID, secret string) (*registry.App, error) {
	if clientID == "" {
		return nil, invalidRequest("client_secret is sent without client_id")
	}
	app, err := a.lookup(clientID, "")
	if err != nil {
		return nil, err
	}
	return a.checkSecret(app, registry.AuthClientSecretPost, secret)
}

// checkSecret checks that app registered method and that secret is its
// client secret. A client must use the method it registered: RFC 7591 §2
// calls token_endpoint_auth_method the client's authentication method
// for the token endpoint, and a server that accepted both would let a
// client registered for Basic leak its secret into request bodies, which
// get logged.
func (a *Authenticator) checkSecret(app *registry.App, method, secret string) (*registry.App, error) {
	switch app.AuthMethod {
	case method:
	case registry.AuthNone:
		return nil, invalidClient("client %s is a public client (token_endpoint_auth_method none); it must not send a client secret",
			quote(app.ClientID))
	default:
		return nil, invalidClient("client %s is registered for %s, not %s; it must %s",
			quote(app.ClientID), app.AuthMethod, method, howTo(app.AuthMethod))
	}
	if secret == "" {
		return nil, invalidClient("the client secret of client %s is empty", quote(app.ClientID))
	}
	if !app.CheckSecret(secret) {
		return nil, invalidClient("the client secret of client %s is wrong", quote(app.ClientID))
	}
	return app, nil
}

// authenticatePublic is a request without credentials: only a public
// client (token_endpoint_auth_method none) may make one, naming itself
// with client_id (SMART App Launch 2.2, "Obtain access token").
func (a *Authenticator) authenticatePublic(clientID string) (*registry.App, error) {
	if clientID == "" {
		return nil, oauth.New(oauth.InvalidClient, "the request carries no client authentication: a public client sends its client_id; "+
			"a confidential client uses HTTP Basic, client_secret or client_assertion")
	}
	app, err := a.lookup(clientID, "")
	if err != nil {
		return nil, err
	}
	if app.AuthMethod != registry.AuthNone {
		return nil, invalidClient("client %s is a %s client registered for %s and sent no credentials; it must %s",
			quote(app.ClientID), app.Type(), app.AuthMethod, howTo(app.AuthMethod))
	}
	return app, nil
}
