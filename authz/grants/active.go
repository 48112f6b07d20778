package grants

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ActiveFilter selects grants for ListActive. Every set field must match
// exactly; the zero value selects every active grant.
type ActiveFilter struct {
	ClientID string
	// User is the grant's subject (Grant.User: the fhirUser reference).
	User string
}

// ActiveGrant is a grant whose tokens may still work, with what is known
// of them. Access tokens are not stored (they are signed JWTs): those of
// a grant live at most the access token lifetime after its last refresh.
type ActiveGrant struct {
	Grant
	// RefreshTokens is the number of its refresh tokens that still work:
	// not rotated, not expired. Zero for a grant redeemed from a code
	// without a refresh token, whose access token may still be alive.
	RefreshTokens int
	// RefreshExpires is when the last of them expires; zero when none.
	RefreshExpires time.Time
}

// ListActive returns the grants that are not revoked and whose tokens may
// still work, newest first: those with a working refresh token (for a
// grant without offline access, only while its session is open:
// Options.SessionAlive), and those redeemed from a code in the last ten
// minutes, whose access tokens may still be alive. It reads every refresh
// record: it is meant for an administrator's page, not a request path.
func (s *Store) ListActive(f ActiveFilter) ([]ActiveGrant, error) {
	now := s.opts.Now()
	byID := map[string]*ActiveGrant{}
	err := s.db.View(func(tx *bolt.Tx) error {
		revoked := tx.Bucket(bucketRevoked)
		return tx.Bucket(bucketRefresh).ForEach(func(_, v []byte) error {
			var rec refreshRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: refresh token: %v", errCorrupt, err)
			}
			if rec.Rotated || !now.Before(rec.Expires) || revoked.Get([]byte(rec.GrantID)) != nil {
				return nil
			}
			if f.ClientID != "" && rec.ClientID != f.ClientID {
				return nil
			}
			a := byID[rec.GrantID]
			if a == nil {
				g, err := getGrant(tx, rec.GrantID)
				if err != nil {
					return err
				}
				a = &ActiveGrant{Grant: g}
				byID[rec.GrantID] = a
			}
			a.RefreshTokens++
			if rec.Expires.After(a.RefreshExpires) {
				a.RefreshExpires = rec.Expires
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("grants: ListActive: %w", err)
	}
	recent := map[string]bool{}
	s.mu.RLock()
	for id, r := range s.redeemed {
		if !now.Before(r.until) {
			continue
		}
		recent[id] = true
		if _, ok := byID[id]; !ok {
			byID[id] = &ActiveGrant{Grant: r.grant}
		}
	}
	s.mu.RUnlock()
	out := make([]ActiveGrant, 0, len(byID))
	for id, a := range byID {
		if !a.Offline && s.opts.SessionAlive != nil && !s.opts.SessionAlive(a.SessionID) {
			a.RefreshTokens, a.RefreshExpires = 0, time.Time{} // they no longer rotate
		}
		switch {
		case s.Revoked(id),
			a.RefreshTokens == 0 && !recent[id],
			f.ClientID != "" && a.ClientID != f.ClientID,
			f.User != "" && a.User != f.User:
			continue
		}
		out = append(out, *a)
	}
	slices.SortFunc(out, func(x, y ActiveGrant) int {
		if c := y.Created.Compare(x.Created); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, nil
}

// Revoke revokes a grant on an administrator's decision, durably before
// it returns: its refresh tokens stop working, and Revoked reports it, so
// its access tokens stop working at the token's next use (RFC 7009 §2.1
// makes the same promise for a revoked refresh token). A grant neither
// stored nor redeemed in the last ten minutes is ErrNotFound; revoking a
// revoked grant again is not an error.
func (s *Store) Revoke(grantID string) error {
	s.mu.RLock()
	r, inMemory := s.redeemed[grantID]
	s.mu.RUnlock()
	g := r.grant
	if !inMemory {
		err := s.db.View(func(tx *bolt.Tx) error {
			var err error
			g, err = getGrant(tx, grantID)
			return err
		})
		if err != nil {
			if s.Revoked(grantID) {
				return nil // revoked, then dropped from memory
			}
			return err
		}
	}
	return s.revoke(g)
}
