package users

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketConsents holds the remembered consent decisions: key username,
// a NUL byte and the client_id; value a JSON consentRecord. Created by
// Open and owned by this package. Usernames never contain NUL, so the
// decisions of one user are the keys with the prefix username+NUL.
var bucketConsents = []byte("users.consents")

// consentRecord is one remembered decision.
type consentRecord struct {
	// Scope is the scope the user granted, space-separated, as granted.
	Scope   string    `json:"scope"`
	Created time.Time `json:"created"`
}

func consentKey(username, clientID string) []byte {
	return append(consentPrefix(username), clientID...)
}

func consentPrefix(username string) []byte { return append([]byte(username), 0) }

// RememberConsent records that username granted scope to clientID and
// asked for the decision to be remembered (the consent page's "Remember
// this decision" box), replacing an earlier decision for the pair. It
// returns ErrNotFound when there is no such account.
func (s *Store) RememberConsent(username, clientID, scope string) error {
	if clientID == "" {
		return invalid("client_id: required to remember a consent")
	}
	rec, err := json.Marshal(consentRecord{Scope: scope, Created: s.clock()})
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if _, err := get(bucket(tx), username); err != nil {
			return err
		}
		b := tx.Bucket(bucketConsents)
		if b == nil {
			return fmt.Errorf("users: %s bucket missing", bucketConsents)
		}
		return b.Put(consentKey(username, clientID), rec)
	})
}

// RememberedConsent returns the scope username last asked to remember
// granting clientID, or "" when there is none.
func (s *Store) RememberedConsent(username, clientID string) (string, error) {
	var scope string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketConsents)
		if b == nil {
			return nil
		}
		v := b.Get(consentKey(username, clientID))
		if v == nil {
			return nil
		}
		var rec consentRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("users: consent record of %q for %q: %w", username, clientID, err)
		}
		scope = rec.Scope
		return nil
	})
	return scope, err
}

// ForgetConsents removes every remembered decision of username, so that
// each app asks for consent again. It is not an error when there is none.
func (s *Store) ForgetConsents(username string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return forgetConsents(tx, username) })
}

// forgetConsents deletes username's decisions inside tx.
func forgetConsents(tx *bolt.Tx, username string) error {
	b := tx.Bucket(bucketConsents)
	if b == nil {
		return nil
	}
	prefix := consentPrefix(username)
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
