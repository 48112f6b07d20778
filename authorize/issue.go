package authorize

import (
	"encoding/json"
	"net/http"
	"net/url"

	"smartd/authz/grants"
	"smartd/authz/oauth"
	"smartd/authz/scope"
	"smartd/launch"
	"smartd/sessions"
)

// issue ends an approved attempt: it consumes the EHR launch (only now,
// so a retried login or the back button does not use it up), issues a
// code for granted and the launch context (SMART App Launch 2.2, "Launch
// context arrives with your access_token") and redirects to the app
// with the code and state (RFC 6749 §4.1.2).
func (h *Handler) issue(w http.ResponseWriter, r *http.Request, a *attempt, granted scope.Set) {
	lc := grants.LaunchContext{SMARTStyleURL: h.opts.StyleURL}
	if a.ehr != nil {
		l, err := h.opts.Launches.Consume(a.req.Launch, a.req.ClientID)
		if err != nil {
			h.fail(w, r, a.req, launchError(err))
			return
		}
		if !a.launchUser(a.user) || l.Username != a.ehr.Username || l.Patient != "" && !a.user.MayAccessPatient(l.Patient) {
			h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "the user may not use this launch"))
			return
		}
		if granted.HasLaunch("") {
			if lc, err = ehrContext(lc, l); err != nil {
				h.fail(w, r, a.req, oauth.Internal(err))
				return
			}
			if !granted.HasLaunch("encounter") {
				lc.Encounter = "" // only an app that asked for launch/encounter gets one
			}
		}
	} else if granted.HasLaunch("patient") && a.patient != "" {
		lc.Patient, lc.NeedPatientBanner = a.patient, true
		if granted.HasLaunch("encounter") {
			lc.Encounter = a.encounter
		}
	}
	code, err := h.opts.Grants.IssueCode(grants.Grant{
		ClientID:  a.req.ClientID,
		User:      a.user.FHIRUser,
		Scope:     granted.String(),
		Context:   lc,
		SessionID: sessionHandle(a.sess),
		Offline:   granted.Has(scope.KindOfflineAccess),
		Simulate:  a.sim.Clone(),
	}, a.req.RedirectURI, a.req.CodeChallenge, a.req.Nonce)
	if err != nil {
		h.fail(w, r, a.req, oauth.Internal(err))
		return
	}
	to, err := url.Parse(a.req.RedirectURI)
	if err != nil {
		h.fail(w, r, a.req, oauth.Internal(err))
		return
	}
	q := to.Query()
	q.Set("code", code)
	q.Set("state", a.req.State)
	if a.sim != nil && a.sim.InvalidState {
		q.Set("state", h.simulatedState(r, a))
	}
	to.RawQuery = q.Encode()
	h.opts.Log.Info("authorized", "client_id", a.req.ClientID, "user", a.user.Username, "scope", granted.String(), "ehr_launch", a.ehr != nil)
	oauth.NoStore(w.Header())
	http.Redirect(w, r, to.String(), http.StatusFound)
}

// ehrContext adds an EHR launch's context to lc: patient, encounter,
// fhirContext (an array of objects, SMART App Launch 2.2 "fhirContext"),
// need_patient_banner and intent.
func ehrContext(lc grants.LaunchContext, l launch.Context) (grants.LaunchContext, error) {
	lc.Patient, lc.Encounter = l.Patient, l.Encounter
	lc.NeedPatientBanner, lc.Intent = l.NeedPatientBanner, l.Intent
	if len(l.FHIRContext) > 0 {
		raw, err := json.Marshal(l.FHIRContext)
		if err != nil {
			return lc, err
		}
		lc.FHIRContext = raw
	}
	return lc, nil
}

// sessionHandle names the session in the grant without storing its ID,
// the cookie's secret value: sessions.Digest, the hex SHA-256 of the ID.
func sessionHandle(sess *sessions.Session) string {
	return sessions.Digest(sess.ID)
}
