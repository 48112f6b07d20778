package authorize

import (
	"net/http"

	"smartd/sessions"
	"smartd/ui"
)

// showLogout serves GET <base>/auth/logout: a "Sign out?" form carrying
// the session's CSRF token, or a note that nobody is signed in. It
// changes nothing: a link or an image cannot sign anyone out.
func (h *Handler) showLogout(w http.ResponseWriter, r *http.Request) {
	sess, u := h.user(r)
	p := ui.LogoutPage{Action: h.opts.BasePath + LogoutPath}
	if u != nil {
		p.User, p.CSRF = displayName(u), sess.CSRFToken
	}
	h.render(w, r, nil, http.StatusOK, ui.Logout(p))
}

// logout serves POST <base>/auth/logout (csrf_token): it ends the session
// (sessions.Store.Delete, so grants with online_access end with it:
// grants.Options.SessionAlive), clears the cookie and confirms.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, http.StatusBadRequest, "The form could not be read.", err.Error())
		return
	}
	sess, err := h.opts.Sessions.FromRequest(r)
	if err != nil {
		sess = nil
	}
	if sessions.CheckCSRF(sess, r) != nil {
		h.csrfFailed(w)
		return
	}
	if err := h.opts.Sessions.Delete(sess.ID); err != nil {
		h.opts.Log.Error("logout", "err", err)
		h.errorPage(w, http.StatusInternalServerError, "Signing out failed; try again.", "")
		return
	}
	h.opts.Sessions.ClearCookie(w, h.opts.Secure)
	if sess.Username != "" {
		h.audit(ActionLogout, sess.Username, sessions.ClientIP(r), OutcomeSuccess, "")
		h.opts.Log.Info("signed out", "user", sess.Username)
	}
	h.render(w, r, nil, http.StatusOK, ui.Logout(ui.LogoutPage{SignedOut: true}))
}
