package authorize

import (
	"context"
	"log/slog"
	"net/http"

	"smartd/apps/registry"
	"smartd/authz"
	"smartd/authz/grants"
	"smartd/authz/scope"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// Paths of the endpoints, below the base URL's path.
const (
	AuthorizePath   = authz.AuthorizePath
	LoginPath       = authz.AuthPrefix + "/login"
	PickPatientPath = authz.AuthPrefix + "/pick-patient"
	ConsentPath     = authz.AuthPrefix + "/consent"
)

// ParamPrefix prefixes the hidden form fields that carry the authorize
// request's parameters.
const ParamPrefix = "req."

// patientField is the hidden consent field with the chosen patient id.
const patientField = "ctx.patient"

// PatientSearcher lists patients for the picker (FHIR Patient search with
// name, birthdate and identifier).
type PatientSearcher interface {
	SearchPatients(ctx context.Context, q ui.PatientQuery) ([]ui.PatientRow, error)
}

// Options configures a Handler. All fields but Log, Secure and Grant are
// required.
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
	// Secure names the __Host- session cookie (https).
	Secure bool
	// Grant tunes the intersection of scopes.
	Grant scope.GrantOptions
	Log   *slog.Logger
}

// Handler serves the authorize endpoint and its pages.
type Handler struct {
	opts Options
	mux  *http.ServeMux
}

// New returns a Handler.
func New(opts Options) *Handler {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts, mux: http.NewServeMux()}
	b := opts.BasePath
	h.mux.HandleFunc("GET "+b+AuthorizePath, h.authorize)
	h.mux.HandleFunc("POST "+b+AuthorizePath, h.authorize)
	h.mux.Handle("POST "+b+LoginPath, sessions.Protect(http.HandlerFunc(h.login)))
	h.mux.HandleFunc("GET "+b+PickPatientPath, h.searchPatients)
	h.mux.Handle("POST "+b+PickPatientPath, sessions.Protect(http.HandlerFunc(h.pickPatient)))
	h.mux.Handle("POST "+b+ConsentPath, sessions.Protect(http.HandlerFunc(h.consent)))
	return h
}

// Owns reports whether the handler serves path.
func (h *Handler) Owns(path string) bool {
	b := h.opts.BasePath
	switch path {
	case b + AuthorizePath, b + LoginPath, b + PickPatientPath, b + ConsentPath:
		return true
	}
	return false
}

// ServeHTTP serves the endpoints; other paths get 404 and other methods 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }
