package sampleapp

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"smartd/sessions"
)

// home serves the start page.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, startPage(startView{StartURL: h.basePath + StartPath, FHIRBase: h.opts.FHIRBase}))
}

// start begins a standalone launch (SMART App Launch 2.2, "Standalone
// Launch") against the app's FHIR server: the user signs in and picks
// the patient at the authorization server.
func (h *Handler) start(w http.ResponseWriter, r *http.Request) {
	h.begin(w, r, flight{iss: h.opts.FHIRBase, standalone: true}, "")
}

// launch is the app's launch URL (SMART App Launch 2.2, "EHR Launch"):
// the EHR opens it with iss and launch. Only the app's own FHIR server is
// accepted as iss, compared before anything is fetched.
func (h *Handler) launch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	iss, launchID := q.Get("iss"), q.Get("launch")
	if iss == "" || launchID == "" {
		h.fail(w, r, http.StatusBadRequest, "Not launched by an EHR",
			"An EHR launch opens this page with the parameters iss and launch; one of them is missing. Launch the app from a patient's chart, or sign in from the start page.",
			"invalid_request", "iss and launch are both required")
		return
	}
	if strings.TrimSuffix(iss, "/") != h.opts.FHIRBase {
		h.fail(w, r, http.StatusBadRequest, "Launched by an unknown server",
			"This app works only with the FHIR server it belongs to, so it did not contact the server that launched it.",
			"unknown_iss", "iss "+iss+" is not "+h.opts.FHIRBase)
		return
	}
	h.begin(w, r, flight{iss: h.opts.FHIRBase}, launchID)
}

// begin discovers the authorization server of f.iss, keeps the launch's
// state and PKCE verifier, and sends the browser to the authorization
// endpoint.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, f flight, launchID string) {
	conf, err := h.discover(r.Context(), f.iss)
	if err != nil {
		h.opts.Log.ErrorContext(r.Context(), "sampleapp: discovery", "iss", f.iss, "err", err)
		h.fail(w, r, http.StatusBadGateway, "The FHIR server could not be reached",
			"The app could not read the FHIR server's SMART configuration. Try again in a moment.", "discovery_failed", err.Error())
		return
	}
	f.tokenURL = conf.TokenEndpoint
	if f.binding, err = h.binding(w, r); err == nil {
		f.verifier, err = randomToken()
	}
	var state string
	if err == nil {
		state, err = h.pending.put(f)
	}
	if errors.Is(err, errTooMany) {
		h.fail(w, r, http.StatusServiceUnavailable, "Too many sign-ins",
			"Too many sign-ins to the sample app are in progress. Try again in a few minutes.", "", "")
		return
	}
	scope := EHRScope
	if f.standalone {
		scope = StandaloneScope
	}
	var to string
	if err == nil {
		to, err = h.authorizeURL(conf.AuthorizationEndpoint, f.iss, scope, state, f.verifier, launchID)
	}
	if err != nil {
		h.serverError(w, r, "start the launch", err)
		return
	}
	sessions.PageHeaders(w.Header(), true)
	http.Redirect(w, r, to, http.StatusFound)
}

// callback is the redirect URI (SMART App Launch 2.2, "Obtain
// authorization code", the response): it checks the state, shows an
// error the authorization server sent, or exchanges the code and shows
// the patient.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var binding string
	if c, err := r.Cookie(bindingCookie); err == nil {
		binding = c.Value
	}
	f, err := h.pending.take(q.Get("state"), binding)
	if err != nil {
		h.stateFailed(w, r, err)
		return
	}
	if code := q.Get("error"); code != "" {
		h.authorizeFailed(w, r, &oauthError{Code: code, Description: q.Get("error_description")})
		return
	}
	code := q.Get("code")
	if code == "" {
		h.fail(w, r, http.StatusBadRequest, "No authorization code",
			"The authorization server sent the browser back without a code or an error.", "invalid_request", "")
		return
	}
	tok, err := h.exchange(r.Context(), f, code)
	var oe *oauthError
	if errors.As(err, &oe) {
		h.fail(w, r, http.StatusBadRequest, "The sign-in could not be completed",
			"The authorization server refused to exchange the code for an access token.", oe.Code, oe.Description)
		return
	}
	if err != nil {
		h.opts.Log.ErrorContext(r.Context(), "sampleapp: token exchange", "err", err)
		h.fail(w, r, http.StatusBadGateway, "The sign-in could not be completed",
			"The app could not get an access token from the authorization server.", "token_failed", err.Error())
		return
	}
	if tok.Patient == "" {
		h.fail(w, r, http.StatusBadRequest, "No patient in context",
			"The authorization server granted access without a patient, and this app shows one patient.", "no_patient", "the token response has no patient")
		return
	}
	h.show(w, r, f, tok)
}

