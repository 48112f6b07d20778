package authz

import (
	"net/http"
	"time"

	"smartd/apps/registry"
	"smartd/authz/grants"
	"smartd/authz/oauth"
	"smartd/launch/simulation"
)

// simulation returns the launch simulation that applies to grant g of
// app: the grant's, while the server is in sandbox mode and the app still
// opts in; nil otherwise, which is all the normal path checks.
func (s *Server) simulation(app *registry.App, g grants.Grant) *simulation.Options {
	if g.Simulate == nil {
		return nil
	}
	return simulation.Effective(s.opts.Sandbox, app.AllowSimulation, g.Simulate, nil)
}

// simulateToken applies launch simulation to a token request for grant
// g: the code exchange (code) fails with the simulated token endpoint
// error, a refresh with invalid_grant when the refresh token is
// simulated revoked; otherwise a simulated access token lifetime is
// audited. It returns the error to answer, or nil to go on.
func (s *Server) simulateToken(r *http.Request, app *registry.App, g grants.Grant, code bool) error {
	sim := s.simulation(app, g)
	if sim == nil {
		return nil
	}
	ev := simulation.Event{Action: simulation.ActionToken, ClientID: app.ClientID, User: g.User, Patient: g.Context.Patient}
	var fail *oauth.Error
	switch {
	case code && sim.TokenError != "":
		fail = simulatedTokenError(sim.TokenError)
		ev.Reason = simulation.ReasonTokenError
	case !code && sim.RefreshRevoked:
		fail = oauth.New(oauth.InvalidGrant, simulation.ReasonRefreshRevoked+": the grant's refresh token was revoked")
		ev.Reason = simulation.ReasonRefreshRevoked
	case sim.AccessTokenLifetime != nil:
		ev.Reason, ev.Status = simulation.ReasonLifetime(*sim.AccessTokenLifetime), http.StatusOK
	default:
		return nil
	}
	if fail != nil {
		ev.Error, ev.Status = string(fail.Code), fail.Status
	}
	if s.opts.Simulated != nil {
		s.opts.Simulated(r, ev)
	}
	if fail != nil {
		return fail
	}
	return nil
}

// simulatedTokenError is the token endpoint error code, with the status
// a real one has: 401 for invalid_client, 500 for server_error, 503 for
// temporarily_unavailable, else 400 (RFC 6749 §5.2).
func simulatedTokenError(code string) *oauth.Error {
	e := oauth.New(oauth.Code(code), simulation.ReasonTokenError+" ("+code+")")
	if code == "temporarily_unavailable" {
		e.Status = http.StatusServiceUnavailable
	}
	return e
}

// simulatedAccess returns the lifetime of grant g's access tokens and
// the FHIR request count their claims carry: the server's lifetime and
// none, unless launch simulation sets them.
func (s *Server) simulatedAccess(app *registry.App, g grants.Grant) (time.Duration, *int) {
	sim := s.simulation(app, g)
	if sim == nil {
		return s.opts.UserAccessTokenLifetime, nil
	}
	life := s.opts.UserAccessTokenLifetime
	if n := sim.AccessTokenLifetime; n != nil {
		life = time.Duration(*n) * time.Second
	}
	var after *int
	if n := sim.FHIR401After; n != nil {
		after = new(int)
		*after = *n
	}
	return life, after
}
