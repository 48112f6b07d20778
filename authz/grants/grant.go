package grants

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"smartd/launch/simulation"
)

// Grant is what a user approved for a client in one authorization: the
// granted scope and the launch context (SMART App Launch 2.2, "Launch
// context arrives with your access_token").
type Grant struct {
	// ID identifies the grant; IssueCode sets a random one when empty.
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	// User is the subject who approved (the fhirUser or a login id).
	User string `json:"user"`
	// Scope is the granted scope, space-separated.
	Scope   string        `json:"scope"`
	Context LaunchContext `json:"context"`
	// Nonce is the OpenID Connect nonce of the authorization request, for
	// the id_token; IssueCode sets it.
	Nonce string `json:"nonce,omitempty"`
	// SessionID is the user's login session at the server.
	SessionID string `json:"session_id,omitempty"`
	// Offline is true when offline_access was granted: the grant outlives
	// the session. Otherwise it ends with it (online_access).
	Offline bool `json:"offline"`
	// Created is when the user approved; IssueCode sets it when zero.
	Created time.Time `json:"created"`
	// Expires bounds every refresh token of the grant; zero means no
	// bound beyond each token's lifetime.
	Expires time.Time `json:"expires,omitzero"`
	// Simulate is the launch simulation in effect when the grant was
	// approved (sandbox only, package simulation), for the token endpoint
	// and the FHIR API to apply; nil for none.
	Simulate *simulation.Options `json:"simulate,omitempty"`
}

// LaunchContext is the context returned beside the access token (SMART
// App Launch 2.2, "Launch context arrives with your access_token").
type LaunchContext struct {
	Patient           string          `json:"patient,omitempty"`
	Encounter         string          `json:"encounter,omitempty"`
	FHIRContext       json.RawMessage `json:"fhirContext,omitempty"`
	NeedPatientBanner bool            `json:"need_patient_banner,omitempty"`
	SMARTStyleURL     string          `json:"smart_style_url,omitempty"`
	Intent            string          `json:"intent,omitempty"`
	Tenant            string          `json:"tenant,omitempty"`
}

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of codes, tokens and grant ids; nil means
	// crypto/rand.Reader.
	Rand io.Reader
	// SessionAlive reports whether a login session is still open. It is
	// asked when a refresh token of a grant without offline access is
	// rotated, inside a bbolt transaction, so it must not use this
	// database. Nil means sessions never end.
	SessionAlive func(sessionID string) bool
	// RevokedRetention is how long a revoked grant without Expires is
	// remembered: at least the lifetime of its access tokens. Zero means
	// 24 hours.
	RevokedRetention time.Duration
}

// Lifetimes and sweeping (see the package doc).
const (
	// CodeLifetime is how long an authorization code may be redeemed.
	CodeLifetime = 60 * time.Second
	// tombstoneTTL is how long a redeemed code is remembered, to detect
	// its reuse, and how long a redeemed grant stays in memory for
	// IssueRefresh.
	tombstoneTTL = 10 * time.Minute
	// sweepInterval is how often IssueCode drops expired entries.
	sweepInterval = 30 * time.Second
	codeShards    = 64
)

// Bucket names, created by Open and owned by this package.
var (
	// bucketGrants: grant id -> JSON Grant, for grants with refresh tokens.
	bucketGrants = []byte("authz.grants")
	// bucketRefresh: SHA-256 of the token -> JSON refreshRecord.
	bucketRefresh = []byte("authz.refresh")
	// bucketRevoked: grant id -> until (8 bytes, big-endian Unix seconds).
	bucketRevoked = []byte("authz.grants.revoked")
)

// Store holds codes in memory and refresh tokens in bbolt. It is safe for
// concurrent use; it starts no goroutine and needs no Close.
type Store struct {
	db   *bolt.DB
	opts Options

	codes [codeShards]codeShard

	mu       sync.RWMutex
	revoked  map[string]time.Time // grant id -> until
	redeemed map[string]redeemed  // grant id -> grant, for IssueRefresh

	sweepMu   sync.Mutex
	lastSweep time.Time
}

type redeemed struct {
	grant Grant
	until time.Time
}

// Open creates the buckets of db and loads the revoked grants still in
// force.
func Open(db *bolt.DB, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.RevokedRetention <= 0 {
		opts.RevokedRetention = 24 * time.Hour
	}
	s := &Store{db: db, opts: opts, revoked: map[string]time.Time{}, redeemed: map[string]redeemed{}, lastSweep: opts.Now()}
	for i := range s.codes {
		s.codes[i].m = map[digest]*codeEntry{}
	}
	now := opts.Now()
	err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketGrants, bucketRefresh, bucketRevoked} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketRevoked).ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("corrupt revoked grant record %q", k)
			}
			if until := time.Unix(int64(binary.BigEndian.Uint64(v)), 0); until.After(now) {
				s.revoked[string(k)] = until
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("grants: open: %w", err)
	}
	return s, nil
}

// Revoked reports whether the grant was revoked (a reused code or refresh
// token, or RevokeRefresh): the access tokens issued from it must stop
// working. It does no I/O.
func (s *Store) Revoked(grantID string) bool {
	s.mu.RLock()
	until, ok := s.revoked[grantID]
	s.mu.RUnlock()
	return ok && until.After(s.opts.Now())
}

// revokeUntil is how long a revocation of g must be remembered.
func (s *Store) revokeUntil(g Grant, now time.Time) time.Time {
	until := now.Add(s.opts.RevokedRetention)
	if !g.Expires.IsZero() && g.Expires.After(until) {
		until = g.Expires
	}
	return until.Truncate(time.Second).Add(time.Second)
}

// putRevoked records the revocation in tx; markRevoked, after the
// transaction commits, in memory.
func putRevoked(tx *bolt.Tx, grantID string, until time.Time) error {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(until.Unix()))
	return tx.Bucket(bucketRevoked).Put([]byte(grantID), v[:])
}

func (s *Store) markRevoked(grantID string, until time.Time) {
	s.mu.Lock()
	if until.After(s.revoked[grantID]) {
		s.revoked[grantID] = until
	}
	delete(s.redeemed, grantID)
	s.mu.Unlock()
}

// revoke revokes a grant durably, then in memory.
func (s *Store) revoke(g Grant) error {
	until := s.revokeUntil(g, s.opts.Now())
	err := s.db.Batch(func(tx *bolt.Tx) error { return putRevoked(tx, g.ID, until) })
	if err != nil {
		return fmt.Errorf("grants: revoke: %w", err)
	}
	s.markRevoked(g.ID, until)
	return nil
}

// digest is the SHA-256 of a code or refresh token: only digests are kept.
type digest [32]byte

func digestOf(secret string) digest { return sha256.Sum256([]byte(secret)) }

// secret returns n random bytes, base64url without padding.
func (s *Store) secret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.opts.Rand, b); err != nil {
		return "", fmt.Errorf("grants: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

var errCorrupt = errors.New("grants: corrupt record")
