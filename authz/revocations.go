package authz

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RevocationStore records revoked access tokens by jti until they expire.
// The enforcement point asks Revoked on every request, so it must answer
// from memory.
type RevocationStore interface {
	// Revoke records jti as revoked until exp; it returns once the record
	// is durable.
	Revoke(jti string, exp time.Time) error
	// Revoked reports whether jti was revoked. It does no I/O.
	Revoked(jti string) bool
}

var _ RevocationStore = (*Revocations)(nil)

// bucketRevoked holds exp (8 bytes, big-endian Unix seconds) || jti ->
// nothing, so that expired records sort first and are purged with one
// cursor walk. It is created by OpenRevocations and owned by this package.
var bucketRevoked = []byte("authz.revoked")

// purgeEvery is how often Revoke also deletes expired records.
const purgeEvery = time.Minute

// Revocations is the bbolt RevocationStore: the revoked jtis in memory,
// written through to the bucket "authz.revoked" with db.Batch, which
// groups concurrent revocations into one fsync'd transaction. It is safe
// for concurrent use.
type Revocations struct {
	db  *bolt.DB
	now func() time.Time

	mu        sync.RWMutex
	exp       map[string]time.Time // jti -> exp
	lastPurge time.Time
}

// OpenRevocations loads the unexpired revocations of db into memory,
// creating the bucket and deleting expired records. now is the clock; nil
// means time.Now.
func OpenRevocations(db *bolt.DB, now func() time.Time) (*Revocations, error) {
	if now == nil {
		now = time.Now
	}
	r := &Revocations{db: db, now: now, exp: make(map[string]time.Time)}
	t := now()
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRevoked)
		if err != nil {
			return err
		}
		if err := purge(b, t); err != nil {
			return err
		}
		return b.ForEach(func(k, _ []byte) error {
			jti, exp, ok := splitRevocationKey(k)
			if !ok {
				return fmt.Errorf("corrupt revocation record %q", k)
			}
			r.exp[jti] = exp // string(k[8:]) copies
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("authz: revocations: %w", err)
	}
	r.lastPurge = t
	return r, nil
}

// Revoke records jti as revoked until exp. It is visible to Revoked at
// once and durable when Revoke returns. A jti that has already expired is
// not recorded: the token no longer verifies anyway.
func (r *Revocations) Revoke(jti string, exp time.Time) error {
	now := r.now()
	if jti == "" || !exp.After(now) {
		return nil
	}
	exp = exp.Truncate(time.Second)
	r.mu.Lock()
	r.exp[jti] = exp
	doPurge := now.Sub(r.lastPurge) >= purgeEvery
	if doPurge {
		r.lastPurge = now
		for j, e := range r.exp {
			if !e.After(now) {
				delete(r.exp, j)
			}
		}
	}
	r.mu.Unlock()
	key := revocationKey(jti, exp)
	// Batch may run the function more than once: Put and purge are
	// idempotent.
	err := r.db.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRevoked)
		if doPurge {
			if err := purge(b, now); err != nil {
				return err
			}
		}
		return b.Put(key, nil)
	})
	if err != nil {
		return fmt.Errorf("authz: revoke: %w", err)
	}
	return nil
}

// Revoked reports whether jti was revoked and has not yet expired.
func (r *Revocations) Revoked(jti string) bool {
	r.mu.RLock()
	exp, ok := r.exp[jti]
	r.mu.RUnlock()
	return ok && exp.After(r.now())
}

func revocationKey(jti string, exp time.Time) []byte {
	k := make([]byte, 8, 8+len(jti))
	binary.BigEndian.PutUint64(k, uint64(exp.Unix()))
	return append(k, jti...)
}

func splitRevocationKey(k []byte) (string, time.Time, bool) {
	if len(k) <= 8 {
		return "", time.Time{}, false
	}
	return string(k[8:]), time.Unix(int64(binary.BigEndian.Uint64(k[:8])), 0), true
}

// purge deletes the records that expired at or before now.
func purge(b *bolt.Bucket, now time.Time) error {
	limit := make([]byte, 8)
	binary.BigEndian.PutUint64(limit, uint64(now.Unix())+1)
	c := b.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}
