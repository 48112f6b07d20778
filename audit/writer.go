package audit

import (
	"bytes"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// run is the writer. It does not wait on the queue (a receiver parked on
// it would make every Record wake a goroutine): it wakes every
// FlushInterval, when Record reports BatchSize records waiting, on Flush
// and on Close, and writes everything queued in one transaction (the
// queue's capacity at most): when the disk is slow, the queue grows and
// each fsync carries more records.
func (l *Log) run() {
	defer close(l.done)
	tick := time.NewTicker(l.interval)
	defer tick.Stop()
	maxTx := max(l.batchSize, cap(l.queue))
	batch := make([]Record, 0, min(maxTx, DefaultBatchSize))
	// drain writes up to n queued records and returns the first error.
	drain := func(n int) error {
		var first error
		for n > 0 {
			for len(batch) < maxTx && n > 0 {
				select {
				case r := <-l.queue:
					batch = append(batch, r)
					n--
					continue
				default:
					n = 0
				}
			}
			if len(batch) == 0 {
				break
			}
			if err := l.write(batch); first == nil {
				first = err
			}
			clear(batch) // let the collector have the strings
			batch = batch[:0]
		}
		return first
	}
	for {
		select {
		case <-tick.C:
			drain(cap(l.queue))
		case <-l.kick:
			drain(cap(l.queue))
		case reply := <-l.flushReq:
			// Everything queued before Flush was called is in the queue
			// now, at most its capacity.
			reply <- drain(cap(l.queue))
		case <-l.stop:
			// Record refuses new records once closed is set; take what
			// is left, including those of Records racing with Close.
			var err error
			for len(l.queue) > 0 {
				if e := drain(cap(l.queue)); err == nil {
					err = e
				}
			}
			l.lastErr = err
			return
		}
	}
}

// entry is one record encoded for the file.
type entry struct {
	time    time.Time
	value   []byte
	client  string
	encoded [keyLen]byte
}

// write commits batch in one transaction. Keys go in sorted (bbolt
// inserts sorted keys much faster than random ones): by time, then by
// sequence; the client index too.
func (l *Log) write(batch []Record) error {
	entries := make([]entry, len(batch))
	for i := range batch {
		r := batch[i]
		r.normalize()
		entries[i] = entry{time: r.Time, value: encode(make([]byte, 0, encodedSize(&r)), &r), client: r.ClientID}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return a.time.Compare(b.time) })
	err := l.db.Update(func(tx *bolt.Tx) error {
		b, idx := tx.Bucket(bucketRecords), tx.Bucket(bucketByClient)
		var clientKeys [][]byte
		for i := range entries {
			e := &entries[i]
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			e.encoded = makeKey(e.time, seq)
			if err := b.Put(e.encoded[:], e.value); err != nil {
				return err
			}
			if e.client != "" {
				clientKeys = append(clientKeys, clientKey(e.client, e.encoded[:]))
			}
		}
		slices.SortFunc(clientKeys, bytes.Compare)
		for _, k := range clientKeys {
			if err := idx.Put(k, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		l.failed.Add(uint64(len(batch)))
		l.log.Error("audit: writing records failed; they are lost", "records", len(batch), "err", err)
		return err
	}
	l.written.Add(uint64(len(batch)))
	return nil
}
