package authorize

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"smartd/authz"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// hidden returns the authorize parameters as prefixed hidden fields.
func hidden(params url.Values) map[string]string {
	out := make(map[string]string, len(params)+2)
	for k, vs := range params {
		if len(vs) > 0 {
			out[ParamPrefix+k] = vs[0]
		}
	}
	return out
}

// carried returns the authorize parameters a form carried back. A
// repeated field stays repeated, so ParseAuthorize refuses it.
func carried(form url.Values) url.Values {
	out := url.Values{}
	for k, vs := range form {
		if name, ok := strings.CutPrefix(k, ParamPrefix); ok {
			out[name] = vs
		}
	}
	return out
}

// form parses a page's POST (or, for GET, query) form and the authorize
// request it carries. On failure it has answered.
func (h *Handler) form(w http.ResponseWriter, r *http.Request) (*attempt, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, http.StatusBadRequest, "The form could not be read.", err.Error())
		return nil, false
	}
	return h.start(w, r, carried(r.Form))
}

// resume rebuilds the attempt a page's form carries, for the signed-in
// user: for a POST (post) after checking its CSRF token, and with the
// context fields checked again (enter). On failure it has answered.
func (h *Handler) resume(w http.ResponseWriter, r *http.Request, post bool) (*attempt, bool) {
	a, ok := h.form(w, r)
	if !ok {
		return nil, false
	}
	if post {
		if a.sess, a.user, ok = h.signedIn(w, r); !ok {
			return nil, false
		}
	} else if a.sess, a.user = h.user(r); a.user == nil {
		h.errorPage(w, http.StatusForbidden, "You are not signed in. Go back to the app and start again.", "")
		return nil, false
	}
	if !a.launchUser(a.user) {
		h.errorPage(w, http.StatusForbidden, "You are signed in as another user than the one who launched this app. Launch it again.", "")
		return nil, false
	}
	return a, h.enter(w, r, a, r.Form.Get(patientField), r.Form.Get(encounterField))
}

// signedIn returns the session and user of a page's POST after checking
// its CSRF token; on failure it has answered 403.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (*sessions.Session, *users.User, bool) {
	sess, u := h.user(r)
	if err := sessions.CheckCSRF(sess, r); err != nil {
		h.csrfFailed(w)
		return nil, nil, false
	}
	if u == nil {
		h.errorPage(w, http.StatusForbidden, "You are not signed in. Go back to the app and start again.", "")
		return nil, nil, false
	}
	return sess, u, true
}

// csrfFailed answers a form whose CSRF token is missing or wrong.
func (h *Handler) csrfFailed(w http.ResponseWriter) {
	h.errorPage(w, http.StatusForbidden, "This form has expired or did not come from this site. Go back to the app and start again.", "")
}

// render writes a page with the security headers. A page of an EHR
// launch (req.Launch set) may be framed by our own origin: the EHR view
// embeds the app, which comes here inside the frame. Other pages (req
// nil for none) refuse framing (RFC 6749 §10.13).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, req *authz.AuthorizeRequest, status int, c templ.Component) {
	if err := sessions.WritePage(w, r, status, req != nil && req.Launch != "", c); err != nil {
		h.opts.Log.Error("render page", "err", err)
	}
}

// errorPage shows an error that cannot be sent to the app.
func (h *Handler) errorPage(w http.ResponseWriter, status int, msg, detail string) {
	sessions.PageHeaders(w.Header(), false)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = ui.ErrorPage(ui.ErrorPageView{Message: msg, Detail: detail, Status: status}).Render(context.Background(), w)
}

// appName is the app's display name, else its client_id.
func appName(req *authz.AuthorizeRequest) string {
	if req.App.Name != "" {
		return req.App.Name
	}
	return req.ClientID
}

// displayName is the user's display name, else the username.
func displayName(u *users.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// validID reports whether s is a FHIR R4 id (datatypes.html#id): 1 to 64
// of A-Z, a-z, 0-9, '-' and '.'. Ids chosen in a form are checked before
// they reach a search or a grant.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
