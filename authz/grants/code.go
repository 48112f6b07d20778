package grants

import (
	"errors"
	"sync"
	"time"
)

// codeEntry is a pending code or, once redeemed, its tombstone.
type codeEntry struct {
	grant       Grant // only ID is kept in a tombstone
	redirectURI string
	challenge   string
	expires     time.Time
	used        bool
	forgetAt    time.Time // for tombstones
}

type codeShard struct {
	mu sync.Mutex
	m  map[digest]*codeEntry
}

func (s *Store) codeShard(d digest) *codeShard { return &s.codes[d[0]%codeShards] }

// IssueCode returns a new authorization code for g (RFC 6749 §4.1.2): 32
// random bytes, base64url, redeemable once within CodeLifetime by
// g.ClientID with the same redirectURI and the verifier of challenge (an
// S256 code_challenge). It sets g.ID when empty, g.Created when zero and
// g.Nonce. Only the code's SHA-256 is kept, in memory (see the package
// doc): no I/O.
func (s *Store) IssueCode(g Grant, redirectURI, challenge, nonce string) (string, error) {
	if g.ClientID == "" {
		return "", errors.New("grants: IssueCode: the grant has no client_id")
	}
	if redirectURI == "" {
		return "", errors.New("grants: IssueCode: redirect_uri is empty")
	}
	if err := CheckChallenge(challenge, MethodS256); err != nil {
		return "", err
	}
	now := s.opts.Now()
	if g.ID == "" {
		id, err := s.secret(16)
		if err != nil {
			return "", err
		}
		g.ID = id
	}
	if g.Created.IsZero() {
		g.Created = now
	}
	g.Nonce = nonce
	code, err := s.secret(32)
	if err != nil {
		return "", err
	}
	s.maybeSweep(now)
	d := digestOf(code)
	sh := s.codeShard(d)
	sh.mu.Lock()
	sh.m[d] = &codeEntry{grant: g, redirectURI: redirectURI, challenge: challenge, expires: now.Add(CodeLifetime)}
	sh.mu.Unlock()
	return code, nil
}

// RedeemCode exchanges a code for its grant (RFC 6749 §4.1.3, RFC 7636
// §4.6). The check-and-consume is atomic: of concurrent redemptions one
// wins. The first attempt consumes the code whatever its outcome. Errors:
// ErrNotFound, ErrCodeReused (the grant is now revoked: revoke the tokens
// issued from it), ErrExpired, ErrClientMismatch, ErrRedirectMismatch and
// ErrPKCE, checked in that order.
func (s *Store) RedeemCode(code, clientID, redirectURI, verifier string) (Grant, error) {
	now := s.opts.Now()
	d := digestOf(code)
	sh := s.codeShard(d)
	sh.mu.Lock()
	e, ok := sh.m[d]
	if !ok {
		sh.mu.Unlock()
		return Grant{}, ErrNotFound
	}
	if e.used {
		g := e.grant
		sh.mu.Unlock()
		if err := s.revoke(g); err != nil {
			return Grant{}, errors.Join(ErrCodeReused, err)
		}
		return Grant{}, ErrCodeReused
	}
	pending := *e
	e.used = true
	e.grant = Grant{ID: e.grant.ID, Expires: e.grant.Expires}
	e.redirectURI, e.challenge = "", ""
	e.forgetAt = now.Add(tombstoneTTL)
	sh.mu.Unlock()

	switch {
	case !now.Before(pending.expires):
		return Grant{}, ErrExpired
	case clientID != pending.grant.ClientID:
		return Grant{}, ErrClientMismatch
	case redirectURI != pending.redirectURI:
		return Grant{}, ErrRedirectMismatch
	}
	if err := Verify(pending.challenge, verifier); err != nil {
		return Grant{}, err
	}
	s.mu.Lock()
	s.redeemed[pending.grant.ID] = redeemed{grant: pending.grant, until: now.Add(tombstoneTTL)}
	s.mu.Unlock()
	return pending.grant, nil
}

// maybeSweep drops expired codes, tombstones, redeemed grants and
// revocations from memory every sweepInterval. One caller sweeps; the
// others go on.
func (s *Store) maybeSweep(now time.Time) {
	if !s.sweepMu.TryLock() {
		return
	}
	defer s.sweepMu.Unlock()
	if now.Sub(s.lastSweep) < sweepInterval {
		return
	}
	s.lastSweep = now
	for i := range s.codes {
		sh := &s.codes[i]
		sh.mu.Lock()
		for d, e := range sh.m {
			if e.used && !now.Before(e.forgetAt) || !e.used && !now.Before(e.expires.Add(tombstoneTTL)) {
				delete(sh.m, d)
			}
		}
		sh.mu.Unlock()
	}
	s.mu.Lock()
	for id, r := range s.redeemed {
		if !now.Before(r.until) {
			delete(s.redeemed, id)
		}
	}
	for id, until := range s.revoked {
		if !until.After(now) {
			delete(s.revoked, id)
		}
	}
	s.mu.Unlock()
}

// codeCount is the number of codes and tombstones in memory, for tests.
func (s *Store) codeCount() int {
	n := 0
	for i := range s.codes {
		sh := &s.codes[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}
