package grants

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// PeekRefresh returns the grant of a refresh token presented by clientID
// without rotating it, so that the token endpoint can check a requested
// scope (Narrow) before RotateRefresh consumes the token: a refused
// request must leave the client's token working. It does not say whether
// the token was rotated, expired or revoked; RotateRefresh does. Errors:
// ErrNotFound, ErrClientMismatch.
func (s *Store) PeekRefresh(token, clientID string) (Grant, error) {
	d := digestOf(token)
	var g Grant
	err := s.db.View(func(tx *bolt.Tx) error {
		rec, err := clientRefresh(tx, d, clientID)
		if err != nil {
			return err
		}
		g, err = getGrant(tx, rec.GrantID)
		return err
	})
	if err != nil && !refusal(err) {
		return Grant{}, fmt.Errorf("grants: PeekRefresh: %w", err)
	}
	return g, err
}
