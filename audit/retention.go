package audit

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneChunk is the most records one pruning transaction deletes, so
// that batches of new records are not held up behind a long delete.
const pruneChunk = 4096

// pruneLoop deletes expired records at start and every pruneEvery, until
// Close.
func (l *Log) pruneLoop() {
	defer close(l.pruned)
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	first := true
	for {
		if _, err := l.prune(); err != nil {
			l.log.Error("audit: deleting expired records failed", "err", err)
		}
		if first {
			close(l.firstPrune)
			first = false
		}
		select {
		case <-tick.C:
		case <-l.stop:
			return
		}
	}
}

// prune deletes the records older than the retention, in transactions of
// pruneChunk records, and returns how many it deleted. It stops early
// when the log is closing.
func (l *Log) prune() (int, error) {
	if l.retention < 0 {
		return 0, nil
	}
	cutoff := nanos(l.now().Add(-l.retention))
	total := 0
	for {
		n, err := l.pruneOnce(cutoff)
		total += n
		if err != nil || n < pruneChunk {
			return total, err
		}
		select {
		case <-l.stop:
			return total, nil
		default:
		}
	}
}

// pruneOnce deletes up to pruneChunk records older than cutoff (Unix
// nanoseconds), with their index entries, in one transaction.
func (l *Log) pruneOnce(cutoff uint64) (int, error) {
	n := 0
	err := l.db.Update(func(tx *bolt.Tx) error {
		b, idx := tx.Bucket(bucketRecords), tx.Bucket(bucketByClient)
		// Collect first: deleting under a moving cursor skips keys.
		var keys, clientKeys [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(keys) < pruneChunk && keyNanos(k) < cutoff; k, v = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
			if w, err := decodeView(v); err == nil && len(w.f[fClientID]) > 0 {
				clientKeys = append(clientKeys, clientKey(string(w.f[fClientID]), k))
			}
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		for _, k := range clientKeys {
			if err := idx.Delete(k); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
