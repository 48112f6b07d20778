package registrypages

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"smartd/apps/registry"
	"smartd/audit"
	"smartd/sessions"
	"smartd/signin"
	"smartd/ui"
	"smartd/users"
)

// Paths below the base URL's path.
const (
	// Prefix is the folder of every page.
	Prefix = "/apps"
	// ListPath is the app list; + {client_id} is an app's page.
	ListPath = Prefix + "/"
	// NewPath is the registration form.
	NewPath = Prefix + "/new"
)

// maxFormBytes bounds the registration form, a PEM upload included.
const maxFormBytes = 1 << 20

// Registry is what the pages need of the app registry
// (apps/registry.Store satisfies it).
type Registry interface {
	Create(a *registry.App) (*registry.App, registry.Credentials, error)
	Get(clientID string) (*registry.App, error)
	Update(a *registry.App) (*registry.App, registry.Credentials, error)
	RotateSecret(clientID string) (string, error)
	Delete(clientID string) error
	List() ([]*registry.App, error)
}

// AuditTrail answers the activity queries (audit.Log satisfies it).
type AuditTrail interface {
	Query(f audit.Filter) ([]audit.Record, string, error)
}

// Options configures New. Apps and SignIn are required.
type Options struct {
	// BasePath is the path of the base URL ("" at the root).
	BasePath string
	// Apps is the app registry.
	Apps Registry
	// Validate are the registry's validation options, for the problems
	// the form shows with its own (the registry applies them on save).
	Validate registry.ValidateOptions
	// Audit is the trail an app's activity is read from; nil shows none.
	Audit AuditTrail
	// SignIn tells who is signed in, and where to sign in and out.
	SignIn *signin.Handler
	// Nav returns the console's sections for an account; nil shows this
	// package's own.
	Nav func(u *users.User) []ui.ConsoleLink
	// Record, when set, receives an audit record of each change made
	// through the pages.
	Record func(audit.Record)
	// Log receives errors; nil discards them.
	Log *slog.Logger
}

// Handler serves the app registry pages.
type Handler struct {
	opts Options
	mux  *http.ServeMux
}

// New checks opts and returns the Handler.
func New(opts Options) (*Handler, error) {
	if opts.Apps == nil || opts.SignIn == nil {
		return nil, errors.New("registrypages: Apps and SignIn are required")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts, mux: http.NewServeMux()}
	b := opts.BasePath
	post := func(pattern string, f http.HandlerFunc) { h.mux.Handle("POST "+b+pattern, sessions.Protect(f)) }
	h.mux.HandleFunc("GET "+b+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, b+ListPath, http.StatusMovedPermanently)
	})
	h.mux.HandleFunc("GET "+b+ListPath+"{$}", h.list)
	h.mux.HandleFunc("GET "+b+NewPath, h.newForm)
	post(NewPath, h.create)
	h.mux.HandleFunc("GET "+b+ListPath+"{id}", h.show)
	h.mux.HandleFunc("GET "+b+ListPath+"{id}/edit", h.editForm)
	post(ListPath+"{id}/edit", h.update)
	post(ListPath+"{id}/secret", h.rotate)
	h.mux.HandleFunc("GET "+b+ListPath+"{id}/delete", h.confirmDelete)
	post(ListPath+"{id}/delete", h.delete)
	h.mux.HandleFunc(b+ListPath, func(w http.ResponseWriter, r *http.Request) {
		if v, ok := h.visitor(w, r); ok {
			h.errorPage(w, r, v, http.StatusNotFound, "", "There is no such page.")
		}
	})
	return h, nil
}

// ServeHTTP serves the pages below Prefix; others get 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// visitor is the signed-in account a page is for.
type visitor struct {
	sess *sessions.Session
	u    *users.User
}

// admin reports whether the visitor sees every app.
func (v visitor) admin() bool { return v.u.Role == users.Admin }

// visitor returns the signed-in developer or admin. Otherwise it answers
// (sign-in for nobody, 403 for another role) and reports false.
func (h *Handler) visitor(w http.ResponseWriter, r *http.Request) (visitor, bool) {
	sess, u := h.opts.SignIn.Current(r)
	if u == nil {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = h.opts.BasePath + ListPath
		}
		http.Redirect(w, r, h.opts.SignIn.LoginURL(next), http.StatusSeeOther)
		return visitor{}, false
	}
	v := visitor{sess, u}
	if u.Role != users.Developer && u.Role != users.Admin {
		h.errorPage(w, r, v, http.StatusForbidden, "Not for this account",
			"Only developer and admin accounts can register and manage apps.")
		return visitor{}, false
	}
	return v, true
}

// app returns the app of the path that the visitor may see: their own,
// or any for an admin. Another's app is not found, as a missing one.
func (h *Handler) app(w http.ResponseWriter, r *http.Request, v visitor) (*registry.App, bool) {
	a, err := h.opts.Apps.Get(r.PathValue("id"))
	switch {
	case errors.Is(err, registry.ErrNotFound) || err == nil && !v.admin() && a.Owner != v.u.Username:
		h.errorPage(w, r, v, http.StatusNotFound, "No such app", "There is no app with this client_id among yours.")
		return nil, false
	case err != nil:
		h.serverError(w, r, v, "read the app", err)
		return nil, false
	}
	return a, true
}

// checkForm reads a POST form (multipart or not) and its CSRF token; on
// failure it has answered.
func (h *Handler) checkForm(w http.ResponseWriter, r *http.Request, v visitor) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseMultipartForm(maxFormBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.errorPage(w, r, v, http.StatusBadRequest, "Form not read", "The form could not be read; it may be too large.")
		return false
	}
	if sessions.CheckCSRF(v.sess, r) != nil {
		h.errorPage(w, r, v, http.StatusForbidden, "Form expired", "This form has expired or did not come from this site. Reload the page and try again.")
		return false
	}
	return true
}

// nav is the console header for v.
func (h *Handler) nav(v visitor) ui.ConsoleNav {
	if v.u == nil {
		return ui.ConsoleNav{}
	}
	links := []ui.ConsoleLink{{Label: "Apps", URL: h.opts.BasePath + ListPath}}
	if h.opts.Nav != nil {
		links = h.opts.Nav(v.u)
	}
	return h.opts.SignIn.Nav(v.sess, v.u, links, h.opts.BasePath+ListPath)
}

// render writes a page with the security headers of our pages.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	if err := sessions.WritePage(w, r, status, false, c); err != nil {
		h.opts.Log.ErrorContext(r.Context(), "registrypages: render page", "err", err)
	}
}

// errorPage shows an error inside the console, with a way back to the list.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, v visitor, status int, title, msg string) {
	p := ui.ConsoleErrorPage{Nav: h.nav(v), Title: title, Message: msg, Status: status}
	if v.u != nil && (v.u.Role == users.Developer || v.admin()) {
		p.BackURL = h.opts.BasePath + ListPath
	}
	h.render(w, r, status, ui.ConsoleError(p))
}

// serverError logs err and shows a page that says nothing of it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, v visitor, what string, err error) {
	h.opts.Log.ErrorContext(r.Context(), "registrypages: "+what, "err", err)
	h.errorPage(w, r, v, http.StatusInternalServerError, "", "Could not "+what+"; try again later.")
}

// appURL is the path of an app's page.
func (h *Handler) appURL(clientID string) string {
	return h.opts.BasePath + ListPath + url.PathEscape(clientID)
}

// when formats a time for the pages: UTC, to the second.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
