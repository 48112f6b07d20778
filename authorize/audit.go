package authorize

import (
	"strings"
	"time"
)

// AuthEvent is one sign-in attempt or sign-out at the authorization
// server, for the audit trail (issue #4: "every failure in the audit
// log"; ONC §170.315(d)(2) records authentication events).
type AuthEvent struct {
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

// Actions and outcomes of an AuthEvent.
const (
	ActionLogin    = "login"
	ActionLogout   = "logout"
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// Reasons of a failed sign-in. The audit trail tells them apart; the
// login page shows the same message for the first two.
const (
	// ReasonBadCredentials: an unknown username or a wrong password.
	ReasonBadCredentials = "bad credentials"
	// ReasonDisabled: the right password for a disabled account.
	ReasonDisabled = "account disabled"
	// ReasonThrottled: refused before the password was checked, because
	// the account is locked or the address made too many attempts.
	ReasonThrottled = "too many attempts"
	// ReasonLockedSuffix is appended to the reason of the failure that
	// locked the account.
	ReasonLockedSuffix = "; account locked"
)

// maxAuditUsername bounds the username recorded for a failed sign-in:
// whatever was typed reaches the trail.
const maxAuditUsername = 128

// audit sends one event to the Audit hook, if any.
func (h *Handler) audit(action, username, ip, outcome, reason string) {
	if h.opts.Audit == nil {
		return
	}
	if len(username) > maxAuditUsername {
		username = strings.ToValidUTF8(username[:maxAuditUsername], "")
	}
	h.opts.Audit(AuthEvent{Time: h.opts.Now(), Action: action, Username: username, IP: ip, Outcome: outcome, Reason: reason})
}
