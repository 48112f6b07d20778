package signin

import (
	"errors"
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
	// defaultRoleMessage is told to an account Options.Roles refuses when
	// RoleMessage is empty.
	defaultRoleMessage = "This account cannot sign in here."
)

// showLogin serves GET {login}?next=...: the sign-in form, or straight
// on for someone already signed in with a role admitted here.
func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request) {
	next := SafeNext(r.URL.Query().Get("next"), h.opts.NextPrefix)
	sess, u := h.Current(r)
	if u != nil {
		if next == "" {
			next = h.home(u)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	msg := ""
	if sess != nil && sess.Username != "" {
		msg = h.roleMessage()
	}
	h.loginPage(w, r, sess, next, "", msg, http.StatusOK)
}

// loginPage renders the sign-in form, creating the anonymous pre-login
// session that holds its CSRF token when there is none.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, sess *sessions.Session, next, username, msg string, status int) {
	if sess == nil {
		var err error
		if sess, err = h.opts.Sessions.Create(""); err != nil {
			h.serverError(w, r, "show the sign-in page", err)
			return
		}
		h.opts.Sessions.SetCookie(w, sess, h.opts.Secure)
	}
	var hidden map[string]string
	if next != "" {
		hidden = map[string]string{"next": next}
	}
	h.render(w, r, status, ui.Login(ui.LoginPage{
		AppName: h.opts.Title, Username: username, Error: msg, CSRF: sess.CSRFToken,
		Action: h.opts.LoginPath, Hidden: hidden,
	}))
}

// login serves POST {login}: username, password, csrf_token (of the
// pre-login session) and next. A successful sign-in of an admitted role
// replaces the session with a new one and goes to next (or home).
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
	next := SafeNext(r.PostFormValue("next"), h.opts.NextPrefix)
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	ip := sessions.ClientIP(r)
	if ok, wait := h.opts.Limiter.Allow(username, ip); !ok {
		h.audit(ActionLogin, username, ip, OutcomeFailure, ReasonThrottled)
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		h.loginPage(w, r, sess, next, username, tooMany, http.StatusTooManyRequests)
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
		h.loginPage(w, r, sess, next, username, wrongCredentials, http.StatusOK)
		return
	case err != nil:
		h.serverError(w, r, "sign you in", err)
		return
	}
	h.opts.Limiter.Success(username, ip)
	if !h.admits(u) {
		h.audit(ActionLogin, u.Username, ip, OutcomeFailure, ReasonRole)
		h.loginPage(w, r, sess, next, username, h.roleMessage(), http.StatusForbidden)
		return
	}
	_ = h.opts.Sessions.Delete(sess.ID)
	fresh, err := h.opts.Sessions.Create(u.Username)
	if err != nil {
		h.serverError(w, r, "sign you in", err)
		return
	}
	h.opts.Sessions.SetCookie(w, fresh, h.opts.Secure)
	h.audit(ActionLogin, u.Username, ip, OutcomeSuccess, "")
	h.opts.Log.InfoContext(r.Context(), "signed in", "user", u.Username, "at", h.opts.LoginPath)
	if next == "" {
		next = h.home(u)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// roleMessage is what an account of a role not admitted here is told.
func (h *Handler) roleMessage() string {
	if h.opts.RoleMessage != "" {
		return h.opts.RoleMessage
	}
	return defaultRoleMessage
}
