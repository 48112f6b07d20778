package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"smartd/authz"
	"smartd/server"
)

type serveConfig struct {
	dataFlags
	tlsCert, tlsKey string
	maxBodyMB       int64
	logLevel        string
	noSamples       bool
	noDemoApps      bool
	adminToken      string

	allowPrivateJWKSURI bool
	registration        string
	registrationToken   string
	accessTokenLifetime time.Duration
	userTokenLifetime   time.Duration

	upstream, upstreamToken, upstreamClientID, upstreamKey, upstreamScope string

	sandbox     bool
	sandboxUser string

	conformanceTargets string
}

func serveFlags(out io.Writer) (*flag.FlagSet, *serveConfig) {
	c := &serveConfig{}
	fs := newFlagSet("serve", "smartd [serve] [flags]", out)
	c.dataFlags.register(fs)
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate `file` (PEM); with -tls-key, serve HTTPS with TLS 1.2+ (env SMARTD_TLS_CERT)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key `file` (PEM) (env SMARTD_TLS_KEY)")
	fs.Int64Var(&c.maxBodyMB, "max-body-mb", 128, "largest request body in `MiB` (env SMARTD_MAX_BODY_MB)")
	fs.StringVar(&c.logLevel, "log-level", "info", "log `level`: debug, info, warn or error (env SMARTD_LOG_LEVEL)")
	fs.BoolVar(&c.noSamples, "no-samples", false, "do not load the sample patients into an empty store (env SMARTD_NO_SAMPLES)")
	fs.BoolVar(&c.noDemoApps, "no-demo-apps", false, "do not register the demo clients (demo-backend, demo-public) in a new data directory (env SMARTD_NO_DEMO_APPS)")
	fs.StringVar(&c.adminToken, "admin-token", "", "bearer `token` of the admin API (at least 16 characters); default: generated into <data>/admin-token; prefer the environment variable (env SMARTD_ADMIN_TOKEN)")
	fs.BoolVar(&c.allowPrivateJWKSURI, "allow-private-jwks-uri", false, "development only: accept and fetch client jwks_uri on loopback and private addresses, over http (env SMARTD_ALLOW_PRIVATE_JWKS_URI)")
	fs.StringVar(&c.registration, "registration", "open", "dynamic client registration `policy`: open (rate-limited; a sandbox setting), token (needs SMARTD_REGISTRATION_TOKEN) or closed (env SMARTD_REGISTRATION)")
	fs.StringVar(&c.registrationToken, "registration-token", "", "initial access `token` for -registration token; prefer the environment variable, which ps does not show (env SMARTD_REGISTRATION_TOKEN)")
	fs.DurationVar(&c.accessTokenLifetime, "access-token-lifetime", authz.MaxAccessTokenLifetime, "Backend Services access token `lifetime`, at most 5m (env SMARTD_ACCESS_TOKEN_LIFETIME)")
	fs.DurationVar(&c.userTokenLifetime, "user-access-token-lifetime", authz.DefaultUserAccessTokenLifetime, "`lifetime` of the access tokens of a user's launch, at most 24h (env SMARTD_USER_ACCESS_TOKEN_LIFETIME)")
	fs.StringVar(&c.upstream, "upstream", "", "FHIR base `URL` of an existing FHIR server to front: /fhir forwards there, with SMART enforcement and filtered responses, instead of serving the store (env SMARTD_UPSTREAM)")
	fs.StringVar(&c.upstreamToken, "upstream-token", "", "static bearer `token` smartd sends to the upstream; prefer the environment variable (env SMARTD_UPSTREAM_TOKEN)")
	fs.StringVar(&c.upstreamClientID, "upstream-client-id", "", "backend services `client_id` of smartd at the upstream's authorization server, with -upstream-key (env SMARTD_UPSTREAM_CLIENT_ID)")
	fs.StringVar(&c.upstreamKey, "upstream-key", "", "PEM private key `file` (RSA or P-384) signing smartd's client assertions to the upstream (env SMARTD_UPSTREAM_KEY)")
	fs.StringVar(&c.upstreamScope, "upstream-scope", "system/*.rs", "`scope` smartd requests from the upstream's authorization server (env SMARTD_UPSTREAM_SCOPE)")
	fs.BoolVar(&c.sandbox, "sandbox", false, "sandbox only, weakens security on purpose: launch simulation for apps an administrator opted in (errors on purpose, skip login and consent) (env SMARTD_SANDBOX)")
	fs.StringVar(&c.conformanceTargets, "conformance-targets", "", "comma-separated FHIR base `URLs` (and what lies below them), besides this server's, that the conformance page may test; '*' for any, only with -sandbox (env SMARTD_CONFORMANCE_TARGETS)")
	fs.StringVar(&c.sandboxUser, "sandbox-user", "", "`username` a standalone launch simulating skip login signs in as, with -sandbox (env SMARTD_SANDBOX_USER)")
	return fs, c
}

