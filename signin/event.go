package signin

import (
	"strings"
	"time"
)

// Event is one sign-in attempt or sign-out, for the audit trail.
type Event struct {
	Time time.Time
	// Action is ActionLogin or ActionLogout.
	Action string
	// Username is the account signed in or out; for a failed sign-in,
	// the username as typed (at most maxAuditUsername bytes), which may
	// name no account.
	Username string
	// IP is the client's address without its port.
	IP string
	// Outcome is OutcomeSuccess or OutcomeFailure.
	Outcome string
	// Reason says why a sign-in failed (a Reason constant, possibly with
	// ReasonLockedSuffix); "" on success.
	Reason string
}

// Actions and outcomes of an Event (the authorize endpoint's sign-ins use
// the same type and words, so the trail reads alike).
const (
	ActionLogin    = "login"
	ActionLogout   = "logout"
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// Reasons of a failed sign-in. The trail tells them apart; the page shows
// the same message for the first two.
const (
	// ReasonBadCredentials: an unknown username or a wrong password.
	ReasonBadCredentials = "bad credentials"
	// ReasonDisabled: the right password for a disabled account.
	ReasonDisabled = "account disabled"
	// ReasonThrottled: refused before the password was checked, because
	// the account is locked or the address made too many attempts.
	ReasonThrottled = "too many attempts"
	// ReasonRole: the right password for an account whose role may not
	// sign in here (Options.Roles).
	ReasonRole = "role not allowed here"
	// ReasonLockedSuffix is appended to the reason of the failure that
	// locked the account.
	ReasonLockedSuffix = "; account locked"
)

// maxAuditUsername bounds the username recorded for a failed sign-in:
// whatever was typed reaches the trail.
const maxAuditUsername = 128

// NewEvent returns an Event, the username cut to what the trail keeps.
func NewEvent(at time.Time, action, username, ip, outcome, reason string) Event {
	if len(username) > maxAuditUsername {
		username = strings.ToValidUTF8(username[:maxAuditUsername], "")
	}
	return Event{Time: at, Action: action, Username: username, IP: ip, Outcome: outcome, Reason: reason}
}

// audit sends one event to the Audit hook, if any.
func (h *Handler) audit(action, username, ip, outcome, reason string) {
	if h.opts.Audit != nil {
		h.opts.Audit(NewEvent(h.opts.Now(), action, username, ip, outcome, reason))
	}
}
