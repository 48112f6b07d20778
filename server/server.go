package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"smartd/admin"
	"smartd/apps/registry"
	"smartd/audit"
	"smartd/authorize"
	"smartd/authz"
	"smartd/authz/clientauth"
	"smartd/authz/grants"
	"smartd/authz/keys"
	"smartd/authz/scope"
	"smartd/conformanceui"
	"smartd/ehr"
	"smartd/fhirproxy"
	"smartd/fhirproxy/store"
	"smartd/launch"
	"smartd/sampleapp"
	"smartd/sessions"
	"smartd/testdata/bundles"
	"smartd/ui"
	"smartd/users"
)

// Config is what New needs. Zero values have the documented defaults.
type Config struct {
	// Addr is the listen address; "" means 127.0.0.1:8080.
	Addr string
	// DataDir holds the store file; "" means ./data.
	DataDir string
	// BaseURL is the public URL of the server, used in links and as the
	// token audience; "" derives it from Addr (and TLS).
	BaseURL string
	// TLSCert and TLSKey, both set, serve HTTPS (TLS 1.2 or later).
	TLSCert, TLSKey string
	// MaxBody bounds request bodies in bytes; zero means 128 MiB.
	MaxBody int64
	// NoSamples skips loading the sample patients into an empty store.
	NoSamples bool
	// Log receives the structured logs; nil discards them.
	Log *slog.Logger
	// Version names the build in the CapabilityStatement.
	Version string
	// Started is the CapabilityStatement's date; zero means the time New
	// runs (tests fix it for a golden file).
	Started time.Time

	// AllowPrivateJWKSURI lets apps register, and the token endpoint
	// fetch, a jwks_uri on a loopback or private address, over http
	// (development only: -allow-private-jwks-uri).
	AllowPrivateJWKSURI bool
	// Registration is the dynamic registration policy; "" means open.
	Registration authz.RegistrationPolicy
	// RegistrationToken is the initial access token the token
	// registration policy requires (SMARTD_REGISTRATION_TOKEN).
	RegistrationToken string
	// RegistrationPerMinute bounds open registrations per client address
	// and minute; zero means 10.
	RegistrationPerMinute int
	// AccessTokenLifetime is how long Backend Services access tokens
	// live; zero means five minutes, the most allowed.
	AccessTokenLifetime time.Duration
	// UserAccessTokenLifetime is how long the access tokens of a user's
	// launch live (authorization_code, refresh_token); zero means an hour.
	UserAccessTokenLifetime time.Duration
	// KeyPassphrase seals the signing keys at rest
	// (SMARTD_KEY_PASSPHRASE); "" stores them in the clear.
	KeyPassphrase string
	// Now is the authorization server's clock; nil means time.Now.
	Now func() time.Time

	// NoDemoApps skips registering the demo clients (demo-backend and
	// demo-public) on the first start in a new data directory.
	NoDemoApps bool
	// AdminToken is the admin API's bearer token (SMARTD_ADMIN_TOKEN);
	// "" reads it from AdminTokenFile in the data directory, which the
	// first start writes (0600).
	AdminToken string
	// NoDemoUsers skips creating the demo login accounts (users.SeedDemo)
	// on the first start in a new data directory.
	NoDemoUsers bool
	// AuditRetention is how long audit records are kept; zero means
	// audit.DefaultRetention (90 days), negative forever.
	AuditRetention time.Duration

	// Upstream, when set, is the FHIR base URL of an existing FHIR server
	// that smartd fronts (package fhirproxy/upstream): /fhir forwards
	// there, enforced and filtered, instead of serving the store, and the
	// sample patients are not loaded. The CapabilityStatement and the
	// SMART discovery documents stay smartd's own.
	Upstream string
	// UpstreamToken is a static bearer token for the upstream
	// (SMARTD_UPSTREAM_TOKEN).
	UpstreamToken string
	// UpstreamClientID and UpstreamKeyFile (a PEM private key, RSA or
	// P-384) make smartd a SMART Backend Services client of the upstream's
	// authorization server, found by its .well-known/smart-configuration;
	// UpstreamScope is the scope it requests, "" meaning system/*.rs.
	UpstreamClientID, UpstreamKeyFile, UpstreamScope string

	// Sandbox turns launch simulation on (-sandbox): apps that opt in
	// (registry.App.AllowSimulation, set by an administrator) may have
	// their launches fail on purpose, skip login and consent (package
	// simulation). It weakens security on purpose: sandboxes only.
	Sandbox bool
	// SandboxUser is the username a standalone launch that simulates
	// skip login signs in as (-sandbox-user); "" shows the login page.
	SandboxUser string

	// ConformanceTargets are the FHIR bases, besides this server's, that
	// the conformance page may test (-conformance-targets); "*" allows
	// any, only with Sandbox. Empty: this server only.
	ConformanceTargets []string
}

