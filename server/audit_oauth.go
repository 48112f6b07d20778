package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"smartd/audit"
	"smartd/authz"
	"smartd/authz/oauth"
	"smartd/sessions"
)

// maxAuditCapture bounds what auditOAuth keeps of a token request's form
// and response: both are a few hundred bytes, an id_token included.
const maxAuditCapture = 16 << 10

// auditOAuth records in the audit trail, for the app's page in the app
// registry pages, every answer of the token endpoint (a token issued, or
// refused with its OAuth error) and every end of an authorization at the
// authorize endpoint (a code or an error sent to the app, or an error
// page for a client_id or redirect_uri that cannot be trusted). Secrets
// (codes, client secrets, assertions, tokens) are never recorded.
func (s *Server) auditOAuth(next http.Handler) http.Handler {
	tokenPath := pathOf(s.authz.TokenURL())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == tokenPath && r.Method == http.MethodPost:
			form := &capped{max: maxAuditCapture}
			r.Body = teeBody{r.Body, form}
			cw := &captureWriter{ResponseWriter: w, body: &capped{max: maxAuditCapture}}
			next.ServeHTTP(cw, r)
			s.auditToken(r, form.Bytes(), cw)
		case s.authorize.Owns(r.URL.Path):
			cw := &captureWriter{ResponseWriter: w}
			next.ServeHTTP(cw, r)
			s.auditAuthorize(r, cw)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// auditToken records one token endpoint answer.
func (s *Server) auditToken(r *http.Request, rawForm []byte, cw *captureWriter) {
	form, _ := url.ParseQuery(string(rawForm))
	rec := audit.Record{
		Kind: audit.KindAuth, Interaction: audit.AuthToken, ClientID: tokenClient(r, form),
		Status: cw.status, Scope: form.Get("scope"), RemoteAddr: sessions.ClientIP(r), RequestID: RequestID(r.Context()),
	}
	if g := form.Get("grant_type"); g != "" && len(g) < 100 {
		rec.Query = "grant_type=" + url.QueryEscape(g)
	}
	var resp struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Scope       string `json:"scope"`
		Patient     string `json:"patient"`
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(cw.body.Bytes(), &resp)
	if cw.status >= 400 {
		rec.Reason = joinReason(resp.Error, resp.Description)
	} else {
		rec.Scope, rec.Patient = resp.Scope, resp.Patient
		var c authz.AccessTokenClaims // minted by us a moment ago: read, not verified
		if jwtClaims(resp.AccessToken, &c) {
			rec.ClientID = c.ClientID
			if c.Subject != c.ClientID { // client_credentials: the client acts for itself
				rec.User = c.Subject
			}
		}
	}
	if rec.ClientID != "" || rec.Status >= 400 {
		s.audit.Record(rec)
	}
}

// auditAuthorize records the end of an authorization: a redirect to the
// app with a code or an error, or an error page naming a client.
func (s *Server) auditAuthorize(r *http.Request, cw *captureWriter) {
	params := r.Form
	if params == nil {
		params = r.URL.Query()
	}
	clientID, requested := params.Get("client_id"), params.Get("scope")
	if clientID == "" { // a later step carries the request in hidden fields
		clientID, requested = params.Get("req.client_id"), params.Get("req.scope")
	}
	rec := audit.Record{
		Kind: audit.KindAuth, Interaction: audit.AuthAuthorize, ClientID: clientID, Status: cw.status,
		Scope: requested, RemoteAddr: sessions.ClientIP(r), RequestID: RequestID(r.Context()),
	}
	switch {
	case cw.status == http.StatusFound || cw.status == http.StatusSeeOther:
		to, err := url.Parse(cw.location)
		if err != nil || !to.IsAbs() || to.Host == r.Host {
			return // a step of our own pages
		}
		q := to.Query()
		switch e := q.Get("error"); {
		case q.Get("code") != "":
			rec.Outcome = audit.OutcomeSuccess
		case e == "":
			return
		case e == string(oauth.AccessDenied) || e == string(oauth.InvalidScope) || e == string(oauth.UnauthorizedClient):
			rec.Outcome, rec.Reason = audit.OutcomeDenied, joinReason(e, q.Get("error_description"))
		default:
			rec.Outcome, rec.Reason = audit.OutcomeFailure, joinReason(e, q.Get("error_description"))
		}
	case cw.status == http.StatusBadRequest && r.URL.Path == pathOf(s.authz.AuthorizeURL()) && clientID != "":
		// The error page: the request is checked again for the reason.
		if _, err := authz.ParseAuthorize(params, s.apps, s.cfg.BaseURL+"/fhir"); err != nil {
			e := oauth.As(err)
			rec.Reason = joinReason(string(e.Code), e.Description)
		}
	default:
		return
	}
	if sess, err := s.sessions.FromRequest(r); err == nil && sess.Username != "" {
		rec.User = sess.Username
		if u, err := s.users.Get(sess.Username); err == nil && u.FHIRUser != "" {
			rec.User = u.FHIRUser
		}
	}
	s.audit.Record(rec)
}

// tokenClient is the client a token request names: client_id, the user
// of HTTP Basic, or the issuer of the client assertion (not verified
// here: a refused assertion is recorded under the client it claims).
func tokenClient(r *http.Request, form url.Values) string {
	if id := form.Get("client_id"); id != "" {
		return id
	}
	if user, _, ok := r.BasicAuth(); ok {
		if id, err := url.QueryUnescape(user); err == nil { // RFC 6749 §2.3.1
			return id
		}
		return user
	}
	var c struct {
		Iss string `json:"iss"`
	}
	jwtClaims(form.Get("client_assertion"), &c)
	return c.Iss
}

// jwtClaims decodes the payload of a compact JWT into v without checking
// its signature, and reports whether it could.
func jwtClaims(token string, v any) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > maxAuditCapture {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	return err == nil && json.Unmarshal(b, v) == nil
}

// joinReason is "code: description", or whichever is set.
func joinReason(code, description string) string {
	switch {
	case code == "":
		return description
	case description == "":
		return code
	}
	return code + ": " + description
}

// pathOf is the path of an absolute URL.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}

// captureWriter notes the status and Location of a response, and keeps
// the start of its body when body is set.
type captureWriter struct {
	http.ResponseWriter
	status   int
	location string
	body     *capped
}

func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status, c.location = status, c.Header().Get("Location")
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.body != nil {
		c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// capped is a buffer that keeps at most max bytes.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// teeBody copies what the handler reads of a request body.
type teeBody struct {
	io.ReadCloser
	copy *capped
}

func (t teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.copy.Write(p[:n])
	return n, err
}
