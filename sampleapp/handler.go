package sampleapp

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"smartd/apps/registry"
)

// Paths of the sample app, below the base URL's path.
const (
	// Prefix is the folder every sample app path is in.
	Prefix = "/sample-app"
	// HomePath is the start page.
	HomePath = Prefix + "/"
	// StartPath starts a standalone launch.
	StartPath = Prefix + "/start"
	// LaunchPath is the app's launch URL (EHR launch).
	LaunchPath = Prefix + "/launch"
	// CallbackPath is the app's redirect URI.
	CallbackPath = Prefix + "/callback"
)

// ClientID is the sample app's client_id.
const ClientID = "sample-app"

// The scopes the app asks for.
const (
	// EHRScope is asked for in an EHR launch: the launch context, the
	// user's identity and read access to the patient's data.
	EHRScope = "launch openid fhirUser patient/*.rs"
	// StandaloneScope is asked for in a standalone launch: the user picks
	// the patient (launch/patient).
	StandaloneScope = "launch/patient openid fhirUser patient/*.rs"
)

// Name is the app's client_name, on the EHR's Launch button and the
// consent page.
const Name = "smartd sample app"

// Registration returns the sample app's registration for a server whose
// public base URL is baseURL: a public client (PKCE, no secret) with the
// authorization_code grant, its launch URL and redirect URI below
// baseURL, and the scopes of both launches.
func Registration(baseURL string) *registry.App {
	base := strings.TrimSuffix(baseURL, "/")
	return &registry.App{
		ClientID:     ClientID,
		Name:         Name,
		RedirectURIs: []string{base + CallbackPath},
		LaunchURL:    base + LaunchPath,
		Scope:        "launch launch/patient openid fhirUser patient/*.rs",
		GrantTypes:   []string{registry.GrantAuthorizationCode},
		AuthMethod:   registry.AuthNone,
	}
}

// Options configures New. BaseURL and FHIRBase are required.
type Options struct {
	// BaseURL is the server's public base URL; the app's pages are below
	// its path and its redirect URI is BaseURL + CallbackPath.
	BaseURL string
	// FHIRBase is the one FHIR server the app launches against (iss).
	FHIRBase string
	// ClientID is the app's client_id; "" means ClientID.
	ClientID string
	// HTTPClient makes the discovery, token and FHIR requests; nil means
	// a client with a 10 s timeout. Redirects are never followed.
	HTTPClient *http.Client
	// Now is the clock of the pending launches; nil means time.Now.
	Now func() time.Time
	// Log receives errors; nil discards them.
	Log *slog.Logger
}

// Handler serves the sample app.
type Handler struct {
	opts     Options
	basePath string
	secure   bool
	client   *http.Client
	pending  *pending
	mux      *http.ServeMux
}

// New checks opts and returns the Handler.
func New(opts Options) (*Handler, error) {
	base, err := url.Parse(opts.BaseURL)
	if err != nil || !base.IsAbs() || base.Host == "" {
		return nil, errors.New("sampleapp: BaseURL must be an absolute URL")
	}
	if f, err := url.Parse(opts.FHIRBase); err != nil || !f.IsAbs() || f.Host == "" {
		return nil, errors.New("sampleapp: FHIRBase must be an absolute URL")
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	if opts.ClientID == "" {
		opts.ClientID = ClientID
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	h := &Handler{
		opts:     opts,
		basePath: strings.TrimSuffix(base.Path, "/"),
		secure:   base.Scheme == "https",
		client:   client,
		pending:  newPending(opts.Now),
		mux:      http.NewServeMux(),
	}
	b := h.basePath
	h.mux.HandleFunc("GET "+b+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, b+HomePath, http.StatusMovedPermanently)
	})
	h.mux.HandleFunc("GET "+b+HomePath+"{$}", h.home)
	h.mux.HandleFunc("GET "+b+StartPath, h.start)
	h.mux.HandleFunc("GET "+b+LaunchPath, h.launch)
	h.mux.HandleFunc("GET "+b+CallbackPath, h.callback)
	h.mux.HandleFunc(b+HomePath, func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "Not found", "The sample app has no such page.", "", "")
	})
	return h, nil
}

// ServeHTTP serves the sample app's paths; others get 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// redirectURI is the app's registered redirect URI.
func (h *Handler) redirectURI() string { return h.opts.BaseURL + CallbackPath }
