package launch

import (
	"errors"
	"time"

	"smartd/launch/simulation"
)

// Lifetime is how long an issued launch id may be used.
const Lifetime = 5 * time.Minute

// Context is what one EHR launch carries to the app.
type Context struct {
	// ID is the opaque launch id sent to the app as `launch`.
	ID string `json:"id"`
	// ClientID is the app the launch was issued for; any other client
	// presenting the id is refused.
	ClientID string `json:"client_id"`
	// Username is the login of the clinician who launched; empty for a
	// launch created through the API without a signed-in user.
	Username string `json:"username,omitempty"`
	// FHIRUser is the relative reference of that user's resource
	// ("Practitioner/123"), empty when none.
	FHIRUser string `json:"fhir_user,omitempty"`
	// Patient and Encounter are resource ids ("" when not in context).
	Patient   string `json:"patient,omitempty"`
	Encounter string `json:"encounter,omitempty"`
	// FHIRContext lists further resources in view (SMART 2.1 fhirContext).
	FHIRContext []FHIRContextItem `json:"fhirContext,omitempty"`
	// NeedPatientBanner is false when the EHR shows the banner itself
	// (an embedded launch).
	NeedPatientBanner bool `json:"need_patient_banner"`
	// Intent is the SMART launch intent, if any.
	Intent string `json:"intent,omitempty"`
	// Simulate lists the errors this launch simulates (sandbox only; see
	// package simulation): nil means the app's defaults, if any, apply;
	// non-nil, even empty, replaces them.
	Simulate *simulation.Options `json:"simulate,omitempty"`
	// Created and Expires bound the id's use.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// FHIRContextItem is one entry of fhirContext (SMART App Launch 2.2,
// "fhirContext"): a reference, a canonical or an identifier, with an
// optional type and role.
type FHIRContextItem struct {
	Reference string `json:"reference,omitempty"`
	Canonical string `json:"canonical,omitempty"`
	Type      string `json:"type,omitempty"`
	Role      string `json:"role,omitempty"`
}

// Errors of Peek and Consume. Each one means the authorization request
// must be refused.
var (
	// ErrUnknown: no launch with this id was ever issued here (or it was
	// forgotten after expiry).
	ErrUnknown = errors.New("unknown launch")
	// ErrExpired: the launch id is past its lifetime.
	ErrExpired = errors.New("launch expired")
	// ErrUsed: the launch id was already consumed by an issued code.
	ErrUsed = errors.New("launch already used")
	// ErrOtherApp: the launch was issued for another client.
	ErrOtherApp = errors.New("launch issued for another app")
)
