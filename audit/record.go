package audit

import (
	"net/http"
	"time"
	"unicode/utf8"
)

// Kind says what a record is about.
type Kind string

// The kinds of record.
const (
	// KindFHIR is one FHIR REST interaction under /fhir, allowed or refused.
	KindFHIR Kind = "fhir"
	// KindAuth is a login, an authorization decision or a token endpoint
	// answer (issued or refused).
	KindAuth Kind = "auth"
)

// Outcome is how a recorded action ended. AuditEvent.outcome (R4) codes
// it as 0 (success), 4 (minor failure: denied, or a client error) or 8
// (serious failure: a server error); see [Record.AuditEvent].
type Outcome string

// The outcomes.
const (
	// OutcomeSuccess: the action was performed (HTTP 1xx-3xx).
	OutcomeSuccess Outcome = "success"
	// OutcomeDenied: refused by policy: no or a bad token (401), a scope
	// or context that does not allow it (403), a failed login or client
	// authentication, a refused consent.
	OutcomeDenied Outcome = "denied"
	// OutcomeFailure: not performed for another reason: a bad request, a
	// missing resource (4xx), a server error (5xx).
	OutcomeFailure Outcome = "failure"
)

// The Interaction values of KindAuth records. FHIR records use the R4
// restful-interaction codes (read, vread, update, patch, delete,
// history-instance, history-type, history-system, create, search-type,
// search-system, capabilities, transaction, batch, operation).
const (
	AuthLogin      = "login"      // a user signed in (or failed to)
	AuthLogout     = "logout"     // a user signed out
	AuthAuthorize  = "authorize"  // /authorize: a code issued, or an error sent to the app
	AuthToken      = "token"      // /token: a token issued, or refused
	AuthIntrospect = "introspect" // RFC 7662 introspection
	AuthRevoke     = "revoke"     // RFC 7009 revocation
	AuthRegister   = "register"   // RFC 7591 dynamic registration
	AuthLaunch     = "launch"     // an EHR launch issued (the EHR view or the launch-context API)
)

// Record is one audited action. Only Kind is required; the zero value of
// every other field means "not known" or "not applicable".
type Record struct {
	// ID identifies the record in the trail; Query sets it, Record ignores
	// it. It is 32 lower-case hex digits, a valid FHIR id, and a cursor
	// that continues after this record.
	ID string `json:"id,omitempty"`
	// Time is when the action happened; zero means when Record was called.
	// Query returns it in UTC; times before 1970 are kept as 1970.
	Time time.Time `json:"time"`
	// Kind is KindFHIR or KindAuth.
	Kind Kind `json:"kind"`
	// ClientID is the app's client_id.
	ClientID string `json:"client_id,omitempty"`
	// User is the signed-in user: the fhirUser reference (Practitioner/ID)
	// when there is one, else the username.
	User string `json:"user,omitempty"`
	// Patient is the id of the launch patient in context.
	Patient string `json:"patient,omitempty"`
	// Interaction is the FHIR restful-interaction code (read, search-type,
	// ...) of a KindFHIR record, or one of the Auth* actions.
	Interaction string `json:"interaction,omitempty"`
	// ResourceType and ResourceID name the resource the action was on.
	ResourceType string `json:"resource_type,omitempty"`
	ResourceID   string `json:"resource_id,omitempty"`
	// Query is the search's query string, without the leading "?".
	Query string `json:"query,omitempty"`
	// Status is the HTTP status of the answer; one outside 0-999 is
	// stored as 0.
	Status int `json:"status,omitempty"`
	// Outcome is how it ended; empty means derived from Status
	// ([OutcomeOf]) when the record is written.
	Outcome Outcome `json:"outcome,omitempty"`
	// Reason says why the action was refused or failed: the failed
	// assertion check, the scope that was missing, an OAuth error code.
	Reason string `json:"reason,omitempty"`
	// Scope is the granted (or requested, if refused) scope string.
	Scope string `json:"scope,omitempty"`
	// RemoteAddr is the client's address ("ip:port" or "ip").
	RemoteAddr string `json:"remote_addr,omitempty"`
	// RequestID is the request id of the server's log lines.
	RequestID string `json:"request_id,omitempty"`
}

// OutcomeOf is the outcome an HTTP status implies: 401 and 403 are
// denied, other 4xx and 5xx failures, the rest success.
func OutcomeOf(status int) Outcome {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return OutcomeDenied
	case status >= 400:
		return OutcomeFailure
	}
	return OutcomeSuccess
}

// Field limits: a record's strings are cut to these many bytes when it is
// written, so that one request cannot add more than a few KiB.
const (
	maxField = 1 << 10
	maxQuery = 4 << 10
)

// normalize prepares a record for storage: no ID, an outcome, bounded
// strings.
func (r *Record) normalize() {
	r.ID = ""
	if r.Status < 0 || r.Status > 999 {
		r.Status = 0
	}
	if r.Outcome == "" && r.Status != 0 {
		r.Outcome = OutcomeOf(r.Status)
	}
	for _, f := range []*string{&r.ClientID, &r.User, &r.Patient, &r.Interaction, &r.ResourceType,
		&r.ResourceID, &r.Reason, &r.Scope, &r.RemoteAddr, &r.RequestID} {
		*f = cut(*f, maxField)
	}
	r.Kind = Kind(cut(string(r.Kind), maxField))
	r.Outcome = Outcome(cut(string(r.Outcome), maxField))
	r.Query = cut(r.Query, maxQuery)
}

// cut shortens s to at most n bytes, on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Change is the record of a change someone made through smartd's pages
// (an account, a grant, an app): a successful auth-kind record whose
// Interaction names the action ("user-disabled") and whose Reason says it
// in words; clientID names the app concerned, if any, so that the app's
// page lists it.
func Change(actor, action, clientID, what, remoteAddr string) Record {
	return Record{Kind: KindAuth, Interaction: action, User: actor, ClientID: clientID,
		Status: 200, Outcome: OutcomeSuccess, Reason: what, RemoteAddr: remoteAddr}
}
