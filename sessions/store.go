package sessions

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketSessions holds the sessions: key SHA-256 of the ID, value a JSON
// record. Created by Open and owned by this package.
var bucketSessions = []byte("sessions")

// Write-behind policy (see the package doc).
const (
	// flushInterval is how often new sessions and touches are written,
	// in one transaction.
	flushInterval = time.Second
	// touchInterval is how stale the stored LastSeen may get.
	touchInterval = time.Minute
	// sweepInterval is how often expired sessions are dropped.
	sweepInterval = time.Minute
	shardCount    = 32
)

// Options configures a Store. The zero value is valid.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of IDs and tokens; nil means crypto/rand.Reader.
	Rand io.Reader
	// Idle is how long an unused session lives; 0 means 30 minutes.
	Idle time.Duration
	// Absolute is how long any session lives; 0 means 12 hours.
	Absolute time.Duration
	// HTTPS, when set, makes FromRequest accept only the
	// __Host-smartd_session cookie, so that a cookie planted over plain
	// http or by a sibling host cannot stand in for it. Set it whenever
	// smartd is reached over https.
	HTTPS bool
}

// record is the stored form of a session (the ID is not stored).
type record struct {
	Username  string    `json:"u"`
	CSRFToken string    `json:"csrf"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"seen"`
}

type entry struct {
	rec       record
	persisted time.Time // LastSeen as last written (zero: not yet written)
}

type shard struct {
	mu    sync.Mutex
	m     map[digest]*entry
	dirty map[digest]struct{}
}

// Store keeps sessions in memory, written behind to bbolt. It is safe for
// concurrent use. Close it to stop its writer and write what is pending.
type Store struct {
	db     *bolt.DB
	opts   Options
	shards [shardCount]shard
	closed atomic.Bool
	stop   chan struct{}
	done   chan struct{}

	flushMu   sync.Mutex // serialises writes; guards the fields below
	lastSweep time.Time
	writes    int // committed write transactions, for tests
}

// Open creates the bucket if needed, loads the sessions still in force
// and starts the background writer. Records that cannot be decoded are
// skipped (and dropped by the next sweep): sessions are disposable.
func Open(db *bolt.DB, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Idle <= 0 {
		opts.Idle = 30 * time.Minute
	}
	if opts.Absolute <= 0 {
		opts.Absolute = 12 * time.Hour
	}
	s := &Store{db: db, opts: opts, stop: make(chan struct{}), done: make(chan struct{}), lastSweep: opts.Now()}
	for i := range s.shards {
		s.shards[i].m = map[digest]*entry{}
		s.shards[i].dirty = map[digest]struct{}{}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketSessions)
		return err
	}); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	now := opts.Now()
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var rec record
			if len(k) != len(digest{}) || json.Unmarshal(v, &rec) != nil || s.expired(&rec, now) {
				return nil
			}
			var d digest
			copy(d[:], k)
			s.shard(d).m[d] = &entry{rec: rec, persisted: rec.LastSeen}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("sessions: loading: %w", err)
	}
	go s.run()
	return s, nil
}

func (s *Store) shard(d digest) *shard { return &s.shards[d[0]%shardCount] }

func (s *Store) expired(rec *record, now time.Time) bool {
	return now.Sub(rec.LastSeen) >= s.opts.Idle || now.Sub(rec.Created) >= s.opts.Absolute
}

