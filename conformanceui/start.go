package conformanceui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"smartd/conformance"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// runForm is what the run form posts (the key and password are never
// shown again).
type runForm struct {
	fhirBase, clientID, key, publicClientID, redirectURI, username, password string
	useAdmin                                                                 bool
}

func readRunForm(r *http.Request) runForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return runForm{
		fhirBase: v("fhir_base"), clientID: v("client_id"), key: r.PostFormValue("key_pem"),
		publicClientID: v("public_client_id"), redirectURI: v("redirect_uri"), username: v("username"),
		password: r.PostFormValue("password"), useAdmin: r.PostFormValue("use_admin") == "on",
	}
}

// home serves GET <base>/conformance/: the form, for a signed-in user.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	sess, u := h.signedIn(w, r)
	if u == nil {
		return
	}
	h.formPage(w, r, sess, u, runForm{fhirBase: h.opts.FHIRBase}, "", http.StatusOK)
}

// formPage renders the form, refilled with f and an error message.
func (h *Handler) formPage(w http.ResponseWriter, r *http.Request, sess *sessions.Session, u *users.User, f runForm, msg string, status int) {
	p := ui.ConformanceFormPage{
		User: u.Username, CSRF: sess.CSRFToken, Action: h.opts.BasePath + RunsPath, LogoutAction: h.opts.BasePath + LogoutPath,
		FHIRBase: f.fhirBase, OurFHIRBase: h.opts.FHIRBase, AdminMode: h.adminMode(u),
		OtherTargets: strings.Join(h.opts.AllowedTargets, ", "), ClientID: f.clientID, PublicClientID: f.publicClientID,
		RedirectURI: f.redirectURI, Username: f.username, Error: msg,
	}
	if p.OtherTargets == "*" {
		p.OtherTargets = "any"
	}
	for _, rn := range h.runs.byOwner(u.Username) {
		p.Runs = append(p.Runs, ui.ConformanceRunLink{URL: h.runURL(rn.id), Target: rn.target,
			Started: rn.started.UTC().Format(time.DateTime + " UTC"), Summary: summary(rn)})
	}
	h.render(w, r, status, ui.ConformanceForm(p))
}

// start serves POST <base>/conformance/runs: it checks the target and
// the settings, starts the run in a goroutine and sends the browser to
// its results page.
func (h *Handler) start(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	sess, u := h.signedIn(w, r)
	if u == nil {
		return
	}
	if sessions.CheckCSRF(sess, r) != nil {
		h.errorPage(w, r, http.StatusForbidden, "Form expired", "This form has expired or did not come from this site. Reload the conformance page and try again.")
		return
	}
	f := readRunForm(r)
	base, ours, err := h.target(f.fhirBase)
	if err != nil {
		h.formPage(w, r, sess, u, f, err.Error(), http.StatusBadRequest)
		return
	}
	cfg := conformance.Config{FHIRBase: base, ClientID: f.clientID, PublicClientID: f.publicClientID,
		RedirectURI: f.redirectURI, Username: f.username, Password: f.password}
	if strings.TrimSpace(f.key) != "" {
		cfg.Key = []byte(f.key)
	}
	transport := otherTransport(h.opts.AllowPrivateAddresses)
	if ours {
		transport = h.opts.Transport
		if f.useAdmin && !h.adminMode(u) {
			h.formPage(w, r, sess, u, f, "Admin mode creates accounts with this server's admin token: only administrators and developers may use it.", http.StatusForbidden)
			return
		}
		if f.useAdmin {
			cfg.AdminToken = h.opts.AdminToken // never sent to another server
		}
	}
	cfg.HTTPClient = &http.Client{Transport: transport, Timeout: 30 * time.Second}
	suite, err := conformance.New(cfg)
	if err != nil {
		h.formPage(w, r, sess, u, f, err.Error(), http.StatusBadRequest)
		return
	}
	rn := &run{id: newRunID(), owner: u.Username, target: base, admin: cfg.AdminToken != "", started: h.opts.Now()}
	if err := h.runs.add(rn); errors.Is(err, errBusy) {
		w.Header().Set("Retry-After", "30")
		h.formPage(w, r, sess, u, f, "Another run is in progress; try again when it ends.", http.StatusTooManyRequests)
		return
	}
	h.opts.Log.InfoContext(r.Context(), "conformanceui: run started", "user", u.Username, "target", base, "admin_mode", rn.admin)
	go h.execute(rn, suite)
	http.Redirect(w, r, h.runURL(rn.id), http.StatusSeeOther)
}

// execute runs the suite within the timeout, whatever becomes of the
// request that started it, and records the report (nil if it panicked).
func (h *Handler) execute(rn *run, s *conformance.Suite) {
	var rep *conformance.Report
	defer func() {
		if p := recover(); p != nil {
			h.opts.Log.Error("conformanceui: run panicked", "run", rn.id, "panic", p)
			rep = nil
		}
		h.runs.finish(rn, rep)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), h.opts.Timeout)
	defer cancel()
	rep = s.Run(ctx)
	p, f, sk := rep.Counts()
	h.opts.Log.Info("conformanceui: run ended", "run", rn.id, "user", rn.owner, "target", rn.target, "passed", p, "failed", f, "skipped", sk)
}

// runURL is the path of a run's results page.
func (h *Handler) runURL(id string) string {
	return h.opts.BasePath + RunsPath + "/" + url.PathEscape(id)
}

// adminMode reports whether u may run the suite in admin mode against
// this server, which creates and removes throwaway accounts with the
// server's admin token: administrators and developers, not clinicians or
// patients.
func (h *Handler) adminMode(u *users.User) bool {
	return h.opts.AdminToken != "" && (u.Role == users.Admin || u.Role == users.Developer)
}