// Server is a configured smartd: its store and its router.
type Server struct {
	cfg     Config
	store   *store.Store
	fhir    *fhirproxy.Server
	apps    *registry.Store
	keys    *keys.Keys
	clients *clientauth.Authenticator
	grants  *grants.Store
	authz   *authz.Server
	admin   *admin.API
	// users, sessions and authorize serve the browser sign-in.
	users     *users.Store
	sessions  *sessions.Store
	authorize *authorize.Handler
	limiter   *sessions.Limiter
	// launches are the EHR launch contexts, issued by the EHR view and the
	// launch-context API and resolved by authorize.
	launches  *launch.Store
	ehr       *ehr.Handler
	launchAPI *launch.API
	// sampleApp is the SMART app smartd serves itself (sampleapp).
	sampleApp *sampleapp.Handler
	audit     *audit.Log
	router    *gin.Engine
	log       *slog.Logger
	// adminTokenFile is where the admin token is, "" when configured.
	adminTokenFile string
	// upstream serves /fhir in upstream proxy mode; nil serves the store.
	upstream http.Handler

	// conformanceUI runs the conformance suite from the browser.
	conformanceUI *conformanceui.Handler
}

// StoreFile is the name of the bbolt file in the data directory.
const StoreFile = "smartd.db"

// New opens the store in cfg.DataDir (failing at once if another process
// holds it), opens the app registry, signing keys, client authenticator
// and revocations over the same file, loads the sample patients when the
// store is empty, and builds the router.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL(cfg.Addr, cfg.TLSCert != "")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("-base-url %q is not an absolute URL", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimSuffix(u.String(), "/")
	dbFile := filepath.Join(cfg.DataDir, StoreFile)
	_, statErr := os.Stat(dbFile)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	st, err := store.Open(dbFile, store.Options{})
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: st, log: cfg.Log}
	s.launches = launch.New(launch.Options{Now: cfg.Now, Issued: s.auditLaunch})
	s.limiter = s.newLimiter()
	if err := s.openAudit(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.openAuthz(); err != nil {
		s.Close()
		return nil, err
	}
	if fresh && !cfg.NoDemoApps {
		if err := s.demoApps(); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.openLogin(fresh); err != nil {
		s.Close()
		return nil, err
	}
	token, tokenFile, err := adminToken(cfg)
	if err == nil {
		s.admin, err = admin.New(admin.Options{Apps: s.apps, Keys: s.keys, Token: token, Audit: s.audit, Now: cfg.Now, Log: cfg.Log,
			Users: s.users, Sessions: s.sessions})
	}
	if err == nil {
		err = s.openEHR(token)
	}
	if err == nil {
		err = s.openSampleApp(!fresh && !cfg.NoDemoApps)
	}
	if err == nil {
		err = s.openConformance(token)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.adminTokenFile = tokenFile
	auth := newBearer(s.authz, cfg.BaseURL+"/fhir", token, s.relatedPatient, cfg.Now)
	auth.sandbox = cfg.Sandbox
	s.fhir, err = fhirproxy.New(st, cfg.BaseURL+"/fhir", fhirproxy.Options{
		Log: cfg.Log, MaxBody: cfg.MaxBody, Version: cfg.Version, Started: cfg.Started,
		Authenticate: auth.authenticate,
		Audit:        s.auditFHIR,
		OAuth: &fhirproxy.OAuthURIs{
			Token: s.authz.TokenURL(), Authorize: s.authz.AuthorizeURL(), Register: s.authz.RegisterURL(),
			Introspect: s.authz.IntrospectURL(), Revoke: s.authz.RevokeURL(),
		},
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	if s.upstream, err = s.newUpstream(); err != nil {
		s.Close()
		return nil, err
	}
	if !cfg.NoSamples && cfg.Upstream == "" {
		if err := s.loadSamples(); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.router = s.routes()
	return s, nil
}

// openAuthz opens the authorization server's parts over the store's file:
// each owns its buckets.
func (s *Server) openAuthz() error {
	cfg, db := s.cfg, s.store.DB()
	var err error
	s.apps, err = registry.Open(db, registry.Options{
		Validate: registry.ValidateOptions{AllowPrivateJWKSURI: cfg.AllowPrivateJWKSURI}, Now: cfg.Now,
	})
	if err != nil {
		return err
	}
	if s.keys, err = keys.Open(db, keys.Options{Passphrase: cfg.KeyPassphrase, Now: cfg.Now}); err != nil {
		return err
	}
	s.clients, err = clientauth.New(s.apps, db, clientauth.Options{Now: cfg.Now, AllowPrivateJWKSURI: cfg.AllowPrivateJWKSURI})
	if err != nil {
		return err
	}
	revoked, err := authz.OpenRevocations(db, cfg.Now)
	if err != nil {
		return err
	}
	// The login sessions open before the grants: an online_access grant
	// ends with the session it was granted in (grants store
	// sessions.Digest of the session's ID, which Alive looks up).
	if err := s.openSessions(); err != nil {
		return err
	}
	if s.grants, err = grants.Open(db, grants.Options{Now: cfg.Now, SessionAlive: s.sessions.Alive}); err != nil {
		return err
	}
	s.authz, err = authz.New(authz.Options{
		BaseURL:                 cfg.BaseURL,
		Issuer:                  cfg.BaseURL + "/fhir",
		Apps:                    s.apps,
		Keys:                    s.keys,
		Clients:                 s.clients,
		Revocations:             revoked,
		Grants:                  s.grants,
		Authorize:               true,
		EHRLaunch:               true,
		AccessTokenLifetime:     cfg.AccessTokenLifetime,
		UserAccessTokenLifetime: cfg.UserAccessTokenLifetime,
		Registration:            cfg.Registration,
		RegistrationToken:       cfg.RegistrationToken,
		RegistrationPerMinute:   cfg.RegistrationPerMinute,
		Grant:                   s.authzGrantOptions(),
		Now:                     cfg.Now,
		Log:                     cfg.Log,
		Sandbox:                 cfg.Sandbox,
		Simulated:               s.auditSimulation,
	})
	return err
}

// authzGrantOptions is how requested scopes meet allowed ones: only the
// granular parameters the FHIR server enforces.
func (s *Server) authzGrantOptions() scope.GrantOptions {
	return scope.GrantOptions{Supports: SupportsScopeParam}
}

// DefaultBaseURL is the base URL a listen address implies: its host, or
// localhost for an unspecified one.
func DefaultBaseURL(addr string, tls bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	if port == "" {
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// loadSamples imports the embedded sample bundles into an empty store.
func (s *Server) loadSamples() error {
	empty, err := s.store.Empty()
	if err != nil || !empty {
		return err
	}
	for _, name := range bundles.Names() {
		body, err := fs.ReadFile(bundles.FS, name)
		if err != nil {
			return err
		}
		if _, _, err := s.fhir.Submit(body); err != nil {
			return fmt.Errorf("loading sample bundle %s: %w", name, err)
		}
	}
	counts, err := s.store.Counts()
	s.log.Info("loaded the sample patients", "resources", counts)
	return err
}

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode) // gin's mode is process-wide; debug mode prints every route
	r := gin.New()
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = false
	r.SetTrustedProxies(nil) // the peer address only: X-Forwarded-For is anyone's to forge
	r.Use(requestID(), accessLog(s.log), recovery(s.log))
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.ready)
	fhir := s.fhirRoutes()
	mount := s.fhir.Mount()
	r.Any(mount, fhir)
	r.Any(mount+"/*path", fhir)
	base, _ := url.Parse(s.cfg.BaseURL)
	r.Any(base.Path+authz.AuthPrefix+"/*path", gin.WrapH(s.auditOAuth(s.authRoutes())))
	r.GET(ui.StaticPrefix+"*path", gin.WrapH(ui.Static()))
	r.Any(base.Path+ehr.Prefix, gin.WrapH(s.ehr))
	r.Any(base.Path+ehr.Prefix+"/*path", gin.WrapH(s.ehr))
	r.Any(base.Path+"/launch/api/*path", gin.WrapH(s.launchAPI))
	r.Any(base.Path+sampleapp.Prefix, gin.WrapH(s.sampleApp))
	r.Any(base.Path+sampleapp.Prefix+"/*path", gin.WrapH(s.sampleApp))
	r.Any(base.Path+conformanceui.Prefix, gin.WrapH(s.conformanceUI))
	r.Any(base.Path+conformanceui.Prefix+"/*path", gin.WrapH(s.conformanceUI))
	s.mountConsole(r, base.Path) // /login, /logout, /apps/, /admin/ and the admin API below it
	r.GET("/", s.home)
	return r
}

// fhirRoutes dispatches below the FHIR base. gin cannot register
// /fhir/.well-known/... beside the /fhir/*path catch-all, so the SMART
// discovery documents are picked out here and go to the authorization
// server; every other path is the FHIR API. CORS: any origin may read the
// discovery documents and the CapabilityStatement, the origins of
// registered apps the rest (SMART App Launch 2.2, "Considerations for
// CORS support").
func (s *Server) fhirRoutes() gin.HandlerFunc {
	discovery := s.authz.Handler()
	metadata := authz.PublicCORS(s.fhir)
	var backend http.Handler = s.fhir
	if s.upstream != nil {
		backend = s.upstream
	}
	api := authz.RegisteredCORS(s.authz.Origins().Allowed)(backend)
	return func(c *gin.Context) {
		switch p := c.Param("path"); p {
		case authz.SMARTConfigurationPath, authz.OpenIDConfigurationPath:
			discovery.ServeHTTP(c.Writer, c.Request)
		case "/metadata", "/metadata/":
			metadata.ServeHTTP(c.Writer, c.Request)
		default:
			api.ServeHTTP(c.Writer, c.Request)
		}
	}
}

// ready reports whether the store answers.
func (s *Server) ready(c *gin.Context) {
	if _, err := s.store.Empty(); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// home lists the URLs that matter.
func (s *Server) home(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"name": "smartd", "fhir": s.fhir.Base(), "metadata": s.fhir.Base() + "/metadata"})
}

// Handler returns the router.
func (s *Server) Handler() http.Handler { return s.router }

// Store returns the store.
func (s *Server) Store() *store.Store { return s.store }

// FHIR returns the FHIR server.
func (s *Server) FHIR() *fhirproxy.Server { return s.fhir }

// BaseURL returns the public base URL.
func (s *Server) BaseURL() string { return s.cfg.BaseURL }

// Authz returns the authorization server.
func (s *Server) Authz() *authz.Server { return s.authz }

// Grants returns the store of authorization codes and refresh tokens
// (tests issue codes with it directly).
func (s *Server) Grants() *grants.Store { return s.grants }

// Sessions returns the login sessions (tests end one as a logout would).
func (s *Server) Sessions() *sessions.Store { return s.sessions }

// AdminAPIPrefix is where the admin API (package admin) is served, below
// the base URL.
const AdminAPIPrefix = "/admin/api"

// AdminTokenFile returns the file that holds the admin token, or "" when
// the token was configured (Config.AdminToken).
func (s *Server) AdminTokenFile() string { return s.adminTokenFile }

// Close flushes the client authenticator's replay cache and the login
// sessions, and closes the store.
func (s *Server) Close() error {
	var err error
	if s.clients != nil {
		err = s.clients.Close()
	}
	if s.sessions != nil {
		if cerr := s.sessions.Close(); err == nil {
			err = cerr
		}
	}
	if s.audit != nil {
		if cerr := s.audit.Close(); err == nil { // flushes the last records
			err = cerr
		}
	}
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Run serves on ln (or listens on cfg.Addr when ln is nil) until ctx is
// done, then shuts down gracefully: in-flight requests finish (within
// 30 s) and the store file is closed cleanly.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // a 60 MB transaction on a slow link
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(slogWriter{s.log}, "", 0),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
			return err
		}
	}
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}
