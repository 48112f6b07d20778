package simulation

import "strconv"

// ReasonPrefix starts the reason of every audit record of a simulated
// behaviour.
const ReasonPrefix = "simulated: "

// The reasons of simulated behaviours (audit.Record.Reason), one per
// option.
const (
	ReasonInvalidClient  = ReasonPrefix + "invalid client"
	ReasonInvalidScope   = ReasonPrefix + "invalid scope"
	ReasonInvalidState   = ReasonPrefix + "invalid state"
	ReasonTokenError     = ReasonPrefix + "token endpoint error"
	ReasonRefreshRevoked = ReasonPrefix + "refresh token revoked"
	ReasonSkipLogin      = ReasonPrefix + "skip login"
	ReasonSkipConsent    = ReasonPrefix + "skip consent"
)

// ReasonLifetime is the reason of a token issued with a simulated
// lifetime of seconds.
func ReasonLifetime(seconds int) string {
	return ReasonPrefix + "access token lifetime " + strconv.Itoa(seconds) + "s"
}

// ReasonFHIR401 is the reason (and the error description the app gets)
// of a FHIR request refused after n requests with its access token.
func ReasonFHIR401(n int) string {
	return ReasonPrefix + "FHIR 401 after " + strconv.Itoa(n) + " requests with this access token"
}

// Where a simulated behaviour happened (Event.Action); they are the
// audit trail's interaction codes of the same name.
const (
	ActionAuthorize = "authorize"
	ActionToken     = "token"
)

// Event is one simulated behaviour, for the audit trail.
type Event struct {
	// Action is ActionAuthorize or ActionToken.
	Action string
	// ClientID is the app; User its user (the fhirUser reference, else
	// the username); Patient the launch patient, if known.
	ClientID, User, Patient string
	// Error is the OAuth error code the app was sent; "" when the
	// simulation changed something without failing the request (a
	// short token lifetime, a skipped page, a changed state).
	Error string
	// Status is the HTTP status of the answer.
	Status int
	// Reason is one of the Reason values.
	Reason string
}