// show reads the patient and the latest vital signs with the token and
// renders them. A vital signs search refused for the granted scope (the
// user unticked it on the consent page) still shows the patient.
func (h *Handler) show(w http.ResponseWriter, r *http.Request, f flight, tok tokenResponse) {
	ctx := r.Context()
	raw, err := h.get(ctx, f.iss+"/Patient/"+url.PathEscape(tok.Patient), "application/fhir+json", tok.AccessToken)
	var p patientInfo
	if err == nil {
		p, err = parsePatient(raw)
	}
	if err != nil {
		h.opts.Log.ErrorContext(ctx, "sampleapp: read the patient", "err", err)
		h.fail(w, r, http.StatusBadGateway, "The patient could not be read",
			"The app was granted access but could not read the patient from the FHIR API.", "fhir_read_failed", err.Error())
		return
	}
	// A standalone app is on its own and shows the banner; an EHR launch
	// shows it when the token says need_patient_banner=true (smartd
	// leaves a false out).
	banner := f.standalone || tok.NeedPatientBanner != nil && *tok.NeedPatientBanner
	v := resultView{
		Patient: p, Scope: tok.Scope, Encounter: tok.Encounter, Standalone: f.standalone,
		Banner: banner, StartURL: h.basePath + HomePath,
	}
	search := url.Values{"patient": {tok.Patient}, "category": {"vital-signs"}, "_sort": {"-date"}, "_count": {"100"}}
	raw, err = h.get(ctx, f.iss+"/Observation?"+search.Encode(), "application/fhir+json", tok.AccessToken)
	if err == nil {
		v.Vitals, err = latestVitals(raw)
	}
	var se *statusError
	switch {
	case errors.As(err, &se) && (se.status == http.StatusForbidden || se.status == http.StatusUnauthorized):
		v.VitalsNote = "The granted scope does not allow reading this patient's vital signs."
	case err != nil:
		h.opts.Log.ErrorContext(ctx, "sampleapp: read the vital signs", "err", err)
		v.VitalsNote = "The vital signs could not be read from the FHIR API."
	}
	h.render(w, r, http.StatusOK, resultPage(v))
}

// stateFailed answers a callback whose state is refused.
func (h *Handler) stateFailed(w http.ResponseWriter, r *http.Request, err error) {
	msg := "This sign-in is unknown to the app: it was already completed, or the app restarted. Start again."
	switch {
	case errors.Is(err, errExpiredState):
		msg = "This sign-in took too long and has expired. Start again."
	case errors.Is(err, errOtherBrowser):
		msg = "This sign-in was not started in this browser, so the app did not complete it. Start again from the app."
	}
	h.fail(w, r, http.StatusBadRequest, "Invalid state", msg, "invalid_state", err.Error())
}

// authorizeFailed shows an error the authorization server redirected
// with (RFC 6749 §4.1.2.1).
func (h *Handler) authorizeFailed(w http.ResponseWriter, r *http.Request, e *oauthError) {
	if e.Code == "access_denied" {
		h.fail(w, r, http.StatusForbidden, "Access was not allowed",
			"The sample app was not allowed to read the record, so nothing was shared with it.", e.Code, e.Description)
		return
	}
	h.fail(w, r, http.StatusBadRequest, "The authorization server refused the launch",
		"The authorization server did not let the app in.", e.Code, e.Description)
}

// fail renders the error page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, title, msg, code, detail string) {
	h.render(w, r, status, problemPage(problemView{
		Status: status, Title: title, Message: msg, Code: code, Detail: detail, StartURL: h.basePath + HomePath,
	}))
}

// serverError logs err and shows a page that says nothing of it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.opts.Log.ErrorContext(r.Context(), "sampleapp: "+what, "err", err)
	h.fail(w, r, http.StatusInternalServerError, "Something went wrong", "The app could not "+what+". Try again later.", "", "")
}

// render writes a page. The app's pages may be framed by smartd's own
// origin: the EHR embeds the app.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	if err := sessions.WritePage(w, r, status, true, c); err != nil {
		h.opts.Log.ErrorContext(r.Context(), "sampleapp: render page", "err", err)
	}
}
