package grants

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// refreshRecord is one refresh token, stored under its SHA-256.
type refreshRecord struct {
	GrantID  string        `json:"grant_id"`
	ClientID string        `json:"client_id"`
	Expires  time.Time     `json:"expires"`
	Lifetime time.Duration `json:"lifetime"`
	// Rotated is set when the token was exchanged for a new one: it no
	// longer works, and presenting it again revokes the grant.
	Rotated bool `json:"rotated,omitempty"`
}

// IssueRefresh returns a new refresh token for a grant redeemed from a
// code within the last minutes, or one that already has refresh tokens:
// 32 random bytes, base64url, valid for lifetime (capped by the grant's
// Expires). The grant and the token's SHA-256 are written with db.Batch.
// A revoked grant gets ErrRevoked; an unknown one ErrNotFound.
func (s *Store) IssueRefresh(grantID string, lifetime time.Duration) (string, error) {
	if lifetime <= 0 {
		return "", errors.New("grants: IssueRefresh: lifetime must be positive")
	}
	if s.Revoked(grantID) {
		return "", ErrRevoked
	}
	s.mu.RLock()
	r, inMemory := s.redeemed[grantID]
	s.mu.RUnlock()
	token, err := s.secret(32)
	if err != nil {
		return "", err
	}
	now := s.opts.Now()
	d := digestOf(token)
	var grantJSON []byte
	if inMemory {
		if grantJSON, err = json.Marshal(r.grant); err != nil {
			return "", fmt.Errorf("grants: %w", err)
		}
	}
	err = s.db.Batch(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketRevoked).Get([]byte(grantID)) != nil {
			return ErrRevoked
		}
		gb := tx.Bucket(bucketGrants)
		g := r.grant
		if inMemory {
			if err := gb.Put([]byte(grantID), grantJSON); err != nil {
				return err
			}
		} else {
			var err error
			if g, err = getGrant(tx, grantID); err != nil {
				return err
			}
		}
		rec := refreshRecord{GrantID: grantID, ClientID: g.ClientID, Expires: capExpiry(now.Add(lifetime), g), Lifetime: lifetime}
		return putRefresh(tx, d, rec)
	})
	if err != nil {
		if errors.Is(err, ErrRevoked) || errors.Is(err, ErrNotFound) {
			return "", err
		}
		return "", fmt.Errorf("grants: IssueRefresh: %w", err)
	}
	return token, nil
}

// RotateRefresh exchanges a refresh token presented by clientID for its
// grant and a new token with the same lifetime (RFC 6749 §6; RFC 9700
// §4.14.2). The old token stops working. Errors: ErrNotFound,
// ErrClientMismatch, ErrRevoked, ErrRefreshReused (a rotated token: the
// grant is now revoked), ErrExpired and ErrSessionEnded, checked in that
// order.
func (s *Store) RotateRefresh(token, clientID string) (Grant, string, error) {
	newToken, err := s.secret(32)
	if err != nil {
		return Grant{}, "", err
	}
	now := s.opts.Now()
	d, nd := digestOf(token), digestOf(newToken)
	var (
		g         Grant
		outcome   error
		revokedID string
		revokeAt  time.Time
	)
	// Batch may run the closure more than once: it sets every result.
	// Refusals that write (reuse) return nil so the write commits.
	err = s.db.Batch(func(tx *bolt.Tx) error {
		g, outcome, revokedID, revokeAt = Grant{}, nil, "", time.Time{}
		rec, err := clientRefresh(tx, d, clientID)
		if refusal(err) {
			outcome = err
			return nil
		}
		if err != nil {
			return err
		}
		if tx.Bucket(bucketRevoked).Get([]byte(rec.GrantID)) != nil {
			outcome = ErrRevoked
			return nil
		}
		grant, err := getGrant(tx, rec.GrantID)
		if err != nil {
			return err
		}
		switch {
		case rec.Rotated:
			revokedID, revokeAt = grant.ID, s.revokeUntil(grant, now)
			outcome = ErrRefreshReused
			return putRevoked(tx, grant.ID, revokeAt)
		case !now.Before(rec.Expires):
			outcome = ErrExpired
			return nil
		case !grant.Offline && s.opts.SessionAlive != nil && !s.opts.SessionAlive(grant.SessionID):
			outcome = ErrSessionEnded
			return nil
		}
		rec.Rotated = true
		if err := putRefresh(tx, d, rec); err != nil {
			return err
		}
		next := refreshRecord{GrantID: grant.ID, ClientID: clientID, Expires: capExpiry(now.Add(rec.Lifetime), grant), Lifetime: rec.Lifetime}
		g = grant
		return putRefresh(tx, nd, next)
	})
	if err != nil {
		return Grant{}, "", fmt.Errorf("grants: RotateRefresh: %w", err)
	}
	if revokedID != "" {
		s.markRevoked(revokedID, revokeAt)
	}
	if outcome != nil {
		return Grant{}, "", outcome
	}
	return g, newToken, nil
}

