package conformanceui

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"

	"smartd/sessions"
	"smartd/signin"
	"smartd/ui"
	"smartd/users"
)

// Paths below the base URL's path.
const (
	// Prefix is the folder every page is in; HomePath the form.
	Prefix   = "/conformance"
	HomePath = Prefix + "/"
	// LoginPath and LogoutPath sign a user in and out.
	LoginPath  = Prefix + "/login"
	LogoutPath = Prefix + "/logout"
	// RunsPath starts a run (POST); RunsPath + "/{id}" shows one.
	RunsPath = Prefix + "/runs"
)

// maxFormBytes bounds the run form, which may carry a PEM key.
const maxFormBytes = 64 << 10

// Options configures New. Users and Sessions are required, and
// FHIRBase.
type Options struct {
	// BasePath is the path of the base URL ("" at the root).
	BasePath string
	// FHIRBase is this server's absolute FHIR base URL, the default
	// target.
	FHIRBase string
	// AdminToken is this server's admin token; with it the form offers
	// admin mode against this server. "" offers none.
	AdminToken string
	// AllowedTargets are the other FHIR bases that may be tested: a run's
	// base must equal one or lie below it (same scheme and host, path
	// below). "*" allows any URL (a sandbox setting); nil allows only
	// FHIRBase.
	AllowedTargets []string
	// AllowPrivateAddresses lets runs against other servers connect to
	// loopback, private and link-local addresses (development only).
	AllowPrivateAddresses bool
	// Users and Sessions sign users in; Limiter throttles sign-in (nil
	// makes one; share the authorize endpoint's).
	Users    *users.Store
	Sessions *sessions.Store
	Limiter  *sessions.Limiter
	// Secure names the __Host- session cookie (https).
	Secure bool
	// Timeout bounds one run; zero means 5 minutes.
	Timeout time.Duration
	// Keep is how many runs stay in memory; zero means 20.
	Keep int
	// Concurrent is how many runs may go at once; zero means 1.
	Concurrent int
	// Transport carries the suite's requests to this server; nil means
	// http.DefaultTransport. Runs against other servers use their own
	// guarded transport.
	Transport http.RoundTripper
	// Audit receives every sign-in attempt and sign-out; nil drops them.
	Audit func(signin.Event)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives errors and one line per run; nil discards them.
	Log *slog.Logger
}

// Handler serves the conformance pages.
type Handler struct {
	opts   Options
	runs   *runStore
	mux    *http.ServeMux
	signin *signin.Handler
}

// New checks opts and returns the Handler.
func New(opts Options) (*Handler, error) {
	if opts.Users == nil || opts.Sessions == nil {
		return nil, errors.New("conformanceui: Users and Sessions are required")
	}
	if u, err := url.Parse(opts.FHIRBase); err != nil || !u.IsAbs() || u.Host == "" {
		return nil, errors.New("conformanceui: FHIRBase must be an absolute URL")
	}
	opts.FHIRBase = strings.TrimSuffix(opts.FHIRBase, "/")
	if opts.Limiter == nil {
		opts.Limiter = sessions.NewLimiter(sessions.LimiterOptions{Now: opts.Now})
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Minute
	}
	if opts.Keep <= 0 {
		opts.Keep = 20
	}
	if opts.Concurrent <= 0 {
		opts.Concurrent = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts, runs: newRunStore(opts.Keep, opts.Concurrent), mux: http.NewServeMux()}
	b := opts.BasePath
	var err error
	h.signin, err = signin.New(signin.Options{
		LoginPath: b + LoginPath, LogoutPath: b + LogoutPath, NextPrefix: b + HomePath, Title: "SMART conformance",
		Users: opts.Users, Sessions: opts.Sessions, Limiter: opts.Limiter, Secure: opts.Secure,
		Audit: opts.Audit, Now: opts.Now, Log: opts.Log,
	})
	if err != nil {
		return nil, err
	}
	h.mux.HandleFunc("GET "+b+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, b+HomePath, http.StatusMovedPermanently)
	})
	h.mux.HandleFunc("GET "+b+HomePath+"{$}", h.home)
	h.mux.Handle(b+LoginPath, h.signin) // the shared sign-in (any enabled account)
	h.mux.Handle(b+LogoutPath, h.signin)
	h.mux.Handle("POST "+b+RunsPath, sessions.Protect(http.HandlerFunc(h.start)))
	h.mux.HandleFunc("GET "+b+RunsPath+"/{id}", h.results)
	h.mux.HandleFunc("GET "+b+RunsPath+"/{id}/junit.xml", h.junit)
	h.mux.HandleFunc("GET "+b+RunsPath+"/{id}/report.html", h.htmlReport)
	h.mux.HandleFunc(b+HomePath, func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusNotFound, "", "There is no such conformance page.")
	})
	return h, nil
}

// ServeHTTP serves the conformance paths; others get 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// user returns the request's session and its enabled account; the
// account is nil for no session, an anonymous one or a disabled user.
func (h *Handler) user(r *http.Request) (*sessions.Session, *users.User) {
	return h.signin.Current(r)
}

// signedIn returns the session and user, or sends the browser to the
// sign-in page and returns nil.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (*sessions.Session, *users.User) {
	sess, u := h.user(r)
	if u == nil {
		http.Redirect(w, r, h.opts.BasePath+LoginPath, http.StatusSeeOther)
		return nil, nil
	}
	return sess, u
}

// render writes a page with the security headers of our pages.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	if err := sessions.WritePage(w, r, status, false, c); err != nil {
		h.opts.Log.ErrorContext(r.Context(), "conformanceui: render page", "err", err)
	}
}

// errorPage shows an error with a link back.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	h.render(w, r, status, ui.ErrorPage(ui.ErrorPageView{Title: title, Message: msg, Status: status}))
}

// serverError logs err and shows a page that says nothing of it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.opts.Log.ErrorContext(r.Context(), "conformanceui: "+what, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "", "The server could not "+what+"; try again later.")
}
