package clientauth

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketJTI holds the jtis in use: the key is the unix second after which
// the record may be forgotten (8 bytes, big-endian) followed by the
// record's digest (16 bytes), so that expired records are a prefix of the
// bucket; values are empty. Created by New and owned by this package.
var bucketJTI = []byte("authz.jti")

// Replay cache policy (see the package doc).
const (
	replayShards = 64
	// flushInterval is how often new records are written, in one
	// transaction: a crash loses at most this much of them.
	flushInterval = time.Second
	// sweepInterval is how often expired records are dropped.
	sweepInterval = 30 * time.Second
)

// jtiDigest identifies a (client_id, jti) pair: the first 16 bytes of
// SHA-256, a fixed-size key whatever the jti's length, whose collisions
// are out of reach.
type jtiDigest [16]byte

func digestJTI(clientID, jti string) jtiDigest {
	h := sha256.New()
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(clientID)))
	h.Write(n[:])
	h.Write([]byte(clientID))
	h.Write([]byte(jti))
	var d jtiDigest
	copy(d[:], h.Sum(nil))
	return d
}

// replayRecord is one jti in use until (a unix second).
type replayRecord struct {
	digest jtiDigest
	until  int64
}

func (r replayRecord) key() []byte {
	k := make([]byte, 8+len(r.digest))
	binary.BigEndian.PutUint64(k, uint64(r.until))
	copy(k[8:], r.digest[:])
	return k
}

// replayCache records the jtis of accepted assertions (RFC 7523 §3;
// SMART Backend Services: reject a jti seen before for that client). The
// memory is authoritative: a check-and-insert under a shard's lock makes
// one of two simultaneous requests with the same jti win. New records are
// written behind to the bbolt bucket once a second, in one transaction,
// so no request waits for a disk sync; New loads them back after a
// restart.
type replayCache struct {
	db     *bolt.DB
	now    func() time.Time
	shards [replayShards]replayShard
	closed atomic.Bool
	stop   chan struct{}
	done   chan struct{}

	flushMu   sync.Mutex // serialises flushes; guards the fields below
	lastSweep time.Time
	flushes   int // committed write transactions, for tests
}

type replayShard struct {
	mu      sync.Mutex
	seen    map[jtiDigest]int64
	pending []replayRecord
}

// openReplayCache creates the bucket, loads the records still in force and
// starts the background writer.
func openReplayCache(db *bolt.DB, now func() time.Time) (*replayCache, error) {
	if db.IsReadOnly() {
		return nil, errors.New("clientauth: the database is read-only; the jti replay cache must write")
	}
	r := &replayCache{db: db, now: now, stop: make(chan struct{}), done: make(chan struct{}), lastSweep: now()}
	for i := range r.shards {
		r.shards[i].seen = map[jtiDigest]int64{}
	}
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketJTI)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("clientauth: %w", err)
	}
	nowUnix := now().Unix()
	err = db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketJTI).Cursor()
		var from [8]byte
		binary.BigEndian.PutUint64(from[:], uint64(nowUnix))
		for k, _ := c.Seek(from[:]); k != nil; k, _ = c.Next() {
			if len(k) != 8+len(jtiDigest{}) {
				continue
			}
			var d jtiDigest
			copy(d[:], k[8:])
			until := int64(binary.BigEndian.Uint64(k))
			s := r.shard(d)
			s.seen[d] = max(s.seen[d], until)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("clientauth: loading the jti replay cache: %w", err)
	}
	go r.run()
	return r, nil
}

func (r *replayCache) shard(d jtiDigest) *replayShard { return &r.shards[d[0]%replayShards] }

// insert records the jti of clientID until the given time, and reports
// whether it was new: false if it is still recorded. A record past its
// time is replaced, since the assertion that made it is refused as
// expired by now.
func (r *replayCache) insert(clientID, jti string, until time.Time) (bool, error) {
	if r.closed.Load() {
		return false, errors.New("clientauth: Authenticate called after Close")
	}
	rec := replayRecord{digest: digestJTI(clientID, jti), until: until.Unix() + 1} // round up
	now := r.now().Unix()
	s := r.shard(rec.digest)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.seen[rec.digest]; ok && u >= now {
		return false, nil
	}
	s.seen[rec.digest] = rec.until
	s.pending = append(s.pending, rec)
	return true, nil
}

func (r *replayCache) run() {
	defer close(r.done)
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			r.flush(r.now(), false)
		case <-r.stop:
			return
		}
	}
}

// close stops the writer and writes what is pending.
func (r *replayCache) close() error {
	r.closed.Store(true)
	close(r.stop)
	<-r.done
	return r.flush(r.now(), false)
}

// flush writes the pending records in one transaction and, every
// sweepInterval (or when force is set), drops expired records from
// memory and the bucket. A failed write keeps its records pending for the
// next flush; the error is returned by Close if it recurs there.
func (r *replayCache) flush(now time.Time, force bool) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	var recs []replayRecord
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		recs = append(recs, s.pending...)
		s.pending = nil
		s.mu.Unlock()
	}
	sweep := force || now.Sub(r.lastSweep) >= sweepInterval
	nowUnix := now.Unix()
	if sweep {
		for i := range r.shards {
			s := &r.shards[i]
			s.mu.Lock()
			for d, until := range s.seen {
				if until < nowUnix {
					delete(s.seen, d)
				}
			}
			s.mu.Unlock()
		}
	}
	if sweep && !r.anyExpired(nowUnix) {
		// Nothing in the bucket to evict: no write transaction, so an idle
		// server leaves the data file untouched.
		sweep = false
		r.lastSweep = now
	}
	if len(recs) == 0 && !sweep {
		return nil
	}
	// Sorted puts fill bbolt's pages in order instead of splitting them.
	slices.SortFunc(recs, func(x, y replayRecord) int {
		return cmp.Or(cmp.Compare(x.until, y.until), bytes.Compare(x.digest[:], y.digest[:]))
	})
	err := r.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJTI)
		for _, rec := range recs {
			if rec.until < nowUnix {
				continue // expired while pending
			}
			if err := b.Put(rec.key(), []byte{}); err != nil {
				return err
			}
		}
		if !sweep {
			return nil
		}
		var expired [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil && len(k) >= 8 && int64(binary.BigEndian.Uint64(k)) < nowUnix; k, _ = c.Next() {
			expired = append(expired, append([]byte(nil), k...))
		}
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s := &r.shards[0]
		s.mu.Lock()
		s.pending = append(s.pending, recs...)
		s.mu.Unlock()
		return fmt.Errorf("clientauth: writing the jti replay cache: %w", err)
	}
	r.flushes++
	if sweep {
		r.lastSweep = now
	}
	return nil
}

// anyExpired reports whether the bucket's oldest record (keys start with
// their expiry) has expired.
func (r *replayCache) anyExpired(nowUnix int64) bool {
	expired := false
	r.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketJTI).Cursor().First()
		expired = len(k) >= 8 && int64(binary.BigEndian.Uint64(k)) < nowUnix
		return nil
	})
	return expired
}