// RevokeRefresh revokes the grant of a refresh token presented by
// clientID (RFC 7009 §2.1: revoking a refresh token also ends the access
// tokens issued from its grant), durably before it returns. Errors:
// ErrNotFound, ErrClientMismatch.
func (s *Store) RevokeRefresh(token, clientID string) error {
	now := s.opts.Now()
	d := digestOf(token)
	var (
		outcome  error
		grantID  string
		revokeAt time.Time
	)
	err := s.db.Batch(func(tx *bolt.Tx) error {
		outcome, grantID, revokeAt = nil, "", time.Time{}
		rec, err := clientRefresh(tx, d, clientID)
		if refusal(err) {
			outcome = err
			return nil
		}
		if err != nil {
			return err
		}
		grant, err := getGrant(tx, rec.GrantID)
		if err != nil {
			return err
		}
		grantID, revokeAt = grant.ID, s.revokeUntil(grant, now)
		return putRevoked(tx, grantID, revokeAt)
	})
	if err != nil {
		return fmt.Errorf("grants: RevokeRefresh: %w", err)
	}
	if outcome != nil {
		return outcome
	}
	s.markRevoked(grantID, revokeAt)
	return nil
}

// capExpiry bounds a token's expiry by its grant's.
func capExpiry(t time.Time, g Grant) time.Time {
	if !g.Expires.IsZero() && g.Expires.Before(t) {
		return g.Expires
	}
	return t
}

// clientRefresh reads the refresh token record with digest d presented by
// clientID: ErrNotFound for an unknown token, ErrClientMismatch for another
// client's (a refusal, not a use: the token stays valid for its client).
func clientRefresh(tx *bolt.Tx, d digest, clientID string) (refreshRecord, error) {
	rec, err := getRefresh(tx, d)
	if err == nil && rec.ClientID != clientID {
		err = ErrClientMismatch
	}
	return rec, err
}

// refusal reports whether err is one of clientRefresh's refusals rather
// than a storage failure.
func refusal(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrClientMismatch)
}

func getRefresh(tx *bolt.Tx, d digest) (refreshRecord, error) {
	var rec refreshRecord
	v := tx.Bucket(bucketRefresh).Get(d[:])
	if v == nil {
		return rec, ErrNotFound
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, fmt.Errorf("%w: refresh token: %v", errCorrupt, err)
	}
	return rec, nil
}

func putRefresh(tx *bolt.Tx, d digest, rec refreshRecord) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketRefresh).Put(d[:], v)
}

func getGrant(tx *bolt.Tx, id string) (Grant, error) {
	var g Grant
	v := tx.Bucket(bucketGrants).Get([]byte(id))
	if v == nil {
		return g, ErrNotFound
	}
	if err := json.Unmarshal(v, &g); err != nil {
		return g, fmt.Errorf("%w: grant %q: %v", errCorrupt, id, err)
	}
	return g, nil
}
