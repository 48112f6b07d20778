package server

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"smartd/authz"
	"smartd/authz/scope"
	"smartd/fhirproxy"
	"smartd/users"
)

// maxCachedTokens bounds the verified-token cache; past it, expired
// entries are swept, and if none were, the cache starts afresh.
const maxCachedTokens = 100_000

// tokenVerifier is what bearer needs from the authorization server.
type tokenVerifier interface {
	ParseAccessToken(token string) (*authz.AccessTokenClaims, error)
	TokenRevoked(c *authz.AccessTokenClaims) bool
}

// bearer authenticates FHIR requests by their access token. A verified
// token is remembered, keyed by the whole token string (never by its jti
// or kid: a token whose signature was tampered with is a different key,
// is verified, and fails), until it expires; revocation is checked on
// every request, from memory. The per-request cost of a known token is a
// map lookup (the map hashes and compares the whole token) and the scope
// decision. A SHA-256 key would cost about 1.5 µs more per request for
// the same exactness.
type bearer struct {
	verify tokenVerifier
	// userPatient resolves the patient a RelatedPerson acts for.
	userPatient func(relatedPerson string) (string, error)
	base        string // FHIR base, stripped from fhirUser
	now         func() time.Time
	// trusted is the admin token: presented as a bearer token it takes
	// the trusted path, which sees everything (admins and benchmarks).
	trusted string
	// sandbox applies the launch simulation tokens carry (Config.Sandbox).
	sandbox bool

	mu    sync.RWMutex
	known map[string]*verified
}

// verified is a remembered token.
type verified struct {
	claims *authz.AccessTokenClaims
	access *fhirproxy.Access
	exp    time.Time
	// limit counts the token's requests when launch simulation refuses
	// them past a number; nil for every other token.
	limit *requestLimit
}

func newBearer(v tokenVerifier, base, trusted string, userPatient func(string) (string, error), now func() time.Time) *bearer {
	if now == nil {
		now = time.Now
	}
	return &bearer{verify: v, base: strings.TrimSuffix(base, "/"), trusted: trusted, userPatient: userPatient, now: now, known: map[string]*verified{}}
}

// authenticate implements fhirproxy.Options.Authenticate.
func (b *bearer) authenticate(r *http.Request) (*fhirproxy.Access, error) {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		if r.Header.Get("Authorization") != "" {
			return nil, fhirproxy.Unauthorized("the Authorization header must be \"Bearer <access token>\"")
		}
		return nil, fhirproxy.Unauthorized("")
	}
	if b.trusted != "" && subtle.ConstantTimeCompare([]byte(token), []byte(b.trusted)) == 1 {
		return nil, nil
	}
	return b.access(token)
}

// access returns what token allows, verifying it on first sight.
func (b *bearer) access(token string) (*fhirproxy.Access, error) {
	key := token
	now := b.now()
	b.mu.RLock()
	v := b.known[key]
	b.mu.RUnlock()
	if v == nil {
		var err error
		if v, err = b.first(token); err != nil {
			return nil, err
		}
		b.remember(key, v, now)
	}
	switch {
	case !now.Before(v.exp):
		b.mu.Lock()
		delete(b.known, key)
		b.mu.Unlock()
		return nil, fhirproxy.Unauthorized(authz.ErrTokenExpired.Error())
	case b.verify.TokenRevoked(v.claims):
		return nil, fhirproxy.Unauthorized("the access token has been revoked")
	}
	if v.limit != nil {
		if err := v.limit.take(); err != nil {
			return nil, err
		}
	}
	return v.access, nil
}

// first verifies a token not seen before and works out what it allows.
func (b *bearer) first(token string) (*verified, error) {
	c, err := b.verify.ParseAccessToken(token)
	if err != nil {
		if errors.Is(err, authz.ErrTokenExpired) || errors.Is(err, authz.ErrTokenInvalid) {
			return nil, fhirproxy.Unauthorized(err.Error())
		}
		return nil, err
	}
	scopes, err := scope.Parse(c.Scope)
	if err != nil {
		return nil, fhirproxy.Unauthorized("the access token's scope is malformed")
	}
	a := &fhirproxy.Access{Scopes: scopes, Patient: c.Patient, FHIRUser: strings.TrimPrefix(c.FHIRUser, b.base+"/"),
		ClientID: c.ClientID, Subject: c.Subject, Scope: c.Scope}
	if c.Grant != "" { // a user's token: sub is the user's resource
		switch typ, id, _ := strings.Cut(c.Subject, "/"); typ {
		case "Practitioner", "PractitionerRole":
			a.UserAll = true // a clinician sees every patient (this sandbox's policy)
		case "Patient":
			a.UserPatient = id
		case "RelatedPerson":
			if a.UserPatient, err = b.userPatient(c.Subject); err != nil {
				return nil, err
			}
		}
	}
	return &verified{claims: c, access: a, exp: c.ExpiresAt.Time, limit: b.requestLimit(c)}, nil
}

// remember caches v, sweeping expired entries when the cache is full.
func (b *bearer) remember(key string, v *verified, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.known) >= maxCachedTokens {
		for k, old := range b.known {
			if !now.Before(old.exp) {
				delete(b.known, k)
			}
		}
		if len(b.known) >= maxCachedTokens {
			clear(b.known)
		}
	}
	b.known[key] = v
}

// bearerToken extracts the token of an "Authorization: Bearer" header
// (RFC 6750 §2.1; the scheme is case-insensitive).
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// relatedPatient returns the id of the patient a RelatedPerson user acts
// for: the link vetted on their login account (users.User.Patient), never
// the RelatedPerson resource's own patient reference, which anyone with
// write access to RelatedPerson could change. "" when no account links
// one.
func (s *Server) relatedPatient(ref string) (string, error) {
	all, err := s.users.List()
	if err != nil {
		return "", err
	}
	for _, u := range all {
		if u.FHIRUser == ref && u.Role == users.Patient && u.Patient != "" && !u.Disabled {
			return u.Patient, nil
		}
	}
	return "", nil
}
