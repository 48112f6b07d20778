package signin

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/a-h/templ"

	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// maxFormBytes bounds the body of the sign-in and sign-out forms.
const maxFormBytes = 16 << 10

// Options configures New. LoginPath, LogoutPath, Users and Sessions are
// required; the zero value of every other field is documented.
type Options struct {
	// LoginPath and LogoutPath are the full paths (the base URL's path
	// included) the handler serves, e.g. "/login" and "/logout".
	LoginPath, LogoutPath string
	// NextPrefix is the path (ending in "/") that next must lie below;
	// "" means "/", the whole site.
	NextPrefix string
	// Home is where a sign-in goes without a usable next; "" means
	// NextPrefix. HomeFor, when set, chooses it by account instead (the
	// shared sign-in sends developers to their apps, admins to the admin
	// pages).
	Home    string
	HomeFor func(u *users.User) string
	// Title names what the user signs in to on the page ("the smartd
	// EHR"); "" shows a plain "Sign in".
	Title string
	// Roles are the roles that may sign in here; empty admits every
	// enabled account. RoleMessage is what another account is told.
	Roles       []users.Role
	RoleMessage string
	// Users checks passwords; Sessions holds the sessions (the same store
	// the authorize endpoint reads).
	Users    *users.Store
	Sessions *sessions.Store
	// Limiter throttles attempts; nil makes one with the default policy.
	Limiter *sessions.Limiter
	// Secure names the __Host- session cookie (https).
	Secure bool
	// Audit receives every sign-in attempt and sign-out; nil drops them.
	Audit func(Event)
	// Now is the clock of events; nil means time.Now.
	Now func() time.Time
	// Log receives errors and one line per sign-in; nil discards them.
	Log *slog.Logger
}

// Handler serves the sign-in and sign-out paths of Options.
type Handler struct {
	opts Options
	mux  *http.ServeMux
}

// New checks opts and returns the Handler.
func New(opts Options) (*Handler, error) {
	if opts.LoginPath == "" || opts.LogoutPath == "" || opts.Users == nil || opts.Sessions == nil {
		return nil, errors.New("signin: LoginPath, LogoutPath, Users and Sessions are required")
	}
	if opts.NextPrefix == "" {
		opts.NextPrefix = "/"
	}
	if opts.Home == "" {
		opts.Home = opts.NextPrefix
	}
	if opts.Limiter == nil {
		opts.Limiter = sessions.NewLimiter(sessions.LimiterOptions{Now: opts.Now})
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+opts.LoginPath, h.showLogin)
	h.mux.Handle("POST "+opts.LoginPath, sessions.Protect(http.HandlerFunc(h.login)))
	h.mux.Handle("POST "+opts.LogoutPath, sessions.Protect(http.HandlerFunc(h.logout)))
	return h, nil
}

// ServeHTTP serves the sign-in and sign-out paths; others get 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// LoginPath returns the sign-in path the handler serves.
func (h *Handler) LoginPath() string { return h.opts.LoginPath }

// LogoutPath returns the sign-out path the handler serves; its form posts
// the session's csrf_token.
func (h *Handler) LogoutPath() string { return h.opts.LogoutPath }

// LoginURL is the sign-in page that comes back to next.
func (h *Handler) LoginURL(next string) string {
	if next == "" {
		return h.opts.LoginPath
	}
	return h.opts.LoginPath + "?" + url.Values{"next": {next}}.Encode()
}

// Current returns the request's session and its signed-in account: the
// user is nil for no session, an anonymous one, an unknown or disabled
// account, or a role Options.Roles does not admit.
func (h *Handler) Current(r *http.Request) (*sessions.Session, *users.User) {
	sess, err := h.opts.Sessions.FromRequest(r)
	if err != nil {
		return nil, nil
	}
	if sess.Username == "" {
		return sess, nil
	}
	u, err := h.opts.Users.Get(sess.Username)
	if err != nil || u.Disabled || !h.admits(u) {
		return sess, nil
	}
	return sess, u
}

// admits reports whether u's role may sign in here.
func (h *Handler) admits(u *users.User) bool {
	return len(h.opts.Roles) == 0 || slices.Contains(h.opts.Roles, u.Role)
}

// home is where u goes after signing in without a usable next.
func (h *Handler) home(u *users.User) string {
	if h.opts.HomeFor != nil && u != nil {
		if p := h.opts.HomeFor(u); p != "" {
			return p
		}
	}
	return h.opts.Home
}

// render writes a page with the security headers of our pages.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	if err := sessions.WritePage(w, r, status, false, c); err != nil {
		h.opts.Log.ErrorContext(r.Context(), "signin: render page", "err", err)
	}
}

// errorPage shows a plain error page.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	h.render(w, r, status, ui.ErrorPage(ui.ErrorPageView{Title: title, Message: msg, Status: status}))
}

// serverError logs err and shows a page that says nothing of it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.opts.Log.ErrorContext(r.Context(), "signin: "+what, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "", "Could not "+what+"; try again later.")
}
