package authorize

import "smartd/signin"

// AuthEvent is one sign-in attempt or sign-out at the authorization
// server, for the audit trail (issue #4: "every failure in the audit
// log"; ONC §170.315(d)(2) records authentication events): the same
// event as the web pages' sign-in.
type AuthEvent = signin.Event

// Actions, outcomes and reasons of an AuthEvent (see package signin).
const (
	ActionLogin          = signin.ActionLogin
	ActionLogout         = signin.ActionLogout
	OutcomeSuccess       = signin.OutcomeSuccess
	OutcomeFailure       = signin.OutcomeFailure
	ReasonBadCredentials = signin.ReasonBadCredentials
	ReasonDisabled       = signin.ReasonDisabled
	ReasonThrottled      = signin.ReasonThrottled
	ReasonLockedSuffix   = signin.ReasonLockedSuffix
)

// audit sends one event to the Audit hook, if any.
func (h *Handler) audit(action, username, ip, outcome, reason string) {
	if h.opts.Audit != nil {
		h.opts.Audit(signin.NewEvent(h.opts.Now(), action, username, ip, outcome, reason))
	}
}
