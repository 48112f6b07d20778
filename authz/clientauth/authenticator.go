package clientauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"smartd/apps/registry"
	"smartd/authz/oauth"
)

// JWTBearer is the only client_assertion_type accepted (RFC 7523 §2.2).
const JWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Defaults for the zero Options.
const (
	defaultLeeway       = 60 * time.Second
	defaultFetchTimeout = 3 * time.Second
)

// Apps is what clientauth needs from the registry.
type Apps interface {
	// Get returns the app with this client_id, or an error wrapping
	// registry.ErrNotFound.
	Get(clientID string) (*registry.App, error)
}

var _ Apps = (*registry.Store)(nil)

// Options configure an Authenticator. The zero value is the production
// policy.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// HTTPClient fetches jwks_uri documents. Nil means a client with
	// timeouts, no proxy, and a dialer that refuses loopback, private,
	// link-local, shared (100.64/10) and multicast addresses unless
	// AllowPrivateJWKSURI. A caller's client is used as given: its dial
	// policy is the caller's.
	HTTPClient *http.Client
	// AllowPrivateJWKSURI lets the default client fetch from loopback and
	// private addresses, and over http (the development flag
	// -allow-private-jwks-uri; tests use 127.0.0.1).
	AllowPrivateJWKSURI bool
	// Leeway is the clock skew allowed on exp, iat and nbf; zero means 60 s.
	Leeway time.Duration
	// FetchTimeout bounds a whole jwks_uri fetch, and so the time a
	// request waits for one; zero means 3 s.
	FetchTimeout time.Duration
}

// Authenticator authenticates OAuth clients at the token, introspection
// and revocation endpoints. It is safe for concurrent use; Close it to
// flush the jti replay cache.
type Authenticator struct {
	apps   Apps
	now    func() time.Time
	leeway time.Duration
	inline *inlineKeys
	remote *jwksCache
	replay *replayCache

	closeOnce sync.Once
	closeErr  error
}

// New returns an Authenticator over the app registry and smartd's bbolt
// file, whose bucket "authz.jti" it creates and owns. It loads the
// unexpired jtis recorded there, so that a replay is refused across a
// restart.
func New(apps Apps, db *bolt.DB, opts Options) (*Authenticator, error) {
	if apps == nil || db == nil {
		return nil, errors.New("clientauth: New needs an app registry and a database")
	}
	a := &Authenticator{apps: apps, now: opts.Now, leeway: opts.Leeway, inline: newInlineKeys()}
	if a.now == nil {
		a.now = time.Now
	}
	if a.leeway <= 0 {
		a.leeway = defaultLeeway
	}
	timeout := opts.FetchTimeout
	if timeout <= 0 {
		timeout = defaultFetchTimeout
	}
	client := opts.HTTPClient
	if client == nil {
		client = newHTTPClient(opts.AllowPrivateJWKSURI, timeout)
	}
	a.remote = newJWKSCache(client, timeout, a.now, !opts.AllowPrivateJWKSURI)
	replay, err := openReplayCache(db, a.now)
	if err != nil {
		return nil, err
	}
	a.replay = replay
	return a, nil
}

// Close stops the background writer, waits for jwks_uri fetches in
// flight, and writes the jtis not yet stored. Call it once the last
// Authenticate has returned (Authenticate fails with server_error after
// it); calling it again returns the first result.
func (a *Authenticator) Close() error {
	a.closeOnce.Do(func() {
		a.remote.wait()
		a.closeErr = a.replay.close()
	})
	return a.closeErr
}

