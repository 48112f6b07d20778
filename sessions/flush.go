package sessions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// errNoChange rolls back a write transaction that found nothing to do, so
// that an idle server does not sync its data file.
var errNoChange = errors.New("sessions: nothing to write")

func (s *Store) run() {
	defer close(s.done)
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			// Errors leave the work pending (flush) or for the next sweep;
			// Close reports a flush that still fails.
			s.flush()
			s.flushMu.Lock()
			due := s.opts.Now().Sub(s.lastSweep) >= sweepInterval
			s.flushMu.Unlock()
			if due {
				s.Sweep()
			}
		case <-s.stop:
			return
		}
	}
}

// Close stops the background writer and writes what is pending. The
// Store must not be used afterwards; the caller closes the bbolt file.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.stop)
	<-s.done
	return s.flush()
}

type pendingWrite struct {
	d   digest
	rec record
}

// flush writes new sessions and stale LastSeen values in one
// transaction. A failed write leaves them marked dirty for the next one.
func (s *Store) flush() error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	var ws []pendingWrite
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for d := range sh.dirty {
			if e, ok := sh.m[d]; ok {
				ws = append(ws, pendingWrite{d, e.rec})
			}
		}
		clear(sh.dirty)
		sh.mu.Unlock()
	}
	if len(ws) == 0 {
		return nil
	}
	// Sorted puts fill bbolt's pages in order instead of splitting them.
	slices.SortFunc(ws, func(a, b pendingWrite) int { return bytes.Compare(a.d[:], b.d[:]) })
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		for _, w := range ws {
			v, err := json.Marshal(w.rec)
			if err != nil {
				return err
			}
			if err := b.Put(w.d[:], v); err != nil {
				return err
			}
		}
		return nil
	})
	for _, w := range ws {
		sh := s.shard(w.d)
		sh.mu.Lock()
		if e, ok := sh.m[w.d]; ok {
			if err != nil {
				sh.dirty[w.d] = struct{}{}
			} else if w.rec.LastSeen.After(e.persisted) {
				e.persisted = w.rec.LastSeen
			}
		}
		sh.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("sessions: writing: %w", err)
	}
	s.writes++
	return nil
}
