package authorize

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"smartd/authz"
	"smartd/authz/oauth"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// maxFormBytes bounds the body of the authorize request and of the forms.
const maxFormBytes = 64 << 10

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
	req, ok := h.parse(w, r, params)
	if !ok {
		return
	}
	sess, user := h.user(r)
	if user == nil {
		if req.Prompt == "none" {
			oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.New("login_required", "no user is signed in"))
			return
		}
		h.showLogin(w, r, req, params, sess, "", "", http.StatusOK)
		return
	}
	if req.Prompt == "none" {
		oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.New("consent_required", "this server always asks for consent"))
		return
	}
	h.proceed(w, r, req, params, sess, user)
}

// parse validates the authorize parameters. On failure it answers (an
// error page or a redirect to the app) and returns false.
func (h *Handler) parse(w http.ResponseWriter, r *http.Request, params url.Values) (*authz.AuthorizeRequest, bool) {
	req, err := authz.ParseAuthorize(params, h.opts.Apps, h.opts.FHIRBase)
	if err == nil && req.Launch != "" {
		err = oauth.New(oauth.InvalidRequest, "EHR launch is not available yet")
	}
	if err == nil {
		return req, true
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
	oauth.Redirect(w, r, req.RedirectURI, req.State, err)
	return nil, false
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

// proceed continues a validated request for a signed-in user: the
// patient picker when launch/patient needs one, else the consent page.
func (h *Handler) proceed(w http.ResponseWriter, r *http.Request, req *authz.AuthorizeRequest, params url.Values, sess *sessions.Session, u *users.User) {
	patient := ""
	if req.Scopes.HasLaunch("patient") {
		switch {
		case u.PatientContext() != "":
			patient = u.PatientContext()
		case u.Role == users.Clinician:
			h.showPicker(w, r, req, params, sess, ui.PatientQuery{})
			return
		default:
			oauth.Redirect(w, r, req.RedirectURI, req.State, oauth.New(oauth.AccessDenied, "this account cannot choose a patient"))
			return
		}
	}
	h.showConsent(w, r, req, params, sess, u, patient)
}

// hidden returns the authorize parameters as prefixed hidden fields.
func hidden(params url.Values) map[string]string {
	out := make(map[string]string, len(params))
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
func (h *Handler) form(w http.ResponseWriter, r *http.Request) (*authz.AuthorizeRequest, url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, http.StatusBadRequest, "The form could not be read.", err.Error())
		return nil, nil, false
	}
	params := carried(r.Form)
	req, ok := h.parse(w, r, params)
	return req, params, ok
}

// signedIn returns the session and user of a page's POST after checking
// its CSRF token; on failure it has answered 403.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (*sessions.Session, *users.User, bool) {
	sess, u := h.user(r)
	if err := sessions.CheckCSRF(sess, r); err != nil {
		h.errorPage(w, http.StatusForbidden, "This form has expired or did not come from this site. Go back to the app and start again.", "")
		return nil, nil, false
	}
	if u == nil {
		h.errorPage(w, http.StatusForbidden, "You are not signed in. Go back to the app and start again.", "")
		return nil, nil, false
	}
	return sess, u, true
}

// render writes a page with the security headers.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	sessions.PageHeaders(w.Header(), false)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
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
