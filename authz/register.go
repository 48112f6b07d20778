package authz

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"smartd/apps/registry"
	"smartd/authz/oauth"
	"smartd/launch/simulation"
)

// register is the RFC 7591 §3 registration endpoint, under the server's
// RegistrationPolicy. The response (201) carries the client_id, the
// client secret of a symmetric client (shown this once), and the RFC 7592
// registration access token and registration_client_uri.
func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	req, err := parseRegistrationRequest(w, r)
	if err != nil {
		return err
	}
	if err := s.admitRegistration(w, req); err != nil {
		return err
	}
	if err := adminOnly(req.Metadata, nil); err != nil {
		return err
	}
	app, cred, err := s.opts.Apps.Register(req.Metadata)
	if err != nil {
		return registrationError(err)
	}
	s.origins.Invalidate()
	w.Header().Set("Location", s.clientURI(app.ClientID))
	return writeJSON(w, http.StatusCreated, app.Response(cred, s.clientURI(app.ClientID)))
}

// admitRegistration applies the registration policy.
func (s *Server) admitRegistration(w http.ResponseWriter, req *registrationRequest) error {
	switch s.opts.Registration {
	case RegistrationClosed:
		e := oauth.New(oauth.AccessDenied, "dynamic client registration is closed on this server; ask its administrator to register the app")
		e.Status = http.StatusForbidden
		return e
	case RegistrationToken:
		if !equalSecret(req.Bearer, s.opts.RegistrationToken) {
			e := oauth.New(oauth.InvalidToken, "registration needs the initial access token as a Bearer token (RFC 7591 §3)")
			e.Challenge = "Bearer"
			return e
		}
		return nil
	}
	if ok, wait := s.limiter.allow(req.Addr, s.opts.Now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		e := oauth.New(oauth.SlowDown, "too many registration requests from this address; retry later")
		return e
	}
	return nil
}

// readClient is RFC 7592 §2.1: the registered metadata. RFC 7592 §3
// requires registration_access_token in the response; only its hash is
// stored, so the token the client just proved it holds is sent back. The
// client secret is never returned again.
func (s *Server) readClient(w http.ResponseWriter, r *http.Request) error {
	req, app, err := s.managed(w, r)
	if err != nil {
		return err
	}
	cred := registry.Credentials{RegistrationAccessToken: req.Bearer}
	return writeJSON(w, http.StatusOK, app.Response(cred, s.clientURI(req.ClientID)))
}

// updateClient is RFC 7592 §2.2: the request's metadata replaces the
// registration.
func (s *Server) updateClient(w http.ResponseWriter, r *http.Request) error {
	req, cur, err := s.managed(w, r)
	if err != nil {
		return err
	}
	if err := adminOnly(req.Metadata, cur); err != nil {
		return err
	}
	app, cred, err := s.opts.Apps.Reregister(req.ClientID, req.Metadata)
	if err != nil {
		return registrationError(err)
	}
	if cred.RegistrationAccessToken == "" {
		cred.RegistrationAccessToken = req.Bearer // still valid (RFC 7592 §3)
	}
	s.origins.Invalidate()
	return writeJSON(w, http.StatusOK, app.Response(cred, s.clientURI(app.ClientID)))
}

// deleteClient is RFC 7592 §2.3: the client is deregistered (204).
func (s *Server) deleteClient(w http.ResponseWriter, r *http.Request) error {
	req, _, err := s.managed(w, r)
	if err != nil {
		return err
	}
	if err := s.opts.Apps.Delete(req.ClientID); err != nil {
		if errors.Is(err, registry.ErrNotFound) {
			return invalidRegistrationToken("")
		}
		return oauth.Internal(err)
	}
	s.origins.Invalidate()
	oauth.NoStore(w.Header())
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// managed decodes an RFC 7592 request and checks its registration access
// token. An unknown client and a wrong token get the same 401 (RFC 7592
// §2.1: "If the client does not exist on this server, the server MUST
// respond with HTTP 401 Unauthorized").
func (s *Server) managed(w http.ResponseWriter, r *http.Request) (*managementRequest, *registry.App, error) {
	req, err := parseManagementRequest(w, r)
	if err != nil {
		return nil, nil, err
	}
	app, err := s.opts.Apps.Get(req.ClientID)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return nil, nil, invalidRegistrationToken("")
	case err != nil:
		return nil, nil, oauth.Internal(err)
	case !app.CheckRegistrationToken(req.Bearer):
		return nil, nil, invalidRegistrationToken("")
	}
	return req, app, nil
}

// clientURI is the RFC 7592 registration_client_uri of clientID.
func (s *Server) clientURI(clientID string) string {
	return s.opts.BaseURL + registerPath + "/" + url.PathEscape(clientID)
}

// registrationError maps a registry error to RFC 7591 §3.2.2:
// invalid_redirect_uri or invalid_client_metadata with every problem
// described.
func registrationError(err error) error {
	var v *registry.ValidationError
	switch {
	case errors.As(err, &v):
		return oauth.New(oauth.Code(v.Code()), v.Error())
	case errors.Is(err, registry.ErrNotFound):
		return invalidRegistrationToken("")
	case errors.Is(err, registry.ErrExists):
		return oauth.New(oauth.InvalidClientMetadata, err.Error())
	}
	return oauth.Internal(err)
}

// invalidRegistrationToken is RFC 7592 §3's answer to a missing or wrong
// registration access token: 401 with an RFC 6750 challenge.
func invalidRegistrationToken(desc string) error {
	if desc == "" {
		desc = "the registration access token is not valid for this client"
	}
	e := oauth.New(oauth.InvalidToken, desc)
	e.Challenge = "Bearer"
	return e
}

// equalSecret compares a presented secret with the configured one in
// constant time (their digests, so that the length does not leak).
func equalSecret(got, want string) bool {
	if got == "" || want == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// adminOnly refuses, in dynamic registration, the members only an
// administrator sets (launch simulation): a new registration may not
// carry them, and an RFC 7592 update may only repeat the current values
// (a client sends back what it read).
func adminOnly(md registry.Metadata, cur *registry.App) error {
	allow, sim := false, (*simulation.Options)(nil)
	if cur != nil {
		allow, sim = cur.AllowSimulation, cur.Simulation
	}
	if md.AllowSimulation != allow || !md.Simulation.Equal(sim) {
		return oauth.New(oauth.InvalidClientMetadata, "allow_simulation and simulation are set by the server's administrator (admin API), not by dynamic registration")
	}
	return nil
}
