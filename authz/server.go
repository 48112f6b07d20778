package authz

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"smartd/apps/registry"
	"smartd/authz/clientauth"
	"smartd/authz/grants"
	"smartd/authz/keys"
	"smartd/authz/oauth"
	"smartd/authz/scope"
	"smartd/launch/simulation"
)

// ClientAuthenticator authenticates the client of a token, introspection
// or revocation request (RFC 6749 §2.3, RFC 7523 §3, SMART App Launch
// 2.2 client-confidential-asymmetric.html) from the decoded form and the
// headers. audiences are the URLs a client assertion's aud may name. It
// returns an *oauth.Error (invalid_client) when authentication fails;
// authz/clientauth implements it.
type ClientAuthenticator interface {
	Authenticate(ctx context.Context, form url.Values, header http.Header, audiences []string) (*registry.App, error)
}

// AppStore is what the endpoints need of the app registry;
// registry.Store satisfies it.
type AppStore interface {
	AppLister
	Get(clientID string) (*registry.App, error)
	Register(md registry.Metadata) (*registry.App, registry.Credentials, error)
	Reregister(clientID string, md registry.Metadata) (*registry.App, registry.Credentials, error)
	Delete(clientID string) error
}

// TokenKeys signs and verifies access tokens, signs id_tokens and
// publishes the JWKS; keys.Keys satisfies it.
type TokenKeys interface {
	SignAccessToken(claims jwt.Claims) (string, error)
	SignIDToken(claims jwt.Claims) (string, error)
	VerifyAccessToken(token string, claims jwt.Claims, opts ...jwt.ParserOption) (*jwt.Token, error)
	JWKS() []byte
}

// The implementations smartd wires in, checked at compile time.
var (
	_ AppStore            = (*registry.Store)(nil)
	_ TokenKeys           = (*keys.Keys)(nil)
	_ ClientAuthenticator = (*clientauth.Authenticator)(nil)
	_ GrantStore          = (*grants.Store)(nil)
)

// GrantStore redeems authorization codes and rotates refresh tokens;
// grants.Store satisfies it. Its errors are the grants sentinel errors.
type GrantStore interface {
	RedeemCode(code, clientID, redirectURI, verifier string) (grants.Grant, error)
	IssueRefresh(grantID string, lifetime time.Duration) (string, error)
	PeekRefresh(token, clientID string) (grants.Grant, error)
	RotateRefresh(token, clientID string) (grants.Grant, string, error)
	RevokeRefresh(token, clientID string) error
	Revoked(grantID string) bool
}

// MaxAccessTokenLifetime is the longest access token lifetime of Backend
// Services (client_credentials): SMART Backend Services says it "SHOULD
// NOT exceed five minutes".
const MaxAccessTokenLifetime = 5 * time.Minute

// Lifetimes of the access tokens issued to users' apps (authorization_code
// and refresh_token grants): an hour by default, as SMART App Launch's
// examples and most EHRs do, and at most a day (the signing keys' Retain).
const (
	DefaultUserAccessTokenLifetime = time.Hour
	MaxUserAccessTokenLifetime     = 24 * time.Hour
)

// defaultRegistrationPerMinute is the open registration rate per address.
const defaultRegistrationPerMinute = 10

// Options configure New. The fields marked required must be set; every
// other zero value has the documented default.
type Options struct {
	// BaseURL is the server's public URL without a trailing slash
	// (required); the endpoints are BaseURL+"/auth/...".
	BaseURL string
	// Authorize says the caller serves the authorization endpoint at
	// BaseURL+AuthPrefix+"/authorize" (package authorize): discovery then
	// advertises it, the authorization_code and refresh_token grants and
	// the standalone launch capabilities.
	Authorize bool
	// EHRLaunch says the caller resolves EHR launch contexts at the
	// authorization endpoint (with Authorize): the launch-ehr and EHR
	// context capabilities are then advertised.
	EHRLaunch bool
	// Issuer is the FHIR base URL (required): the iss and aud of access
	// tokens, and where discovery is served (Issuer+"/.well-known/...").
	Issuer string
	// Apps is the app registry (required).
	Apps AppStore
	// Keys sign access tokens and publish the JWKS (required).
	Keys TokenKeys
	// Clients authenticates clients (required).
	Clients ClientAuthenticator
	// Revocations records revoked access tokens (required).
	Revocations RevocationStore
	// Grants serves the authorization_code and refresh_token grants; nil
	// leaves them unsupported.
	Grants GrantStore
	// AccessTokenLifetime is how long Backend Services access tokens
	// live; zero means MaxAccessTokenLifetime, which is also the most
	// allowed.
	AccessTokenLifetime time.Duration
	// UserAccessTokenLifetime is how long the access tokens of the
	// authorization_code and refresh_token grants live; zero means
	// DefaultUserAccessTokenLifetime.
	UserAccessTokenLifetime time.Duration
	// Registration is the dynamic registration policy; "" means
	// RegistrationOpen.
	Registration RegistrationPolicy
	// RegistrationToken is the initial access token that the
	// RegistrationToken policy requires (RFC 7591 §3); required with it.
	RegistrationToken string
	// RegistrationPerMinute bounds open registration requests per client
	// address and minute (the burst is the same); zero means 10.
	RegistrationPerMinute int
	// Grant tunes scope.Grant; the zero value grants every granular
	// parameter.
	Grant scope.GrantOptions
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of token ids; nil means crypto/rand.
	Rand io.Reader
	// Log receives server errors; nil discards them.
	Log *slog.Logger
	// Sandbox applies the launch simulation of grants whose app opted in
	// (package simulation; smartd -sandbox). False ignores it.
	Sandbox bool
	// Simulated, when set, is told of every simulated behaviour of the
	// token endpoint, for the audit trail. It must not block.
	Simulated func(*http.Request, simulation.Event)
}