func (s *Store) random() (string, error) {
	var b [idLen]byte
	if _, err := io.ReadFull(s.opts.Rand, b[:]); err != nil {
		return "", fmt.Errorf("sessions: reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Create starts a session for username, who has just authenticated. It
// is written to disk within a second.
func (s *Store) Create(username string) (*Session, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	id, err := s.random()
	if err != nil {
		return nil, err
	}
	csrf, err := s.random()
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	rec := record{Username: username, CSRFToken: csrf, Created: now, LastSeen: now}
	d, _ := digestID(id)
	sh := s.shard(d)
	sh.mu.Lock()
	sh.m[d] = &entry{rec: rec}
	sh.dirty[d] = struct{}{}
	sh.mu.Unlock()
	return rec.session(id), nil
}

func (r *record) session(id string) *Session {
	return &Session{ID: id, Username: r.Username, CSRFToken: r.CSRFToken, Created: r.Created, LastSeen: r.LastSeen}
}

// Get returns the session with this ID and marks it used now. It reads
// memory only. It returns ErrNotFound or ErrExpired.
func (s *Store) Get(id string) (*Session, error) {
	d, ok := digestID(id)
	if !ok {
		return nil, ErrNotFound
	}
	now := s.opts.Now()
	sh := s.shard(d)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[d]
	if !ok {
		return nil, ErrNotFound
	}
	if s.expired(&e.rec, now) {
		return nil, ErrExpired
	}
	if now.After(e.rec.LastSeen) {
		e.rec.LastSeen = now
	}
	if !e.persisted.IsZero() && e.rec.LastSeen.Sub(e.persisted) >= touchInterval {
		sh.dirty[d] = struct{}{}
	}
	return e.rec.session(id), nil
}

// Alive reports whether a session whose ID has this Digest (lowercase
// hex SHA-256) is open: created, not deleted and not expired. It reads
// memory only, never the disk, so that it may be called inside another
// bbolt transaction (grants.Options.SessionAlive), and it does not mark
// the session used: an app refreshing its token is not the user's
// activity. A malformed digest is not alive.
func (s *Store) Alive(dig string) bool {
	d, ok := parseDigest(dig)
	if !ok {
		return false
	}
	now := s.opts.Now()
	sh := s.shard(d)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[d]
	return ok && !s.expired(&e.rec, now)
}

// Delete ends the session with this ID (logout), in memory and on disk
// before it returns. Deleting an unknown session is not an error.
func (s *Store) Delete(id string) error {
	d, ok := digestID(id)
	if !ok {
		return nil
	}
	return s.remove(func(dd digest, _ *entry) bool { return dd == d })
}

// DeleteUser ends every session of username, for example when the
// account is disabled or its password changes.
func (s *Store) DeleteUser(username string) error {
	return s.remove(func(_ digest, e *entry) bool { return e.rec.Username == username })
}

// Sweep drops expired sessions from memory and disk and returns how many
// it dropped from memory. The background writer runs it every minute.
func (s *Store) Sweep() (int, error) {
	now := s.opts.Now()
	n := 0
	err := s.remove(func(_ digest, e *entry) bool {
		if s.expired(&e.rec, now) {
			n++
			return true
		}
		return false
	}, now)
	return n, err
}

// remove deletes the sessions that match from memory and then from the
// bucket, holding flushMu so that a flush cannot write them back. With a
// time given (a sweep) it also deletes expired records not in memory.
func (s *Store) remove(match func(digest, *entry) bool, sweepAt ...time.Time) error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	var keys []digest
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for d, e := range sh.m {
			if match(d, e) {
				if !e.persisted.IsZero() {
					keys = append(keys, d)
				}
				delete(sh.m, d)
				delete(sh.dirty, d)
			}
		}
		sh.mu.Unlock()
	}
	sweep := len(sweepAt) > 0
	if len(keys) == 0 && !sweep {
		return nil
	}
	slices.SortFunc(keys, func(a, b digest) int { return bytes.Compare(a[:], b[:]) })
	changed := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		for _, d := range keys {
			if err := b.Delete(d[:]); err != nil {
				return err
			}
		}
		changed = len(keys) > 0
		if !sweep {
			return nil
		}
		// Records that are on disk but not in memory: expired or
		// undecodable ones left by Open.
		var stale [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var d digest
			copy(d[:], k)
			sh := s.shard(d)
			sh.mu.Lock()
			_, live := sh.m[d]
			sh.mu.Unlock()
			if !live || len(k) != len(d) {
				stale = append(stale, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		changed = changed || len(stale) > 0
		if !changed {
			return errNoChange
		}
		return nil
	})
	if err == errNoChange {
		err = nil
	} else if err == nil {
		s.writes++
	}
	if sweep {
		s.lastSweep = sweepAt[0]
	}
	if err != nil {
		return fmt.Errorf("sessions: deleting: %w", err)
	}
	return nil
}
