package server

import (
	"net/http"
	"sync/atomic"

	"smartd/audit"
	"smartd/authz"
	"smartd/fhirproxy"
	"smartd/launch"
	"smartd/launch/simulation"
	"smartd/sessions"
)

// auditLaunch records an issued EHR launch (launch.Options.Issued); the
// reason notes the simulation the launch asks for, if any.
func (s *Server) auditLaunch(c launch.Context) {
	rec := audit.Record{
		Time: c.Created, Kind: audit.KindAuth, Interaction: audit.AuthLaunch, ClientID: c.ClientID,
		User: c.FHIRUser, Patient: c.Patient, Outcome: audit.OutcomeSuccess,
	}
	if rec.User == "" {
		rec.User = c.Username
	}
	if sum := c.Simulate.Summary(); sum != "" {
		rec.Reason = "simulation: " + sum
	}
	s.audit.Record(rec)
}

// auditSimulation records a simulated behaviour of the authorize or token
// endpoint (authorize.Options.Simulated, authz.Options.Simulated); its
// reason starts with simulation.ReasonPrefix.
func (s *Server) auditSimulation(r *http.Request, ev simulation.Event) {
	rec := audit.Record{
		Kind: audit.KindAuth, Interaction: ev.Action, ClientID: ev.ClientID, User: ev.User, Patient: ev.Patient,
		Status: ev.Status, Outcome: audit.OutcomeSuccess, Reason: ev.Reason,
		RemoteAddr: sessions.ClientIP(r), RequestID: RequestID(r.Context()),
	}
	if ev.Error != "" {
		rec.Outcome = audit.OutcomeDenied
		if ev.Status >= 500 {
			rec.Outcome = audit.OutcomeFailure
		}
	}
	s.audit.Record(rec)
}

// requestLimit counts the FHIR requests of an access token whose launch
// simulation refuses them past a number (simulation.Options.FHIR401After).
// The count lives with the verified token in the bearer cache, so it
// starts again if the cache is swept (past maxCachedTokens tokens).
type requestLimit struct {
	after int64
	n     atomic.Int64
}

// requestLimit returns the limit a token's claims ask for, or nil: on a
// sandbox server only, so that a restart without -sandbox ends it.
func (b *bearer) requestLimit(c *authz.AccessTokenClaims) *requestLimit {
	if c.SimulateFHIR401After == nil || !b.sandbox {
		return nil
	}
	return &requestLimit{after: int64(*c.SimulateFHIR401After)}
}

// take counts one request, refusing it with 401 invalid_token (RFC 6750
// §3.1) once the token has made its number of requests.
func (l *requestLimit) take() error {
	if l.n.Add(1) > l.after {
		return fhirproxy.Unauthorized(simulation.ReasonFHIR401(int(l.after)))
	}
	return nil
}