// Server is the authorization server's HTTP surface. It is safe for
// concurrent use.
type Server struct {
	opts     Options
	basePath string // the path of Options.BaseURL
	fhirPath string // the path of Options.Issuer
	urls     endpoints
	origins  *Origins
	limiter  *ipLimiter
	smartDoc []byte
	oidcDoc  []byte
	handler  http.Handler
}

// endpoints are the absolute URLs of the endpoints.
type endpoints struct {
	Token, Introspect, Revoke, Register, JWKS, Authorize string
}

// New checks opts and builds the server.
func New(opts Options) (*Server, error) {
	if opts.Apps == nil || opts.Keys == nil || opts.Clients == nil || opts.Revocations == nil {
		return nil, errors.New("authz: Apps, Keys, Clients and Revocations are required")
	}
	base, err := absolute(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("authz: BaseURL: %w", err)
	}
	iss, err := absolute(opts.Issuer)
	if err != nil {
		return nil, fmt.Errorf("authz: Issuer: %w", err)
	}
	switch {
	case opts.AccessTokenLifetime == 0:
		opts.AccessTokenLifetime = MaxAccessTokenLifetime
	case opts.AccessTokenLifetime < time.Second || opts.AccessTokenLifetime > MaxAccessTokenLifetime:
		return nil, fmt.Errorf("authz: access token lifetime %v is not between 1s and %v", opts.AccessTokenLifetime, MaxAccessTokenLifetime)
	}
	switch {
	case opts.UserAccessTokenLifetime == 0:
		opts.UserAccessTokenLifetime = DefaultUserAccessTokenLifetime
	case opts.UserAccessTokenLifetime < time.Second || opts.UserAccessTokenLifetime > MaxUserAccessTokenLifetime:
		return nil, fmt.Errorf("authz: user access token lifetime %v is not between 1s and %v", opts.UserAccessTokenLifetime, MaxUserAccessTokenLifetime)
	}
	if opts.Registration == "" {
		opts.Registration = RegistrationOpen
	}
	if _, err := ParseRegistrationPolicy(string(opts.Registration)); err != nil {
		return nil, fmt.Errorf("authz: %w", err)
	}
	if opts.Registration == RegistrationToken && opts.RegistrationToken == "" {
		return nil, errors.New("authz: the token registration policy needs an initial access token (SMARTD_REGISTRATION_TOKEN)")
	}
	if opts.RegistrationPerMinute == 0 {
		opts.RegistrationPerMinute = defaultRegistrationPerMinute
	}
	if opts.RegistrationPerMinute < 0 {
		return nil, errors.New("authz: negative registration rate")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	opts.BaseURL, opts.Issuer = base.String(), iss.String()
	s := &Server{
		opts:     opts,
		basePath: base.Path,
		fhirPath: iss.Path,
		origins:  NewOrigins(opts.Apps, opts.Now),
		limiter:  newIPLimiter(opts.RegistrationPerMinute),
	}
	s.urls = endpoints{
		Token:      opts.BaseURL + tokenPath,
		Introspect: opts.BaseURL + introspectPath,
		Revoke:     opts.BaseURL + revokePath,
		Register:   opts.BaseURL + registerPath,
		JWKS:       opts.BaseURL + jwksPath,
	}
	if opts.Authorize {
		s.urls.Authorize = opts.BaseURL + AuthorizePath
	}
	s.smartDoc, s.oidcDoc = s.discovery()
	s.handler = s.routes()
	return s, nil
}

// absolute parses an absolute URL and drops a trailing slash.
func absolute(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || !u.IsAbs() || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not an absolute URL without query or fragment", raw)
	}
	return u, nil
}

// Paths: AuthPrefix below Options.BaseURL holds the endpoints; the
// discovery documents are below the FHIR base (SMART App Launch 2.2,
// conformance.html: {fhirBase}/.well-known/smart-configuration).
const (
	// AuthPrefix is where the OAuth endpoints and the JWKS are served.
	AuthPrefix = "/auth"
	// SMARTConfigurationPath is the SMART discovery document.
	SMARTConfigurationPath = "/.well-known/smart-configuration"
	// OpenIDConfigurationPath is the OpenID Connect Discovery 1.0 §4 document.
	OpenIDConfigurationPath = "/.well-known/openid-configuration"
)

