package authorize

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"smartd/authz"
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// wrongCredentials is the one message for an unknown user, a wrong
// password and a disabled account, so none can be told apart.
const wrongCredentials = "Wrong username or password."

// showLogin renders the login page, creating the anonymous pre-login
// session that holds its CSRF token when there is none.
func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, req *authz.AuthorizeRequest, params url.Values, sess *sessions.Session, username, msg string, status int) {
	if sess == nil {
		var err error
		if sess, err = h.opts.Sessions.Create(""); err != nil {
			h.opts.Log.Error("pre-login session", "err", err)
			h.errorPage(w, http.StatusInternalServerError, "The sign-in page is unavailable; try again later.", "")
			return
		}
		h.opts.Sessions.SetCookie(w, sess, h.opts.Secure)
	}
	h.render(w, r, req, status, ui.Login(ui.LoginPage{
		AppName: appName(req), AppLogoURL: req.App.LogoURI,
		Username: username, Error: msg, CSRF: sess.CSRFToken,
		Action: h.opts.BasePath + LoginPath, Hidden: hidden(params),
	}))
}

// login serves POST <base>/auth/login: username, password, csrf_token
// (of the pre-login session) and the carried authorize parameters. On
// success the pre-login session is replaced by a new one and the browser
// goes back to authorize. Every outcome goes to the audit hook.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	a, ok := h.form(w, r)
	if !ok {
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
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	ip := sessions.ClientIP(r)
	if ok, wait := h.opts.Limiter.Allow(username, ip); !ok {
		h.audit(ActionLogin, username, ip, OutcomeFailure, ReasonThrottled)
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		h.showLogin(w, r, a.req, a.params, sess, username, "Too many sign-in attempts. Wait a while and try again.", http.StatusTooManyRequests)
		return
	}
	u, err := h.opts.Users.Authenticate(username, password)
	switch {
	case errors.Is(err, users.ErrBadCredentials) || errors.Is(err, users.ErrDisabled):
		reason := ReasonBadCredentials
		if errors.Is(err, users.ErrDisabled) {
			reason = ReasonDisabled
		}
		if h.opts.Limiter.Failure(username, ip) {
			reason += ReasonLockedSuffix
		}
		h.audit(ActionLogin, username, ip, OutcomeFailure, reason)
		h.showLogin(w, r, a.req, a.params, sess, username, wrongCredentials, http.StatusOK)
		return
	case err != nil:
		h.opts.Log.Error("login", "err", err)
		h.errorPage(w, http.StatusInternalServerError, "Signing in failed; try again later.", "")
		return
	}
	h.opts.Limiter.Success(username, ip)
	if sess != nil {
		_ = h.opts.Sessions.Delete(sess.ID)
	}
	next, err := h.opts.Sessions.Create(u.Username)
	if err != nil {
		h.opts.Log.Error("create session", "err", err)
		h.errorPage(w, http.StatusInternalServerError, "Signing in failed; try again later.", "")
		return
	}
	h.opts.Sessions.SetCookie(w, next, h.opts.Secure)
	h.audit(ActionLogin, u.Username, ip, OutcomeSuccess, "")
	h.opts.Log.Info("signed in", "user", u.Username)
	http.Redirect(w, r, h.opts.BasePath+AuthorizePath+"?"+afterLogin(a.params).Encode(), http.StatusSeeOther)
}

// afterLogin returns the authorize parameters to go back with: without
// prompt=login, which the login just answered (OpenID Connect Core
// §3.1.2.1), so the page is not shown again.
func afterLogin(params url.Values) url.Values {
	p, ok := params["prompt"]
	if !ok || len(p) != 1 {
		return params
	}
	var keep []string
	for _, v := range strings.Fields(p[0]) {
		if v != "login" {
			keep = append(keep, v)
		}
	}
	out := make(url.Values, len(params))
	for k, v := range params {
		out[k] = v
	}
	if len(keep) == 0 {
		delete(out, "prompt")
	} else {
		out["prompt"] = []string{strings.Join(keep, " ")}
	}
	return out
}
