package signin

import (
	"net/http"

	"smartd/sessions"
)

// logout serves POST {logout} (csrf_token): it ends the session (here
// and at the authorize endpoint, which shares it, so grants with
// online_access end with it) and goes to the sign-in page. Without the
// session's token it changes nothing: another site cannot sign anyone
// out.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	sess, err := h.opts.Sessions.FromRequest(r)
	if err == nil && sessions.CheckCSRF(sess, r) == nil {
		if err := h.opts.Sessions.Delete(sess.ID); err != nil {
			h.serverError(w, r, "sign you out", err)
			return
		}
		h.opts.Sessions.ClearCookie(w, h.opts.Secure)
		if sess.Username != "" {
			h.audit(ActionLogout, sess.Username, sessions.ClientIP(r), OutcomeSuccess, "")
			h.opts.Log.InfoContext(r.Context(), "signed out", "user", sess.Username)
		}
	}
	http.Redirect(w, r, h.opts.LoginPath, http.StatusSeeOther)
}