func (cl *cli) serve(ctx context.Context, args []string) error {
	stdout, stderr := cl.stdout, cl.stderr
	fs, c := serveFlags(stderr)
	if err := parse(fs, args, cl.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("-log-level: %v", err)
	}
	policy, err := authz.ParseRegistrationPolicy(c.registration)
	if err != nil {
		return fmt.Errorf("-registration: %v", err)
	}
	if policy == authz.RegistrationToken && c.registrationToken == "" {
		return fmt.Errorf("-registration token needs the initial access token in SMARTD_REGISTRATION_TOKEN")
	}
	if c.userTokenLifetime < time.Second || c.userTokenLifetime > authz.MaxUserAccessTokenLifetime {
		return fmt.Errorf("-user-access-token-lifetime %v is not between 1s and %v", c.userTokenLifetime, authz.MaxUserAccessTokenLifetime)
	}
	if c.accessTokenLifetime < time.Second || c.accessTokenLifetime > authz.MaxAccessTokenLifetime {
		return fmt.Errorf("-access-token-lifetime %v is not between 1s and %v", c.accessTokenLifetime, authz.MaxAccessTokenLifetime)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if c.allowPrivateJWKSURI {
		log.Warn("-allow-private-jwks-uri is set: clients may make this server fetch from loopback and private addresses; use it for development only")
	}
	if c.sandbox {
		log.Warn("-sandbox is set: apps that opt in may simulate errors, skip login and skip consent; never use it where the data matter", "sandbox_user", c.sandboxUser)
	} else if c.sandboxUser != "" {
		return fmt.Errorf("-sandbox-user needs -sandbox")
	}
	// Listen first, so that a port of 0 and the base URL agree.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	base := c.baseURL
	if base == "" {
		base = server.DefaultBaseURL(ln.Addr().String(), c.tlsCert != "")
	}
	srv, err := server.New(server.Config{
		Addr: ln.Addr().String(), DataDir: c.data, BaseURL: base, TLSCert: c.tlsCert, TLSKey: c.tlsKey,
		MaxBody: c.maxBodyMB << 20, NoSamples: c.noSamples, Log: log, Version: version,
		AllowPrivateJWKSURI: c.allowPrivateJWKSURI, Registration: policy, RegistrationToken: c.registrationToken,
		AccessTokenLifetime: c.accessTokenLifetime, UserAccessTokenLifetime: c.userTokenLifetime, KeyPassphrase: cl.getenv("SMARTD_KEY_PASSPHRASE"),
		NoDemoApps: c.noDemoApps, AdminToken: c.adminToken,
		Upstream: c.upstream, UpstreamToken: c.upstreamToken, UpstreamClientID: c.upstreamClientID,
		UpstreamKeyFile: c.upstreamKey, UpstreamScope: c.upstreamScope,
		Sandbox: c.sandbox, SandboxUser: c.sandboxUser, ConformanceTargets: splitList(c.conformanceTargets),
	})
	if err != nil {
		ln.Close()
		return err
	}
	base = srv.BaseURL()
	fmt.Fprintf(stdout, "smartd %s listening on %s\n", version, ln.Addr())
	fmt.Fprintf(stdout, "  FHIR base:   %s/fhir\n", base)
	if c.upstream != "" {
		fmt.Fprintf(stdout, "  upstream:    %s\n", c.upstream)
	}
	fmt.Fprintf(stdout, "  metadata:    %s/fhir/metadata\n", base)
	fmt.Fprintf(stdout, "  discovery:   %s/fhir%s\n", base, authz.SMARTConfigurationPath)
	fmt.Fprintf(stdout, "  token:       %s\n", srv.Authz().TokenURL())
	if u := srv.Authz().RegisterURL(); u != "" {
		fmt.Fprintf(stdout, "  register:    %s (%s)\n", u, policy)
	}
	fmt.Fprintf(stdout, "  health:      %s/healthz\n", base)
	fmt.Fprintf(stdout, "  EHR view:    %s/ehr/ (demo clinician dr.morgan / morgan-demo-2026)\n", base)
	fmt.Fprintf(stdout, "  sample app:  %s/sample-app/\n", base)
	fmt.Fprintf(stdout, "  apps:        %s/apps/ (demo developer dev / dev-demo-2026)\n", base)
	fmt.Fprintf(stdout, "  conformance: %s/conformance/\n", base)
	if f := srv.AdminTokenFile(); f != "" {
		fmt.Fprintf(stdout, "  admin API:   %s%s (bearer token in %s)\n", base, server.AdminAPIPrefix, f)
	} else {
		fmt.Fprintf(stdout, "  admin API:   %s%s (bearer token from -admin-token)\n", base, server.AdminAPIPrefix)
	}
	fmt.Fprintf(stdout, "  data:        %s\n", c.data)
	if c.sandbox {
		fmt.Fprintf(stdout, "  sandbox:     launch simulation on (apps with allow_simulation)\n")
	}
	return srv.Run(ctx, ln)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
