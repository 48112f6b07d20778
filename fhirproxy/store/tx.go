package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"smartd/fhirproxy/rawjson"
	"smartd/fhirproxy/search"
)

// Tx is a write transaction. Reads see the state before the transaction,
// or at the last Flush; writes are applied in key order when the Update
// function returns or Flush is called.
type Tx struct {
	reader
	s       *Store
	now     time.Time
	ops     []op
	touched map[string]bool
	counts  map[string]int
}

type op struct {
	bucket []byte
	key    []byte
	val    []byte // nil deletes
	n      int    // queue order, so that a later write to a key wins
}

// Write is one create or update.
type Write struct {
	Type string
	// ID is the resource id; "" assigns a new one (create).
	ID string
	// Body is the compact resource JSON; its id and meta are set here.
	Body []byte
	// Index holds the values extracted from Body; _id and _lastUpdated
	// are the store's own and are replaced.
	Index []search.IndexValue
	// IfMatch, when non-zero, is the version the current one must be.
	IfMatch uint64
}

// Update runs fn in one write transaction, fsynced once at the end. If fn
// returns an error nothing is written.
func (s *Store) Update(fn func(*Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error { return s.run(btx, fn) })
}

// Batch is Update for small writes from concurrent requests: bbolt
// coalesces them into one fsync. fn may run more than once and must only
// depend on its Tx.
func (s *Store) Batch(fn func(*Tx) error) error {
	return s.db.Batch(func(btx *bolt.Tx) error { return s.run(btx, fn) })
}

func (s *Store) run(btx *bolt.Tx, fn func(*Tx) error) error {
	tx := &Tx{reader: reader{btx: btx}, s: s, now: s.now().UTC().Truncate(time.Millisecond),
		touched: map[string]bool{}, counts: map[string]int{}}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.flush()
}

// NewID returns a new server-assigned id.
func (tx *Tx) NewID() (string, error) { return tx.s.NewID() }

// Now is the lastUpdated time this transaction stamps on its writes.
func (tx *Tx) Now() time.Time { return tx.now }

func (tx *Tx) claim(typ, id string) error {
	k := typ + "/" + id
	if tx.touched[k] {
		return fmt.Errorf("%s: %w", k, ErrDuplicate)
	}
	tx.touched[k] = true
	return nil
}

// Put creates or updates a resource and returns the version written. The
// returned Resource's Op says whether it was a create (also when it
// replaces a deleted resource) or an update.
func (tx *Tx) Put(w Write) (Resource, error) {
	if w.ID == "" {
		id, err := tx.NewID()
		if err != nil {
			return Resource{}, err
		}
		w.ID = id
	}
	if err := tx.claim(w.Type, w.ID); err != nil {
		return Resource{}, err
	}
	key := resourceKey(w.Type, w.ID)
	h, exists, err := tx.header(key)
	if err != nil {
		return Resource{}, err
	}
	if w.IfMatch != 0 && (!exists || h.op == OpDelete || h.version != w.IfMatch) {
		cur := "none"
		if exists {
			cur = strconv.FormatUint(h.version, 10)
		}
		return Resource{}, fmt.Errorf("%s/%s: If-Match version %d, current version %s: %w", w.Type, w.ID, w.IfMatch, cur, ErrConflict)
	}
	r := Resource{Type: w.Type, ID: w.ID, Version: h.version + 1, LastUpdated: tx.now, Op: OpUpdate}
	if !exists || h.op == OpDelete {
		r.Op = OpCreate
		tx.counts[w.Type]++
	}
	r.JSON, err = rawjson.SetMeta(w.Body, w.ID, strconv.FormatUint(r.Version, 10), FormatInstant(tx.now))
	if err != nil {
		return Resource{}, fmt.Errorf("%s/%s: %w", w.Type, w.ID, err)
	}
	vals := make([]search.IndexValue, 0, len(w.Index)+1)
	for _, v := range w.Index {
		if v.Param != "_id" && v.Param != "_lastUpdated" {
			vals = append(vals, v)
		}
	}
	ms := tx.now.UnixMilli()
	vals = append(vals, search.IndexValue{Param: "_lastUpdated", Type: search.Date, Lo: ms, Hi: ms})
	if err := tx.reindex(w.Type, w.ID, vals); err != nil {
		return Resource{}, err
	}
	tx.record(r, key)
	return r, nil
}

// Delete writes a delete version. Deleting a deleted resource changes
// nothing and returns its delete version; ErrNotFound if it never existed.
func (tx *Tx) Delete(typ, id string, ifMatch uint64) (Resource, error) {
	if err := tx.claim(typ, id); err != nil {
		return Resource{}, err
	}
	key := resourceKey(typ, id)
	h, exists, err := tx.header(key)
	if err != nil {
		return Resource{}, err
	}
	if !exists {
		return Resource{}, fmt.Errorf("%s/%s: %w", typ, id, ErrNotFound)
	}
	if ifMatch != 0 && (h.op == OpDelete || h.version != ifMatch) {
		return Resource{}, fmt.Errorf("%s/%s: If-Match version %d, current version %d: %w", typ, id, ifMatch, h.version, ErrConflict)
	}
	if h.op == OpDelete {
		return Resource{Type: typ, ID: id, Version: h.version, Op: OpDelete, LastUpdated: time.UnixMilli(h.lastUpdated).UTC()}, nil
	}
	r := Resource{Type: typ, ID: id, Version: h.version + 1, LastUpdated: tx.now, Op: OpDelete}
	tx.counts[typ]--
	if err := tx.reindex(typ, id, nil); err != nil {
		return Resource{}, err
	}
	tx.record(r, key)
	return r, nil
}

