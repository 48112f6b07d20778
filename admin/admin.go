package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"smartd/apps/registry"
	"smartd/authz/keys"
	"smartd/authz/oauth"
)

// Options configure New.
type Options struct {
	// Apps is the app registry (required).
	Apps *registry.Store
	// Keys are the signing keys (required).
	Keys *keys.Keys
	// Token is the admin bearer token (required, at least 16 bytes).
	Token string
	// Log receives server errors; nil discards them.
	Log *slog.Logger
	// Audit is the audit trail GET /audit queries; nil answers 404.
	Audit AuditTrail
	// Now is the clock for relative times (since=1h); nil means time.Now.
	Now func() time.Time
	// Users are the login accounts the /users endpoints manage; nil
	// answers them 404.
	Users Users
	// Sessions, when set, ends a removed account's login sessions.
	Sessions SessionEnder
}

// maxBody bounds request bodies; an export of many apps fits easily.
const maxBody = 16 << 20

// API is the admin API's handler.
type API struct {
	apps      *registry.Store
	keys      *keys.Keys
	tokenHash [sha256.Size]byte
	log       *slog.Logger
	audit     AuditTrail
	now       func() time.Time
	users     Users
	sessions  SessionEnder
	mux       *http.ServeMux
}

// New checks opts and builds the API. Its paths are relative to where it
// is mounted: strip the prefix (http.StripPrefix) before it.
func New(opts Options) (*API, error) {
	if opts.Apps == nil || opts.Keys == nil {
		return nil, errors.New("admin: Apps and Keys are required")
	}
	if len(opts.Token) < 16 {
		return nil, errors.New("admin: the admin token must be at least 16 characters")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &API{apps: opts.Apps, keys: opts.Keys, tokenHash: sha256.Sum256([]byte(opts.Token)), log: opts.Log,
		audit: opts.Audit, now: opts.Now, users: opts.Users, sessions: opts.Sessions}
	m := http.NewServeMux()
	m.HandleFunc("GET /apps", a.handle(a.listApps))
	m.HandleFunc("POST /apps", a.handle(a.createApp))
	m.HandleFunc("GET /apps/export", a.handle(a.exportApps))
	m.HandleFunc("POST /apps/import", a.handle(a.importApps))
	m.HandleFunc("GET /apps/{client_id}", a.handle(a.getApp))
	m.HandleFunc("PUT /apps/{client_id}", a.handle(a.updateApp))
	m.HandleFunc("DELETE /apps/{client_id}", a.handle(a.deleteApp))
	m.HandleFunc("POST /apps/{client_id}/secret", a.handle(a.rotateSecret))
	m.HandleFunc("GET /keys", a.handle(a.listKeys))
	m.HandleFunc("POST /keys/rotate", a.handle(a.rotateKeys))
	m.HandleFunc("GET /audit", a.handle(a.queryAudit))
	m.HandleFunc("GET /users", a.handle(a.listUsers))
	m.HandleFunc("POST /users", a.handle(a.createUser))
	m.HandleFunc("GET /users/{username}", a.handle(a.getUser))
	m.HandleFunc("DELETE /users/{username}", a.handle(a.deleteUser))
	m.HandleFunc("/", a.handle(func(http.ResponseWriter, *http.Request) error {
		e := oauth.New("not_found", "no such admin endpoint or method")
		e.Status = http.StatusNotFound
		return e
	}))
	a.mux = m
	return a, nil
}

// ServeHTTP authenticates the request and serves it.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// handle wraps an endpoint: the bearer token first, then the endpoint,
// whose error is written as OAuth JSON.
func (a *API) handle(f func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := a.authenticate(r)
		if err == nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			err = f(w, r)
		}
		if err != nil {
			oauth.Write(w, r, a.log, err)
		}
	}
}

// authenticate checks the bearer token (RFC 6750 §2.1, §3.1).
func (a *API) authenticate(r *http.Request) error {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		e := oauth.New(oauth.InvalidRequest, "the admin API needs Authorization: Bearer <admin token>")
		e.Status, e.Challenge = http.StatusUnauthorized, `Bearer realm="smartd admin"`
		return e
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	if subtle.ConstantTimeCompare(got[:], a.tokenHash[:]) != 1 {
		e := oauth.New(oauth.InvalidToken, "the admin token is not valid")
		e.Challenge = "Bearer"
		return e
	}
	return nil
}

// writeJSON writes a success response, not to be cached.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return oauth.Internal(err)
	}
	oauth.NoStore(w.Header())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}

// registryError maps the registry's errors to statuses.
func registryError(err error) error {
	var v *registry.ValidationError
	switch {
	case errors.As(err, &v):
		return oauth.New(oauth.Code(v.Code()), v.Error())
	case errors.Is(err, registry.ErrNotFound):
		e := oauth.New("not_found", err.Error())
		e.Status = http.StatusNotFound
		return e
	case errors.Is(err, registry.ErrExists):
		e := oauth.New("conflict", err.Error())
		e.Status = http.StatusConflict
		return e
	case errors.Is(err, registry.ErrNoSecret):
		return oauth.New(oauth.InvalidRequest, err.Error())
	}
	return oauth.Internal(err)
}

// KeyInfo is one signing key as GET /keys shows it.
type KeyInfo struct {
	Kid     string     `json:"kid"`
	Alg     string     `json:"alg"`
	Created time.Time  `json:"created"`
	Retired *time.Time `json:"retired,omitempty"`
	Expires *time.Time `json:"expires,omitempty"`
	Current bool       `json:"current"`
}

func (a *API) listKeys(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, keyInfos(a.keys.List()))
}

func (a *API) rotateKeys(w http.ResponseWriter, _ *http.Request) error {
	if err := a.keys.Rotate(); err != nil {
		return oauth.Internal(err)
	}
	a.log.Info("admin: rotated the signing keys")
	return writeJSON(w, http.StatusOK, keyInfos(a.keys.List()))
}

func keyInfos(in []keys.Info) []KeyInfo {
	out := make([]KeyInfo, 0, len(in))
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	for _, k := range in {
		out = append(out, KeyInfo{Kid: k.Kid, Alg: k.Alg, Created: k.Created, Retired: opt(k.Retired), Expires: opt(k.Expires), Current: k.Current})
	}
	return out
}
