package launch

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"smartd/apps/registry"
	"smartd/authz/oauth"
	"smartd/launch/simulation"
	"smartd/users"
)

// APIPath is the path of the launch-context API below the base URL's path.
const APIPath = "/launch/api/launches"

// maxAPIBody bounds a launch request; a real one is a few hundred bytes.
const maxAPIBody = 64 << 10

// Apps finds registered apps (apps/registry.Store satisfies it).
type Apps interface {
	// Get returns the app, or an error wrapping registry.ErrNotFound.
	Get(clientID string) (*registry.App, error)
}

// Users finds login accounts (users.Store satisfies it).
type Users interface {
	// Get returns the account, or an error wrapping users.ErrNotFound.
	Get(username string) (*users.User, error)
}

// Resources answers the questions a launch asks of the FHIR store.
type Resources interface {
	// Exists reports whether the resource typ/id exists and is not
	// deleted; an unknown type is not an error, just false.
	Exists(ctx context.Context, typ, id string) (bool, error)
	// BelongsTo reports whether the resource typ/id is in the
	// compartment of Patient/patientID (for an Encounter: its subject is
	// that patient).
	BelongsTo(ctx context.Context, typ, id, patientID string) (bool, error)
}

// APIOptions configures NewAPI. Every field but Log and BasePath is
// required.
type APIOptions struct {
	// BasePath is the path of the base URL ("" at the root); the API
	// answers at BasePath + APIPath.
	BasePath string
	// FHIRBase is the absolute FHIR base URL, sent to the app as iss.
	FHIRBase string
	// Store issues the launches.
	Store *Store
	// Apps, Users and Resources check what a request names.
	Apps      Apps
	Users     Users
	Resources Resources
	// Authenticate reports whether the request carries the credentials
	// of an integration allowed to create launches, such as the admin
	// bearer token (BearerToken).
	Authenticate func(*http.Request) bool
	// Log receives server errors and one line per launch; nil discards.
	Log *slog.Logger
	// Sandbox accepts the simulate member for apps that opted in to
	// launch simulation (smartd -sandbox); false refuses it.
	Sandbox bool
}

// APIRequest is the JSON body of POST BasePath + APIPath.
type APIRequest struct {
	// ClientID is the app to launch (required); it must have a launch URL.
	ClientID string `json:"client_id"`
	// User is the username of the person the launch is for; optional.
	// When set, the account must exist, be enabled, and be a clinician or
	// a patient allowed to see Patient; its fhirUser goes into the launch.
	User string `json:"user,omitempty"`
	// Patient and Encounter are resource ids; both optional, but an
	// encounter needs its patient.
	Patient   string `json:"patient,omitempty"`
	Encounter string `json:"encounter,omitempty"`
	// FHIRContext lists further resources in context (SMART App Launch
	// 2.2, "fhirContext"); each reference must exist.
	FHIRContext []FHIRContextItem `json:"fhirContext,omitempty"`
	// NeedPatientBanner says the app must show the patient banner; absent
	// means true (the app opens outside the EHR's page).
	NeedPatientBanner *bool `json:"need_patient_banner,omitempty"`
	// Intent is the SMART launch intent, e.g. "reconcile-medications".
	Intent string `json:"intent,omitempty"`
	// Simulate lists the errors the launch simulates (package
	// simulation); only on a sandbox server, for an app that opted in.
	// Absent means the app's defaults; {} means none.
	Simulate *simulation.Options `json:"simulate,omitempty"`
}

// APIResponse is the 201 answer: the launch id, the URL to open (the
// app's launch URL with iss and launch) and when the id expires.
type APIResponse struct {
	Launch    string    `json:"launch"`
	LaunchURL string    `json:"launch_url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// API serves the launch-context API: an authenticated POST that creates
// an EHR launch for an integration (a CDS Hooks card's SMART link, a
// Task-driven launch) and returns the URL to open.
type API struct {
	opts APIOptions
	mux  *http.ServeMux
}

// NewAPI checks opts and returns the API handler.
func NewAPI(opts APIOptions) (*API, error) {
	if opts.Store == nil || opts.Apps == nil || opts.Users == nil || opts.Resources == nil || opts.Authenticate == nil {
		return nil, errors.New("launch: the API needs Store, Apps, Users, Resources and Authenticate")
	}
	if _, err := URL("https://app.invalid/", opts.FHIRBase, "x"); err != nil {
		return nil, errors.New("launch: the API needs an absolute FHIRBase")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	a := &API{opts: opts, mux: http.NewServeMux()}
	a.mux.HandleFunc("POST "+opts.BasePath+APIPath, a.handle(a.create))
	a.mux.HandleFunc("/", a.handle(func(http.ResponseWriter, *http.Request) error {
		return notFound("no such launch API endpoint or method")
	}))
	return a, nil
}

// ServeHTTP serves POST BasePath + APIPath; anything else gets a 404
// JSON error (after authentication, so the API's shape is not revealed).
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// BearerToken returns an Authenticate function that accepts requests
// with "Authorization: Bearer <token>" (RFC 6750 §2.1), comparing SHA-256
// digests in constant time, as the admin API does.
func BearerToken(token string) func(*http.Request) bool {
	want := sha256.Sum256([]byte(token))
	return func(r *http.Request) bool {
		scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		tok = strings.TrimSpace(tok)
		if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" || token == "" {
			return false
		}
		got := sha256.Sum256([]byte(tok))
		return subtle.ConstantTimeCompare(got[:], want[:]) == 1
	}
}

// handle authenticates, bounds the body and writes the endpoint's error
// as OAuth-style JSON ({"error", "error_description"}), in one place.
func (a *API) handle(f func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var err error
		if !a.opts.Authenticate(r) {
			e := oauth.New(oauth.InvalidToken, "the launch API needs Authorization: Bearer <admin token>")
			e.Challenge = `Bearer realm="smartd launch"`
			err = e
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, maxAPIBody)
			err = f(w, r)
		}
		if err != nil {
			oauth.Write(w, r, a.opts.Log, err)
		}
	}
}

// create serves POST BasePath + APIPath.
func (a *API) create(w http.ResponseWriter, r *http.Request) error {
	var req APIRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return badRequest("the body is not a launch request JSON object: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("the body holds more than one JSON value")
	}
	c, app, err := a.check(r.Context(), &req)
	if err != nil {
		return err
	}
	c, err = a.opts.Store.Issue(c)
	if errors.Is(err, ErrFull) {
		return oauth.New(oauth.SlowDown, "too many launches in progress; try again in a few minutes")
	}
	if err != nil {
		return oauth.Internal(err)
	}
	u, err := URL(app.LaunchURL, a.opts.FHIRBase, c.ID)
	if err != nil {
		return oauth.Internal(err)
	}
	a.opts.Log.InfoContext(r.Context(), "launch: issued through the API", "client_id", c.ClientID, "user", c.Username, "simulate", c.Simulate.Summary())
	b, err := json.Marshal(APIResponse{Launch: c.ID, LaunchURL: u, ExpiresAt: c.Expires.UTC()})
	if err != nil {
		return oauth.Internal(err)
	}
	oauth.NoStore(w.Header())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(append(b, '\n'))
	return nil
}

// badRequest is a 400 invalid_request with this description.
func badRequest(desc string) error { return oauth.New(oauth.InvalidRequest, desc) }

// notFound is a 404 not_found with this description.
func notFound(desc string) error {
	e := oauth.New("not_found", desc)
	e.Status = http.StatusNotFound
	return e
}
