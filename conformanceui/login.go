package conformanceui

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// Messages of the sign-in page.
const (
	// wrongCredentials is the one message for an unknown user, a wrong
	// password and a disabled account, so none can be told apart.
	wrongCredentials = "Wrong username or password."
	tooMany          = "Too many sign-in attempts. Wait a while and try again."
)

// showLogin serves GET <base>/conformance/login: the sign-in form, or the
// conformance page for a user already signed in.
func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request) {
	sess, u := h.user(r)
	if u != nil {
		http.Redirect(w, r, h.opts.BasePath+HomePath, http.StatusSeeOther)
		return
	}
	h.loginPage(w, r, sess, "", "", http.StatusOK)
}

// loginPage renders the sign-in form, creating the anonymous pre-login
// session that holds its CSRF token when there is none.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, sess *sessions.Session, username, msg string, status int) {
	if sess == nil {
		var err error
		if sess, err = h.opts.Sessions.Create(""); err != nil {
			h.serverError(w, r, "show the sign-in page", err)
			return
		}
		h.opts.Sessions.SetCookie(w, sess, h.opts.Secure)
	}
	h.render(w, r, status, ui.Login(ui.LoginPage{
		AppName: "SMART conformance", Username: username, Error: msg, CSRF: sess.CSRFToken,
		Action: h.opts.BasePath + LoginPath,
	}))
}

// login serves POST <base>/conformance/login: any enabled account may
// sign in. Success replaces the session with a new one (no session
// fixation); attempts are throttled per IP and per account.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	sess, err := h.opts.Sessions.FromRequest(r)
	if err != nil {
		sess = nil
	}
	if sessions.CheckCSRF(sess, r) != nil {
		h.errorPage(w, r, http.StatusForbidden, "Form expired", "This sign-in form has expired or did not come from this site. Reload the sign-in page and try again.")
		return
	}
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	ip := clientIP(r)
	if ok, wait := h.opts.Limiter.Allow(username, ip); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		h.loginPage(w, r, sess, username, tooMany, http.StatusTooManyRequests)
		return
	}
	u, err := h.opts.Users.Authenticate(username, password)
	switch {
	case errors.Is(err, users.ErrBadCredentials) || errors.Is(err, users.ErrDisabled):
		h.opts.Limiter.Failure(username, ip)
		h.loginPage(w, r, sess, username, wrongCredentials, http.StatusOK)
		return
	case err != nil:
		h.serverError(w, r, "sign you in", err)
		return
	}
	h.opts.Limiter.Success(username, ip)
	_ = h.opts.Sessions.Delete(sess.ID)
	fresh, err := h.opts.Sessions.Create(u.Username)
	if err != nil {
		h.serverError(w, r, "sign you in", err)
		return
	}
	h.opts.Sessions.SetCookie(w, fresh, h.opts.Secure)
	h.opts.Log.InfoContext(r.Context(), "conformanceui: signed in", "user", u.Username)
	http.Redirect(w, r, h.opts.BasePath+HomePath, http.StatusSeeOther)
}

// logout serves POST <base>/conformance/logout: it ends the session
// (shared with the authorize endpoint and the EHR) and shows the sign-in
// page.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	sess, err := h.opts.Sessions.FromRequest(r)
	if err == nil && sessions.CheckCSRF(sess, r) == nil {
		if err := h.opts.Sessions.Delete(sess.ID); err != nil {
			h.serverError(w, r, "sign you out", err)
			return
		}
		h.opts.Sessions.ClearCookie(w, h.opts.Secure)
	}
	http.Redirect(w, r, h.opts.BasePath+LoginPath, http.StatusSeeOther)
}

// clientIP is the peer address without its port.
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
