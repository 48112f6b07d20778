package adminpages

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"smartd/apps/registry"
	"smartd/audit"
	"smartd/authz/grants"
	"smartd/sessions"
	"smartd/signin"
	"smartd/ui"
	"smartd/users"
)

// Paths below the base URL's path.
const (
	// Prefix is the folder of every page.
	Prefix = "/admin"
	// GrantsPath lists the active grants; + "/{id}/revoke" revokes one.
	GrantsPath = Prefix + "/grants"
	// UsersPath lists the accounts; + "/{username}" is one account.
	UsersPath = Prefix + "/users"
)

// maxFormBytes bounds the admin forms.
const maxFormBytes = 16 << 10

// Grants lists and revokes grants (authz/grants.Store satisfies it).
type Grants interface {
	ListActive(f grants.ActiveFilter) ([]grants.ActiveGrant, error)
	Revoke(grantID string) error
}

// Accounts manages login accounts (users.Store satisfies it).
type Accounts interface {
	Create(u *users.User, password string) (*users.User, error)
	Get(username string) (*users.User, error)
	Update(u *users.User) (*users.User, error)
	SetPassword(username, password string) error
	Delete(username string) error
	List() ([]*users.User, error)
}

// Sessions ends an account's sessions (sessions.Store satisfies it).
type Sessions interface {
	DeleteUser(username string) error
}

// Apps lists the registered apps, for the grants filter and names.
type Apps interface {
	List() ([]*registry.App, error)
}

// AuditTrail answers the token history query (audit.Log satisfies it).
type AuditTrail interface {
	Query(f audit.Filter) ([]audit.Record, string, error)
}

// Options configures New. Every field but Audit, Nav and Log is required.
type Options struct {
	// BasePath is the path of the base URL ("" at the root).
	BasePath string
	Grants   Grants
	Users    Accounts
	Sessions Sessions
	Apps     Apps
	// Audit is where a user's token requests are read; nil shows none.
	Audit AuditTrail
	// SignIn tells who is signed in, and where to sign in and out.
	SignIn *signin.Handler
	// Nav returns the console's sections for an account; nil shows this
	// package's own.
	Nav func(u *users.User) []ui.ConsoleLink
	// Record, when set, receives an audit record of each change made
	// through the pages.
	Record func(audit.Record)
	// Log receives errors and one line per change; nil discards them.
	Log *slog.Logger
}

// Handler serves the admin pages.
type Handler struct {
	opts Options
	mux  *http.ServeMux
}

// New checks opts and returns the Handler.
func New(opts Options) (*Handler, error) {
	if opts.Grants == nil || opts.Users == nil || opts.Sessions == nil || opts.Apps == nil || opts.SignIn == nil {
		return nil, errors.New("adminpages: Grants, Users, Sessions, Apps and SignIn are required")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts, mux: http.NewServeMux()}
	b := opts.BasePath
	post := func(pattern string, f http.HandlerFunc) { h.mux.Handle("POST "+b+pattern, sessions.Protect(f)) }
	toGrants := func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, b+GrantsPath, http.StatusSeeOther) }
	h.mux.HandleFunc("GET "+b+Prefix, toGrants)
	h.mux.HandleFunc("GET "+b+Prefix+"/{$}", toGrants)
	h.mux.HandleFunc("GET "+b+GrantsPath, h.grants)
	post(GrantsPath+"/{id}/revoke", h.revoke)
	h.mux.HandleFunc("GET "+b+UsersPath, h.users)
	post(UsersPath, h.addUser)
	h.mux.HandleFunc("GET "+b+UsersPath+"/{name}", h.user)
	post(UsersPath+"/{name}", h.saveProfile)
	post(UsersPath+"/{name}/status", h.setStatus)
	post(UsersPath+"/{name}/password", h.setPassword)
	h.mux.HandleFunc("GET "+b+UsersPath+"/{name}/delete", h.confirmDelete)
	post(UsersPath+"/{name}/delete", h.deleteUser)
	h.mux.HandleFunc(b+Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		if v, ok := h.visitor(w, r); ok {
			h.errorPage(w, r, v, http.StatusNotFound, "", "There is no such admin page.")
		}
	})
	return h, nil
}

// ServeHTTP serves the pages below Prefix; others get 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// visitor is the signed-in admin a page is for.
type visitor struct {
	sess *sessions.Session
	u    *users.User
}

// visitor returns the signed-in admin. Otherwise it answers (sign-in for
// nobody, 403 for another role) and reports false.
func (h *Handler) visitor(w http.ResponseWriter, r *http.Request) (visitor, bool) {
	sess, u := h.opts.SignIn.Current(r)
	if u == nil {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = h.opts.BasePath + GrantsPath
		}
		http.Redirect(w, r, h.opts.SignIn.LoginURL(next), http.StatusSeeOther)
		return visitor{}, false
	}
	v := visitor{sess, u}
	if u.Role != users.Admin {
		h.errorPage(w, r, v, http.StatusForbidden, "Admins only", "Only admin accounts can open the admin pages.")
		return visitor{}, false
	}
	return v, true
}

// checkForm reads a POST form and its CSRF token; on failure it has
// answered.
func (h *Handler) checkForm(w http.ResponseWriter, r *http.Request, v visitor) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, v, http.StatusBadRequest, "Form not read", "The form could not be read.")
		return false
	}
	if sessions.CheckCSRF(v.sess, r) != nil {
		h.errorPage(w, r, v, http.StatusForbidden, "Form expired", "This form has expired or did not come from this site. Reload the page and try again.")
		return false
	}
	return true
}

// nav is the console header for v; section is the current section's URL.
func (h *Handler) nav(v visitor, section string) ui.ConsoleNav {
	if v.u == nil {
		return ui.ConsoleNav{}
	}
	links := []ui.ConsoleLink{{Label: "Grants", URL: h.opts.BasePath + GrantsPath}, {Label: "Users", URL: h.opts.BasePath + UsersPath}}
	if h.opts.Nav != nil {
		links = h.opts.Nav(v.u)
	}
	return h.opts.SignIn.Nav(v.sess, v.u, links, section)
}

// render writes a page with the security headers of our pages.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	if err := sessions.WritePage(w, r, status, false, c); err != nil {
		h.opts.Log.ErrorContext(r.Context(), "adminpages: render page", "err", err)
	}
}

// errorPage shows an error inside the console.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, v visitor, status int, title, msg string) {
	p := ui.ConsoleErrorPage{Nav: h.nav(v, ""), Title: title, Message: msg, Status: status}
	if v.u != nil && v.u.Role == users.Admin {
		p.BackURL = h.opts.BasePath + GrantsPath
	}
	h.render(w, r, status, ui.ConsoleError(p))
}

// serverError logs err and shows a page that says nothing of it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, v visitor, what string, err error) {
	h.opts.Log.ErrorContext(r.Context(), "adminpages: "+what, "err", err)
	h.errorPage(w, r, v, http.StatusInternalServerError, "", "Could not "+what+"; try again later.")
}

// grantsURL is the grants page filtered by username and client_id.
func (h *Handler) grantsURL(username, clientID string) string {
	q := url.Values{}
	if username != "" {
		q.Set("user", username)
	}
	if clientID != "" {
		q.Set("client_id", clientID)
	}
	if len(q) == 0 {
		return h.opts.BasePath + GrantsPath
	}
	return h.opts.BasePath + GrantsPath + "?" + q.Encode()
}

// userURL is the path of an account's page.
func (h *Handler) userURL(username string) string {
	return h.opts.BasePath + UsersPath + "/" + url.PathEscape(username)
}

// when formats a time for the pages: UTC, to the second.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