// record queues the header, version and change records of r.
func (tx *Tx) record(r Resource, key []byte) {
	ms := r.LastUpdated.UnixMilli()
	tx.ops = append(tx.ops,
		op{bucket: bucketResources, key: key, val: header{r.Version, ms, r.Op}.encode()},
		op{bucket: bucketVersions, key: versionKey(r.Type, r.ID, r.Version), val: encodeVersion(r.Op, ms, r.JSON)},
	)
	seq, _ := tx.btx.Bucket(bucketChanges).NextSequence()
	tx.ops = append(tx.ops, op{bucket: bucketChanges, key: binary.BigEndian.AppendUint64(nil, seq), val: changeValue(r.Type, r.ID, r.Version)})
}

// reindex queues the index changes from the current values to vals.
func (tx *Tx) reindex(typ, id string, vals []search.IndexValue) error {
	key := resourceKey(typ, id)
	old, err := tx.forward(key)
	if err != nil {
		return err
	}
	oldKeys := indexKeys(typ, id, old)
	newKeys := indexKeys(typ, id, vals)
	had := make(map[string]bool, len(oldKeys))
	for _, k := range oldKeys {
		had[string(k)] = true
	}
	for _, k := range newKeys {
		if had[string(k)] {
			delete(had, string(k))
			continue
		}
		tx.ops = append(tx.ops, op{bucket: bucketIndex, key: k, val: []byte{}})
	}
	for k := range had {
		tx.ops = append(tx.ops, op{bucket: bucketIndex, key: []byte(k)})
	}
	if vals == nil {
		tx.ops = append(tx.ops, op{bucket: bucketForward, key: key})
	} else {
		tx.ops = append(tx.ops, op{bucket: bucketForward, key: key, val: encodeForward(vals)})
	}
	return nil
}

// flush applies the queued writes bucket by bucket in key order.
func (tx *Tx) flush() error {
	sortOps(tx.ops)
	var b *bolt.Bucket
	var name []byte
	for _, o := range tx.ops {
		if b == nil || !bytes.Equal(name, o.bucket) {
			name, b = o.bucket, tx.btx.Bucket(o.bucket)
		}
		var err error
		if o.val == nil {
			err = b.Delete(o.key)
		} else {
			err = b.Put(o.key, o.val)
		}
		if err != nil {
			return err
		}
	}
	cb := tx.btx.Bucket(bucketCounts)
	for typ, d := range tx.counts {
		if d == 0 {
			continue
		}
		var n int64
		if v := cb.Get([]byte(typ)); v != nil {
			n = int64(binary.BigEndian.Uint64(v))
		}
		if err := cb.Put([]byte(typ), binary.BigEndian.AppendUint64(nil, uint64(n+int64(d)))); err != nil {
			return err
		}
	}
	tx.ops = tx.ops[:0]
	clear(tx.counts)
	return nil
}

// Flush applies the writes queued so far, so that the reads after it in
// this transaction see them: a transaction bundle's GET entries run after
// its writes and must see them (FHIR R4 §3.1.0.11.2). A resource written
// before a Flush still cannot be written again in the same transaction.
func (tx *Tx) Flush() error { return tx.flush() }

// FormatInstant formats t as a FHIR instant with milliseconds, in UTC.
func FormatInstant(t time.Time) string { return rawjson.FormatInstant(t) }

// sortOps orders writes by bucket and key, keeping queue order for equal
// keys. A large write set is sorted in two halves on two cores and merged.
func sortOps(ops []op) {
	for i := range ops {
		ops[i].n = i
	}
	cmp := func(a, b op) int {
		if c := bytes.Compare(a.bucket, b.bucket); c != 0 {
			return c
		}
		if c := bytes.Compare(a.key, b.key); c != 0 {
			return c
		}
		return a.n - b.n
	}
	if len(ops) < 50000 || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(ops, cmp)
		return
	}
	mid := len(ops) / 2
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(ops[:mid], cmp) })
	slices.SortFunc(ops[mid:], cmp)
	wg.Wait()
	merged := make([]op, 0, len(ops))
	a, b := ops[:mid], ops[mid:]
	for len(a) > 0 && len(b) > 0 {
		if cmp(a[0], b[0]) <= 0 {
			merged, a = append(merged, a[0]), a[1:]
		} else {
			merged, b = append(merged, b[0]), b[1:]
		}
	}
	merged = append(append(merged, a...), b...)
	copy(ops, merged)
}
