package authorize

import (
	"net/http"

	"smartd/authz/oauth"
	"smartd/authz/scope"
	"smartd/ui"
)

// showConsent renders the consent page: every requested scope ticked,
// with its parts (categories, or the types of a wildcard) ticked under
// it, the scopes of health records grouped apart, and an unticked
// "remember this decision" box.
func (h *Handler) showConsent(w http.ResponseWriter, r *http.Request, a *attempt) {
	var general, records []ui.ScopeChoice
	for _, s := range offered(a.req.Scopes) {
		c := ui.ScopeChoice{Value: s.String(), Description: scope.Describe(s), Checked: true, Granular: s.Granular()}
		title, ps := h.parts(s)
		if len(ps) > 0 {
			c.PartsTitle = title
			c.Parts = make([]ui.ScopePart, len(ps))
			for i, p := range ps {
				c.Parts[i] = ui.ScopePart{Value: p.value, Label: p.label, Checked: true}
			}
		}
		if s.Kind == scope.KindResource {
			records = append(records, c)
		} else {
			general = append(general, c)
		}
	}
	page := ui.ConsentPage{
		AppName: appName(a.req), AppLogoURL: a.req.App.LogoURI, User: displayName(a.user), Patient: h.patientName(r.Context(), a.patient),
		Scopes: general, CSRF: a.sess.CSRFToken, Action: h.opts.BasePath + ConsentPath, Hidden: a.hidden(), Remember: true,
	}
	if len(records) > 0 {
		page.Categories = []ui.ScopeCategory{{Title: "Health records", Scopes: records}}
	}
	h.render(w, r, a.req, http.StatusOK, ui.Consent(page))
}

// consent serves POST <base>/auth/consent: decision=allow|deny, the
// ticked scope and narrow fields and remember=1. Allow issues a code for
// requested ∩ ticked ∩ app-allowed and redirects to the app with it; deny
// redirects with access_denied (RFC 6749 §4.1.2.1).
func (h *Handler) consent(w http.ResponseWriter, r *http.Request) {
	a, ok := h.resume(w, r, true)
	if !ok {
		return
	}
	switch r.PostFormValue("decision") {
	case "allow":
	case "deny":
		h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "the user denied access"))
		return
	default:
		h.errorPage(w, http.StatusBadRequest, "The consent form was incomplete. Go back to the app and start again.", "decision must be allow or deny")
		return
	}
	if a.needsPatient() {
		h.errorPage(w, http.StatusBadRequest, "No patient was chosen. Go back to the app and start again.", "")
		return
	}
	chosen := h.chosen(a.req.Scopes, r.PostForm[ui.ScopeField], r.PostForm[ui.NarrowField])
	allowed, err := scope.Parse(a.req.App.Scope)
	if err != nil {
		h.fail(w, r, a.req, oauth.Internal(err))
		return
	}
	granted := scope.Grant(chosen, allowed, h.opts.Grant)
	if len(granted) == 0 {
		h.fail(w, r, a.req, oauth.New(oauth.AccessDenied, "no requested scope was granted"))
		return
	}
	if r.PostFormValue("remember") == "1" {
		if err := h.opts.Users.RememberConsent(a.user.Username, a.req.ClientID, granted.String()); err != nil {
			h.opts.Log.Error("remember consent", "user", a.user.Username, "client_id", a.req.ClientID, "err", err)
		}
	}
	h.issue(w, r, a, granted)
}

// rememberedGrant returns the grant for an attempt whose requested scopes
// all lie within the decision the user asked to remember for the app
// (users.Store.RememberConsent): the consent page is then skipped.
func (h *Handler) rememberedGrant(a *attempt) (scope.Set, bool) {
	saved, err := h.opts.Users.RememberedConsent(a.user.Username, a.req.ClientID)
	if err != nil {
		h.opts.Log.Error("remembered consent", "user", a.user.Username, "client_id", a.req.ClientID, "err", err)
		return nil, false
	}
	if saved == "" {
		return nil, false
	}
	remembered, err := scope.Parse(saved)
	want := offered(a.req.Scopes)
	if err != nil || len(want) == 0 || scope.Grant(want, remembered, h.opts.Grant).String() != want.String() {
		return nil, false
	}
	allowed, err := scope.Parse(a.req.App.Scope)
	if err != nil {
		return nil, false
	}
	granted := scope.Grant(want, allowed, h.opts.Grant)
	return granted, len(granted) > 0
}
