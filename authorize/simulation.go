package authorize

import (
	"crypto/rand"
	"fmt"
	"net/http"

	"smartd/authz/oauth"
	"smartd/authz/scope"
	"smartd/launch/simulation"
	"smartd/sessions"
)

// simulateStart sets the attempt's launch simulation (the EHR launch's,
// else the app's defaults, on a sandbox server for an app that opted in)
// and applies the authorize endpoint's simulated refusals: an unknown
// client, shown on the same error page as a real one (RFC 6749
// §4.1.2.1: never redirected), or invalid_scope redirected to the app
// with its state. It returns false when it has answered.
func (h *Handler) simulateStart(w http.ResponseWriter, r *http.Request, a *attempt) bool {
	if !h.opts.Sandbox {
		return true
	}
	var own *simulation.Options
	if a.ehr != nil {
		own = a.ehr.Simulate
	}
	a.sim = simulation.Effective(h.opts.Sandbox, a.req.App.AllowSimulation, own, a.req.App.Simulation)
	switch {
	case a.sim == nil:
		return true
	case a.sim.InvalidClient:
		h.simulated(r, a, simulation.Event{Error: string(oauth.InvalidClient), Status: http.StatusBadRequest, Reason: simulation.ReasonInvalidClient})
		h.errorPage(w, http.StatusBadRequest, "This app's sign-in request is not valid, so you cannot be sent back to it.",
			fmt.Sprintf("invalid_client: client_id %q is not registered (%s)", a.req.ClientID, simulation.ReasonInvalidClient))
		return false
	case a.sim.InvalidScope:
		h.simulated(r, a, simulation.Event{Error: string(oauth.InvalidScope), Status: http.StatusFound, Reason: simulation.ReasonInvalidScope})
		h.fail(w, r, a.req, oauth.New(oauth.InvalidScope, simulation.ReasonInvalidScope+": the requested scope is invalid"))
		return false
	}
	return true
}

// skipLogin signs the browser in without the login page, for an
// attempt that simulates skip login: as the user the EHR launch names,
// else as Options.SandboxUser. Without such a user (or with an unknown
// or disabled one) it does nothing and the login page follows. The
// sign-in is audited like a login, with the simulation as its reason.
func (h *Handler) skipLogin(w http.ResponseWriter, r *http.Request, a *attempt) {
	name := h.opts.SandboxUser
	if a.ehr != nil && a.ehr.Username != "" {
		name = a.ehr.Username
	}
	if name == "" {
		return
	}
	u, err := h.opts.Users.Get(name)
	if err != nil || u.Disabled {
		h.opts.Log.Warn("skip login: no enabled user to sign in as", "user", name, "err", err)
		return
	}
	if a.sess != nil {
		_ = h.opts.Sessions.Delete(a.sess.ID)
	}
	sess, err := h.opts.Sessions.Create(u.Username)
	if err != nil {
		h.opts.Log.Error("skip login: create session", "err", err)
		return
	}
	h.opts.Sessions.SetCookie(w, sess, h.opts.Secure)
	h.audit(ActionLogin, u.Username, sessions.ClientIP(r), OutcomeSuccess, simulation.ReasonSkipLogin)
	a.sess, a.user, a.prompt.login = sess, u, false
}

// skipConsent approves an attempt that simulates skip consent as the
// app asked: the requested scopes within the app's, as a remembered
// decision would (rememberedGrant).
func (h *Handler) skipConsent(w http.ResponseWriter, r *http.Request, a *attempt) {
	allowed, err := scope.Parse(a.req.App.Scope)
	if err != nil {
		h.fail(w, r, a.req, oauth.Internal(err))
		return
	}
	granted := scope.Grant(offered(a.req.Scopes), allowed, h.opts.Grant)
	if len(granted) == 0 {
		h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "no requested scope was granted"))
		return
	}
	h.simulated(r, a, simulation.Event{Status: http.StatusFound, Reason: simulation.ReasonSkipConsent})
	h.issue(w, r, a, granted)
}

// simulatedState returns the state an attempt that simulates an invalid
// state sends back with its code: random, so never the app's.
func (h *Handler) simulatedState(r *http.Request, a *attempt) string {
	h.simulated(r, a, simulation.Event{Status: http.StatusFound, Reason: simulation.ReasonInvalidState})
	return "simulated-" + rand.Text()
}

// simulated reports a simulated behaviour to Options.Simulated, with the
// attempt's app, user and patient.
func (h *Handler) simulated(r *http.Request, a *attempt, ev simulation.Event) {
	if h.opts.Simulated == nil {
		return
	}
	ev.Action, ev.ClientID, ev.Patient = simulation.ActionAuthorize, a.req.ClientID, a.patient
	switch {
	case a.user != nil:
		ev.User = a.user.FHIRUser
		if ev.User == "" {
			ev.User = a.user.Username
		}
	case a.ehr != nil:
		ev.User = a.ehr.FHIRUser
	}
	if ev.Patient == "" && a.ehr != nil {
		ev.Patient = a.ehr.Patient
	}
	h.opts.Simulated(r, ev)
}
