package authorize

import (
	"net/http"
	"net/url"

	"smartd/authz"
	"smartd/authz/oauth"
	"smartd/launch"
	"smartd/launch/simulation"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// maxFormBytes bounds the body of the authorize request and of the forms.
const maxFormBytes = 64 << 10

// otherUser is the login page's message when the signed-in user is not
// the one who started the EHR launch.
const otherUser = "This app was launched by another user. Sign in as the user who launched it."

// attempt is one authorization in progress: the validated request, the
// EHR launch it names, who is signed in, and the launch context so far.
type attempt struct {
	req *authz.AuthorizeRequest
	// params are the authorize parameters, carried by every form.
	params url.Values
	// ehr is the EHR launch (peeked, not consumed); nil in a standalone
	// launch.
	ehr    *launch.Context
	prompt prompts
	sess   *sessions.Session
	user   *users.User
	// patient and encounter are the context: the EHR launch's, or in a
	// standalone launch the ones chosen so far (checked).
	patient, encounter string
	// encounterPicked is set once the encounter picker was answered,
	// with an encounter or without one.
	encounterPicked bool
	// sim is the launch simulation in effect (simulation.Effective); nil
	// for none.
	sim *simulation.Options
}

// authorize serves GET and POST <base>/auth/authorize (SMART
// "authorize-post"): it is reached cross-site, so it is not CSRF-checked
// and changes nothing but the anonymous pre-login session.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, http.StatusBadRequest, "The authorization request could not be read.", err.Error())
		return
	}
	params := r.Form
	if r.Method == http.MethodPost {
		params = r.PostForm
	}
	a, ok := h.start(w, r, params)
	if !ok {
		return
	}
	a.sess, a.user = h.user(r)
	msg := ""
	if a.user != nil && !a.launchUser(a.user) {
		a.user, msg = nil, otherUser
	}
	if a.sim != nil && a.sim.SkipLogin && (a.user == nil || a.prompt.login) {
		h.skipLogin(w, r, a)
	}
	if a.user == nil || a.prompt.login {
		if a.prompt.none {
			h.fail(w, r, a.req, oauth.New("login_required", "no user is signed in"))
			return
		}
		h.showLogin(w, r, a.req, a.params, a.sess, "", msg, http.StatusOK)
		return
	}
	if h.enter(w, r, a, "", "") {
		h.next(w, r, a)
	}
}

// start validates the authorize parameters and peeks the EHR launch they
// name. On failure it answers (an error page or a redirect to the app)
// and returns false.
func (h *Handler) start(w http.ResponseWriter, r *http.Request, params url.Values) (*attempt, bool) {
	req, err := authz.ParseAuthorize(params, h.opts.Apps, h.opts.FHIRBase)
	a := &attempt{req: req, params: params}
	if err == nil {
		a.prompt, err = parsePrompt(req.Prompt)
	}
	if err == nil && req.Launch != "" {
		a.ehr, err = h.peek(req)
	}
	if err == nil {
		return a, h.simulateStart(w, r, a)
	}
	if !authz.Redirectable(err) {
		e := oauth.As(err)
		status := http.StatusBadRequest
		if e.Code == oauth.ServerError {
			status = http.StatusInternalServerError
			h.opts.Log.Error("authorize", "err", err)
		}
		h.errorPage(w, status, "This app's sign-in request is not valid, so you cannot be sent back to it.", string(e.Code)+": "+e.Description)
		return nil, false
	}
	h.fail(w, r, req, err)
	return nil, false
}

// fail redirects an error to the app (RFC 6749 §4.1.2.1), logging
// internal ones.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, req *authz.AuthorizeRequest, err error) {
	if oauth.As(err).Code == oauth.ServerError {
		h.opts.Log.Error("authorize", "client_id", req.ClientID, "err", err)
	}
	oauth.Redirect(w, r, req.RedirectURI, req.State, err)
}

// user returns the request's session and its signed-in user; the user
// is nil for no session, an anonymous one, or an unknown or disabled
// account.
func (h *Handler) user(r *http.Request) (*sessions.Session, *users.User) {
	sess, err := h.opts.Sessions.FromRequest(r)
	if err != nil {
		return nil, nil
	}
	if sess.Username == "" {
		return sess, nil
	}
	u, err := h.opts.Users.Get(sess.Username)
	if err != nil || u.Disabled {
		return sess, nil
	}
	return sess, u
}

// launchUser reports whether u may continue the attempt: any user in a
// standalone launch or an EHR launch without a user, else only the
// user who launched.
func (a *attempt) launchUser(u *users.User) bool {
	return a.ehr == nil || a.ehr.Username == "" || a.ehr.Username == u.Username
}

// enter sets the launch context of a signed-in user's attempt: the EHR
// launch's; in a standalone launch with launch/patient, a patient user's
// own patient or the patient a clinician chose (formPatient), and the
// encounter chosen (formEncounter) when launch/encounter is asked. It
// refuses a patient the user may not open and an encounter that is not
// the patient's. On failure it has answered.
func (h *Handler) enter(w http.ResponseWriter, r *http.Request, a *attempt, formPatient, formEncounter string) bool {
	u := a.user
	switch {
	case a.ehr != nil:
		a.patient, a.encounter = a.ehr.Patient, a.ehr.Encounter
	case !a.req.Scopes.HasLaunch("patient"):
		a.patient = ""
	case u.PatientContext() != "":
		a.patient = u.PatientContext()
	default:
		a.patient = formPatient
	}
	if a.patient != "" && (!validID(a.patient) || !u.MayAccessPatient(a.patient)) {
		h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "the user may not open this patient's record"))
		return false
	}
	if a.ehr != nil || formEncounter == "" || a.patient == "" || !a.req.Scopes.HasLaunch("encounter") {
		return true
	}
	ok, err := h.patientsEncounter(r, a.patient, formEncounter)
	if err != nil {
		h.fail(w, r, a.req, oauth.Internal(err))
		return false
	}
	if !ok {
		h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "the encounter is not one of the patient's"))
		return false
	}
	a.encounter = formEncounter
	return true
}

// next shows the next page the attempt needs: the patient picker, the
// encounter picker, then the consent page, which a remembered decision
// skips. With prompt=none it answers the error instead of a page
// (OpenID Connect Core §3.1.2.6).
func (h *Handler) next(w http.ResponseWriter, r *http.Request, a *attempt) {
	if a.needsPatient() {
		switch {
		case a.user.Role != users.Clinician:
			h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "this account cannot choose a patient"))
		case a.prompt.none:
			h.fail(w, r, a.req, oauth.New("interaction_required", "the user must choose a patient"))
		default:
			h.showPicker(w, r, a, ui.PatientQuery{})
		}
		return
	}
	if h.needsEncounter(a) {
		if a.prompt.none {
			h.fail(w, r, a.req, oauth.New("interaction_required", "the user must choose an encounter"))
			return
		}
		h.showEncounters(w, r, a, ui.EncounterQuery{}, 0)
		return
	}
	if a.sim != nil && a.sim.SkipConsent {
		h.skipConsent(w, r, a)
		return
	}
	if !a.prompt.consent {
		if granted, ok := h.rememberedGrant(a); ok {
			h.issue(w, r, a, granted)
			return
		}
	}
	if a.prompt.none {
		h.fail(w, r, a.req, oauth.New("consent_required", "the user has not approved this app for these scopes"))
		return
	}
	h.showConsent(w, r, a)
}

// needsPatient reports whether a standalone launch asks for a patient
// that is not chosen yet.
func (a *attempt) needsPatient() bool {
	return a.ehr == nil && a.req.Scopes.HasLaunch("patient") && a.patient == ""
}

// needsEncounter reports whether a standalone launch with a patient asks
// for an encounter and the picker was not answered yet.
func (h *Handler) needsEncounter(a *attempt) bool {
	return h.encounterStep(a) && !a.encounterPicked && a.encounter == ""
}

// encounterStep reports whether the attempt has an encounter picker: a
// standalone launch asking for launch/encounter, once the patient is
// known, when the handler has Encounters.
func (h *Handler) encounterStep(a *attempt) bool {
	return a.ehr == nil && h.opts.Encounters != nil && a.patient != "" && a.req.Scopes.HasLaunch("encounter")
}

// hidden returns the fields a page carries: the authorize parameters and
// the standalone context chosen so far.
func (a *attempt) hidden() map[string]string {
	out := hidden(a.params)
	if a.ehr == nil && a.patient != "" {
		out[patientField] = a.patient
	}
	if a.ehr == nil && a.encounter != "" {
		out[encounterField] = a.encounter
	}
	return out
}