// Authenticate authenticates the client of a request to an endpoint. form
// is the parsed application/x-www-form-urlencoded body, header the request
// headers (for HTTP Basic). audiences are the URLs an assertion's aud may
// name at this endpoint: the token endpoint URL, and for introspection and
// revocation also the endpoint's own URL.
//
// It returns the authenticated app, or an *oauth.Error: invalid_request
// (400) for a malformed request (a parameter sent twice, two methods at
// once, a missing or wrong client_assertion_type), invalid_client (401)
// for a failed authentication, with Challenge "Basic" when the client
// tried HTTP Basic, and server_error for a registry failure. The
// description says which check failed.
func (a *Authenticator) Authenticate(ctx context.Context, form url.Values, header http.Header, audiences []string) (*registry.App, error) {
	for _, p := range []string{"client_id", "client_secret", "client_assertion", "client_assertion_type"} {
		if n := len(form[p]); n > 1 {
			return nil, invalidRequest("%s is sent %d times; send it once (RFC 6749 §3.2)", p, n)
		}
	}
	basic, err := parseBasic(header)
	if err != nil {
		return nil, err
	}
	formID := form.Get("client_id")
	secret := form.Get("client_secret")
	assertion, assertionType := form.Get("client_assertion"), form.Get("client_assertion_type")
	useAssertion := assertion != "" || assertionType != ""

	var methods []string
	if basic != nil {
		methods = append(methods, "HTTP Basic")
	}
	if secret != "" {
		methods = append(methods, "client_secret")
	}
	if useAssertion {
		methods = append(methods, "client_assertion")
	}
	if len(methods) > 1 {
		return nil, invalidRequest("the request authenticates the client with %s at once; use exactly one method (RFC 6749 §2.3)",
			strings.Join(methods, " and "))
	}

	switch {
	case useAssertion:
		return a.authenticateAssertion(ctx, formID, assertionType, assertion, audiences)
	case basic != nil:
		app, err := a.authenticateBasic(basic, formID)
		return app, challengeBasic(err)
	case secret != "":
		return a.authenticatePost(formID, secret)
	default:
		return a.authenticatePublic(formID)
	}
}

// lookup returns the registered app with this client_id. A client_id is
// not a secret (RFC 6749 §2.2), so saying that one is unknown reveals
// nothing that needs protecting; it is refused like any other failed
// authentication, with invalid_client and 401.
func (a *Authenticator) lookup(clientID, what string) (*registry.App, error) {
	app, err := a.apps.Get(clientID)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return nil, invalidClient("no client with client_id %s%s is registered", quote(clientID), what)
	case err != nil:
		return nil, oauth.Internal(fmt.Errorf("clientauth: looking up client %q: %w", clientID, err))
	}
	return app, nil
}

// howTo says how a client registered for method authenticates.
func howTo(method string) string {
	switch method {
	case registry.AuthNone:
		return "send only its client_id"
	case registry.AuthClientSecretBasic:
		return "authenticate with HTTP Basic (client_id:client_secret, RFC 6749 §2.3.1)"
	case registry.AuthClientSecretPost:
		return "send client_id and client_secret in the request body"
	case registry.AuthPrivateKeyJWT:
		return "send a client_assertion signed with one of its registered keys"
	}
	return "use its registered method"
}

func invalidClient(format string, args ...any) error {
	return oauth.New(oauth.InvalidClient, fmt.Sprintf(format, args...))
}

func invalidRequest(format string, args ...any) error {
	return oauth.New(oauth.InvalidRequest, fmt.Sprintf(format, args...))
}

// challengeBasic adds the Basic challenge RFC 6749 §5.2 asks for when a
// client that used HTTP Basic fails to authenticate.
func challengeBasic(err error) error {
	if err == nil {
		return nil
	}
	e := oauth.As(err)
	if e.Status == http.StatusUnauthorized {
		e.Challenge = "Basic"
	}
	return e
}

// maxQuoted bounds the part of a client-supplied value echoed in an
// error description.
const maxQuoted = 80

// quote quotes a client-supplied value for an error description,
// shortened to maxQuoted bytes.
func quote(s string) string {
	if len(s) > maxQuoted {
		return fmt.Sprintf("%q…", s[:maxQuoted])
	}
	return fmt.Sprintf("%q", s)
}
