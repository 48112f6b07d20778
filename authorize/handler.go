package authorize

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"smartd/apps/registry"
	"smartd/authz"
	"smartd/authz/grants"
	"smartd/authz/scope"
	"smartd/launch"
	"smartd/launch/simulation"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// Paths of the endpoints, below the base URL's path.
const (
	AuthorizePath     = authz.AuthorizePath
	LoginPath         = authz.AuthPrefix + "/login"
	PickPatientPath   = authz.AuthPrefix + "/pick-patient"
	PickEncounterPath = authz.AuthPrefix + "/pick-encounter"
	ConsentPath       = authz.AuthPrefix + "/consent"
	LogoutPath        = authz.AuthPrefix + "/logout"
)

// ParamPrefix prefixes the hidden form fields that carry the authorize
// request's parameters.
const ParamPrefix = "req."

// Hidden fields with the launch context chosen so far in a standalone
// launch. They come back from the browser, so every step checks them
// again: the patient against the user's access, the encounter against
// the patient.
const (
	patientField   = "ctx.patient"
	encounterField = "ctx.encounter"
)

// PatientSearcher lists patients for the picker (FHIR Patient search with
// name, birthdate and identifier).
type PatientSearcher interface {
	SearchPatients(ctx context.Context, q ui.PatientQuery) ([]ui.PatientRow, error)
}

// patientNamer is a PatientSearcher that can also name one patient, for
// the consent page ("the records of José Núñez" rather than an id).
type patientNamer interface {
	PatientName(ctx context.Context, id string) string
}

// patientName is the patient's display name when the searcher knows it,
// else the id.
func (h *Handler) patientName(ctx context.Context, id string) string {
	if n, ok := h.opts.Patients.(patientNamer); ok && id != "" {
		if name := n.PatientName(ctx, id); name != "" {
			return name
		}
	}
	return id
}

// EncounterSearcher lists a patient's encounters for the encounter picker
// and tells whose an encounter is (FHIR Encounter search by patient).
type EncounterSearcher interface {
	// SearchEncounters returns patient's encounters matching q, newest
	// first; the handler pages them.
	SearchEncounters(ctx context.Context, patient string, q ui.EncounterQuery) ([]ui.EncounterRow, error)
	// EncounterPatient returns the id of the Patient encounter id is the
	// subject of, or "" when there is no such encounter or no patient.
	EncounterPatient(ctx context.Context, id string) (string, error)
}

// Launches resolves EHR launch ids (SMART App Launch 2.2, "EHR Launch").
// Both methods fail with launch.ErrUnknown, ErrExpired, ErrUsed or
// ErrOtherApp when the id cannot be used by clientID.
type Launches interface {
	// Peek returns the launch without using it up.
	Peek(id, clientID string) (launch.Context, error)
	// Consume returns the launch and uses it up; it is called once, when
	// the authorization code is issued.
	Consume(id, clientID string) (launch.Context, error)
}

// Options configures a Handler. BasePath, FHIRBase, Apps, Grants, Users,
// Sessions, Limiter and Patients are required; the zero value of every
// other field is documented.
type Options struct {
	// BasePath is the path of the base URL ("" at the root).
	BasePath string
	// FHIRBase is the absolute FHIR base URL, the expected aud.
	FHIRBase string
	Apps     interface {
		Get(string) (*registry.App, error)
	}
	Grants   *grants.Store
	Users    *users.Store
	Sessions *sessions.Store
	Limiter  *sessions.Limiter
	Patients PatientSearcher
	// Encounters serves the encounter picker of a standalone launch that
	// asks for launch/encounter; nil grants such a launch no encounter.
	Encounters EncounterSearcher
	// Launches resolves the launch parameter of an EHR launch; nil
	// refuses every EHR launch with invalid_request.
	Launches Launches
	// StyleURL is sent as smart_style_url with every grant; "" sends none.
	StyleURL string
	// Audit receives every sign-in success and failure and every
	// sign-out; nil records none.
	Audit func(AuthEvent)
	// Now is the clock of audit events; nil means time.Now.
	Now func() time.Time
	// Secure names the __Host- session cookie (https).
	Secure bool
	// Grant tunes the intersection of scopes.
	Grant scope.GrantOptions
	// Log receives errors and decisions; nil discards them.
	Log *slog.Logger
	// Sandbox applies launch simulation (package simulation) to the
	// launches of apps that opted in (smartd -sandbox); false ignores it.
	Sandbox bool
	// SandboxUser is the username a standalone launch that simulates
	// skip login signs in as; "" shows the login page as usual.
	SandboxUser string
	// Simulated, when set, is told of every simulated behaviour of the
	// authorize endpoint, for the audit trail. It must not block.
	Simulated func(*http.Request, simulation.Event)
}

// Handler serves the authorize endpoint and its pages.
type Handler struct {
	opts Options
	mux  *http.ServeMux
	memo partsMemo
}

// New returns a Handler.
func New(opts Options) *Handler {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{opts: opts, mux: http.NewServeMux()}
	b := opts.BasePath
	h.mux.HandleFunc("GET "+b+AuthorizePath, h.authorize)
	h.mux.HandleFunc("POST "+b+AuthorizePath, h.authorize)
	h.mux.Handle("POST "+b+LoginPath, sessions.Protect(http.HandlerFunc(h.login)))
	h.mux.HandleFunc("GET "+b+PickPatientPath, h.searchPatients)
	h.mux.Handle("POST "+b+PickPatientPath, sessions.Protect(http.HandlerFunc(h.pickPatient)))
	h.mux.HandleFunc("GET "+b+PickEncounterPath, h.searchEncounters)
	h.mux.Handle("POST "+b+PickEncounterPath, sessions.Protect(http.HandlerFunc(h.pickEncounter)))
	h.mux.Handle("POST "+b+ConsentPath, sessions.Protect(http.HandlerFunc(h.consent)))
	h.mux.HandleFunc("GET "+b+LogoutPath, h.showLogout)
	h.mux.Handle("POST "+b+LogoutPath, sessions.Protect(http.HandlerFunc(h.logout)))
	return h
}

// Owns reports whether the handler serves path.
func (h *Handler) Owns(path string) bool {
	b := h.opts.BasePath
	switch path {
	case b + AuthorizePath, b + LoginPath, b + PickPatientPath, b + PickEncounterPath, b + ConsentPath, b + LogoutPath:
		return true
	}
	return false
}

// ServeHTTP serves the endpoints; other paths get 404 and other methods 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }
