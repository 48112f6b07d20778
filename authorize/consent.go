package authorize

import (
	"net/http"
	"net/url"
	"slices"

	"smartd/authz"
	"smartd/authz/grants"
	"smartd/authz/oauth"
	"smartd/authz/scope"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// showConsent renders the consent page, every requested scope ticked.
func (h *Handler) showConsent(w http.ResponseWriter, r *http.Request, req *authz.AuthorizeRequest, params url.Values, sess *sessions.Session, u *users.User, patient string) {
	fields := hidden(params)
	if patient != "" {
		fields[patientField] = patient
	}
	var choices []ui.ScopeChoice
	for _, s := range req.Scopes {
		if s.Kind == scope.KindOther {
			continue // never granted: not offered
		}
		choices = append(choices, ui.ScopeChoice{Value: s.String(), Description: scope.Describe(s), Checked: true, Granular: s.Granular()})
	}
	h.render(w, r, http.StatusOK, ui.Consent(ui.ConsentPage{
		AppName: appName(req), AppLogoURL: req.App.LogoURI, User: displayName(u), Patient: patient,
		Scopes: choices, CSRF: sess.CSRFToken, Action: h.opts.BasePath + ConsentPath, Hidden: fields,
	}))
}

// consent serves POST <base>/auth/consent: decision=allow|deny and the
// ticked scope fields. Allow issues a code for requested ∩ app-allowed ∩
// ticked and redirects to the app with it.
func (h *Handler) consent(w http.ResponseWriter, r *http.Request) {
	req, _, ok := h.form(w, r)
	if !ok {
		return
	}
	sess, u, ok := h.signedIn(w, r)
	if !ok {
		return
	}
	switch r.PostFormValue("decision") {
	case "allow":
	case "deny":
		oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.New(oauth.AccessDenied, "the user denied access"))
		return
	default:
		h.errorPage(w, http.StatusBadRequest, "The consent form was incomplete. Go back to the app and start again.", "decision must be allow or deny")
		return
	}
	patient := r.PostFormValue(patientField)
	if req.Scopes.HasLaunch("patient") {
		if u.PatientContext() != "" {
			patient = u.PatientContext()
		}
		if !u.MayAccessPatient(patient) {
			oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.New(oauth.AccessDenied, "the user may not open this patient's record"))
			return
		}
	} else {
		patient = ""
	}
	ticked := r.PostForm["scope"]
	var chosen scope.Set
	for _, s := range req.Scopes {
		if slices.Contains(ticked, s.String()) {
			chosen = append(chosen, s)
		}
	}
	allowed, err := scope.Parse(req.App.Scope)
	if err != nil {
		oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.Internal(err))
		return
	}
	granted := scope.Grant(chosen, allowed, h.opts.Grant)
	if len(granted) == 0 {
		oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.New(oauth.AccessDenied, "no requested scope was granted"))
		return
	}
	code, err := h.opts.Grants.IssueCode(grants.Grant{
		ClientID:  req.ClientID,
		User:      u.FHIRUser,
		Scope:     granted.String(),
		Context:   grants.LaunchContext{Patient: patient, NeedPatientBanner: patient != ""},
		SessionID: sessionHandle(sess),
		Offline:   granted.Has(scope.KindOfflineAccess),
	}, req.RedirectURI, req.CodeChallenge, req.Nonce)
	if err != nil {
		h.opts.Log.Error("issue code", "err", err)
		oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.Internal(err))
		return
	}
	to, err := url.Parse(req.RedirectURI)
	if err != nil {
		oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.Internal(err))
		return
	}
	q := to.Query()
	q.Set("code", code)
	q.Set("state", req.State)
	to.RawQuery = q.Encode()
	h.opts.Log.Info("authorized", "client_id", req.ClientID, "user", u.Username, "scope", granted.String())
	oauth.NoStore(w.Header())
	http.Redirect(w, r, to.String(), http.StatusFound)
}

// displayName is the user's display name, else the username.
func displayName(u *users.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// sessionHandle names the session in the grant without storing its ID,
// the cookie's secret value: sessions.Digest, the hex SHA-256 of the ID.
func sessionHandle(sess *sessions.Session) string {
	return sessions.Digest(sess.ID)
}