const (
	tokenPath      = AuthPrefix + "/token"
	introspectPath = AuthPrefix + "/introspect"
	revokePath     = AuthPrefix + "/revoke"
	registerPath   = AuthPrefix + "/register"
	jwksPath       = AuthPrefix + "/jwks"
)

// AuthorizePath is the authorization endpoint below Options.BaseURL,
// served by the caller (Options.Authorize).
const AuthorizePath = AuthPrefix + "/authorize"

// Handler serves the endpoints: the paths below BaseURL+AuthPrefix, and
// the two discovery documents below the FHIR base. The caller routes those
// paths to it.
func (s *Server) Handler() http.Handler { return s.handler }

// Origins returns the registered apps' origins, for RegisteredCORS on
// other endpoints (the FHIR API).
func (s *Server) Origins() *Origins { return s.origins }

// Revoked reports whether the access token with this jti was revoked.
func (s *Server) Revoked(jti string) bool { return s.opts.Revocations.Revoked(jti) }

// GrantRevoked reports whether the grant an access token was issued from
// (its "grant" claim) was revoked: a reused code or refresh token, or a
// revoked refresh token. "" (client_credentials) is never revoked.
func (s *Server) GrantRevoked(grantID string) bool {
	return grantID != "" && s.opts.Grants != nil && s.opts.Grants.Revoked(grantID)
}

// AuthorizeURL is the authorization endpoint, or "" when the caller
// serves none (Options.Authorize).
func (s *Server) AuthorizeURL() string { return s.urls.Authorize }

// TokenURL is the token endpoint, also the aud of client assertions.
func (s *Server) TokenURL() string { return s.urls.Token }

// IntrospectURL is the RFC 7662 introspection endpoint.
func (s *Server) IntrospectURL() string { return s.urls.Introspect }

// RevokeURL is the RFC 7009 revocation endpoint.
func (s *Server) RevokeURL() string { return s.urls.Revoke }

// RegisterURL is the registration endpoint, or "" when registration is
// closed.
func (s *Server) RegisterURL() string {
	if s.opts.Registration == RegistrationClosed {
		return ""
	}
	return s.urls.Register
}

// handlerFunc is an endpoint: it writes its success response and returns
// any error for serve to write.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route serves one path: CORS first (preflights never reach the
// endpoint), then the method's handler, or 405.
func (s *Server) route(mux *http.ServeMux, pattern string, public bool, methods map[string]handlerFunc) {
	if h, ok := methods[http.MethodGet]; ok {
		methods[http.MethodHead] = h
	}
	allow := make([]string, 0, len(methods))
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete} {
		if _, ok := methods[m]; ok {
			allow = append(allow, m)
		}
	}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := methods[r.Method]
		if !ok {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			e := oauth.New(oauth.InvalidRequest, "use "+strings.Join(allow, " or "))
			e.Status = http.StatusMethodNotAllowed
			oauth.Write(w, r, s.opts.Log, e)
			return
		}
		if err := f(w, r); err != nil {
			oauth.Write(w, r, s.opts.Log, err)
		}
	})
	if public {
		h = PublicCORS(h)
	} else {
		h = RegisteredCORS(s.origins.Allowed)(h)
	}
	mux.Handle(pattern, h)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	wk := s.fhirPath
	s.route(mux, wk+SMARTConfigurationPath, true, map[string]handlerFunc{http.MethodGet: s.document(s.smartDoc)})
	s.route(mux, wk+OpenIDConfigurationPath, true, map[string]handlerFunc{http.MethodGet: s.document(s.oidcDoc)})
	a := s.basePath
	s.route(mux, a+jwksPath, true, map[string]handlerFunc{http.MethodGet: s.jwks})
	s.route(mux, a+tokenPath, false, map[string]handlerFunc{http.MethodPost: s.token})
	s.route(mux, a+introspectPath, false, map[string]handlerFunc{http.MethodPost: s.introspect})
	s.route(mux, a+revokePath, false, map[string]handlerFunc{http.MethodPost: s.revoke})
	s.route(mux, a+registerPath, false, map[string]handlerFunc{http.MethodPost: s.register})
	s.route(mux, a+registerPath+"/{client_id}", false, map[string]handlerFunc{
		http.MethodGet: s.readClient, http.MethodPut: s.updateClient, http.MethodDelete: s.deleteClient,
	})
	return mux
}

// writeJSON writes a successful response with the no-store headers that
// token, introspection and registration responses need (RFC 6749 §5.1,
// RFC 7591 §3.2.1).
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return oauth.Internal(err)
	}
	h := w.Header()
	oauth.NoStore(h)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
	return nil
}
