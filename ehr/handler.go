package ehr

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"smartd/apps/registry"
	"smartd/fhirproxy/store"
	"smartd/launch"
	"smartd/sessions"
	"smartd/signin"
	"smartd/ui"
	"smartd/users"
)

// Paths of the EHR view, below the base URL's path.
const (
	// Prefix is the folder every EHR path is in.
	Prefix = "/ehr"
	// HomePath is the patient list.
	HomePath = Prefix + "/"
	// LoginPath and LogoutPath sign a clinician in and out.
	LoginPath  = Prefix + "/login"
	LogoutPath = Prefix + "/logout"
	// PatientsPath + {id} is a patient's chart; + {id}/launch launches.
	PatientsPath = Prefix + "/patients/"
	// StylePath is the SMART style document (smart_style_url).
	StylePath = Prefix + "/smart-style.json"
)

// maxFormBytes bounds the body of the EHR's forms.
const maxFormBytes = 16 << 10

// Apps lists and finds registered apps (apps/registry.Store satisfies it).
type Apps interface {
	Get(clientID string) (*registry.App, error)
	List() ([]*registry.App, error)
}

// Options configures New. All fields but Limiter, Secure, Audit, Now and
// Log are required.
type Options struct {
	// BasePath is the path of the base URL ("" at the root).
	BasePath string
	// FHIRBase is the absolute FHIR base URL, sent to apps as iss.
	FHIRBase string
	// Store is the FHIR store the charts are read from.
	Store *store.Store
	// Apps are the registered apps, whose Launch buttons the chart shows.
	Apps Apps
	// Launches issues the launch contexts.
	Launches *launch.Store
	// Users and Sessions sign clinicians in; the session is the same one
	// the authorize endpoint reads, so a launched app finds the clinician
	// signed in.
	Users    *users.Store
	Sessions *sessions.Store
	// Limiter throttles sign-in attempts; nil makes one with the default
	// policy (share the authorize endpoint's to count attempts together).
	Limiter *sessions.Limiter
	// Secure names the __Host- session cookie (https).
	Secure bool
	// Audit receives every sign-in attempt and sign-out; nil drops them.
	Audit func(signin.Event)
	// Now is the clock for ages; nil means time.Now.
	Now func() time.Time
	// Log receives errors and one line per launch; nil discards them.
	Log *slog.Logger
	// Sandbox offers launch simulation (package simulation) on the
	// Launch forms of apps that opted in (smartd -sandbox).
	Sandbox bool
}

// Handler serves the EHR view: sign-in, the patient list, charts, the
// launch endpoint and the SMART style document.
type Handler struct {
	opts    Options
	records *Records
	signin  *signin.Handler
	mux     *http.ServeMux
}

// New checks opts and returns the Handler.
func New(opts Options) (*Handler, error) {
	if opts.Store == nil || opts.Apps == nil || opts.Launches == nil || opts.Users == nil || opts.Sessions == nil {
		return nil, errors.New("ehr: Store, Apps, Launches, Users and Sessions are required")
	}
	if _, err := launch.URL("https://app.invalid/", opts.FHIRBase, "x"); err != nil {
		return nil, errors.New("ehr: FHIRBase must be an absolute URL")
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
	h := &Handler{opts: opts, records: NewRecords(opts.Store), mux: http.NewServeMux()}
	b := opts.BasePath
	var err error
	h.signin, err = signin.New(signin.Options{
		LoginPath: b + LoginPath, LogoutPath: b + LogoutPath, NextPrefix: b + HomePath, Title: ehrName,
		Roles: []users.Role{users.Clinician}, RoleMessage: notClinician,
		Users: opts.Users, Sessions: opts.Sessions, Limiter: opts.Limiter, Secure: opts.Secure,
		Audit: opts.Audit, Now: opts.Now, Log: opts.Log,
	})
	if err != nil {
		return nil, err
	}
	h.mux.HandleFunc("GET "+b+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, b+HomePath, http.StatusMovedPermanently)
	})
	h.mux.HandleFunc("GET "+b+HomePath+"{$}", h.patients)
	h.mux.Handle(b+LoginPath, h.signin)
	h.mux.Handle(b+LogoutPath, h.signin)
	h.mux.HandleFunc("GET "+b+PatientsPath+"{id}", h.chart)
	h.mux.Handle("POST "+b+PatientsPath+"{id}/launch", sessions.Protect(http.HandlerFunc(h.launch)))
	h.mux.HandleFunc("GET "+b+StylePath, serveStyle)
	h.mux.HandleFunc(b+HomePath, func(w http.ResponseWriter, r *http.Request) {
		_, u := h.user(r)
		h.errorPage(w, r, u, http.StatusNotFound, "", "There is no such page in the EHR.")
	})
	return h, nil
}

// ServeHTTP serves the EHR paths; others get 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Records returns the store reader the handler uses, which also answers
// the launch API's questions (launch.Resources).
func (h *Handler) Records() *Records { return h.records }

// user returns the request's session and its clinician, if the session
// belongs to an enabled clinician (the EHR shows records to no one else).
func (h *Handler) user(r *http.Request) (*sessions.Session, *users.User) {
	return h.signin.Current(r)
}

// toLogin sends the browser to the sign-in page, to come back to next.
func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request, next string) {
	http.Redirect(w, r, h.signin.LoginURL(next), http.StatusSeeOther)
}

// nav is the header of a signed-in clinician's pages.
func (h *Handler) nav(sess *sessions.Session, u *users.User) ui.EHRNav {
	if u == nil || sess == nil {
		return ui.EHRNav{}
	}
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	return ui.EHRNav{User: name, PatientsURL: h.opts.BasePath + HomePath, LogoutAction: h.opts.BasePath + LogoutPath, CSRF: sess.CSRFToken}
}

// render writes a page with the security headers of our pages; framing
// by our own origin only when allowFraming (PageHeaders).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, allowFraming bool, c templ.Component) {
	if err := sessions.WritePage(w, r, status, allowFraming, c); err != nil {
		h.opts.Log.ErrorContext(r.Context(), "ehr: render page", "err", err)
	}
}

// errorPage shows an error inside the EHR view, with a link back to the
// patient list for a signed-in clinician.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, u *users.User, status int, title, msg string) {
	p := ui.EHRErrorPage{Title: title, Message: msg, Status: status}
	if u != nil {
		sess, _ := h.opts.Sessions.FromRequest(r)
		p.Nav = h.nav(sess, u)
		p.BackURL = h.opts.BasePath + HomePath
	}
	h.render(w, r, status, false, ui.EHRError(p))
}

// serverError logs err and shows a page that says nothing of it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, u *users.User, what string, err error) {
	h.opts.Log.ErrorContext(r.Context(), "ehr: "+what, "err", err)
	h.errorPage(w, r, u, http.StatusInternalServerError, "", "The EHR could not "+what+"; try again later.")
}

// chartURL is the path of a patient's chart.
func (h *Handler) chartURL(patientID string) string {
	return h.opts.BasePath + PatientsPath + url.PathEscape(patientID)
}
