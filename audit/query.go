package audit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Query limits.
const (
	// DefaultLimit is the page size of a Filter without Limit.
	DefaultLimit = 100
	// MaxLimit is the largest page Query returns.
	MaxLimit = 1000
	// maxScan is the most records one Query examines.
	maxScan = 100_000
)

// Filter selects records for Query. Every set field must match; the zero
// value selects every record, newest first, a page of DefaultLimit.
type Filter struct {
	// Since (inclusive) and Until (exclusive) bound the record times;
	// zero means unbounded.
	Since, Until time.Time
	// ClientID, User, Patient and ResourceType match their fields exactly.
	ClientID, User, Patient, ResourceType string
	// Kind and Outcome match their fields; empty matches any.
	Kind    Kind
	Outcome Outcome
	// Limit is the most records to return: zero means DefaultLimit, more
	// than MaxLimit means MaxLimit.
	Limit int
	// Cursor is the next value of the previous page: the page continues
	// with the records older than the last one of that page.
	Cursor string
}

// check validates f and resolves its limit.
func (f *Filter) check() error {
	switch f.Kind {
	case "", KindFHIR, KindAuth:
	default:
		return fmt.Errorf("%w: unknown kind %q (want fhir or auth)", ErrBadFilter, f.Kind)
	}
	switch f.Outcome {
	case "", OutcomeSuccess, OutcomeDenied, OutcomeFailure:
	default:
		return fmt.Errorf("%w: unknown outcome %q (want success, denied or failure)", ErrBadFilter, f.Outcome)
	}
	switch {
	case f.Limit < 0:
		return fmt.Errorf("%w: negative limit %d", ErrBadFilter, f.Limit)
	case f.Limit == 0:
		f.Limit = DefaultLimit
	case f.Limit > MaxLimit:
		f.Limit = MaxLimit
	}
	return nil
}

// Query returns the records f selects, newest first, and the cursor of
// the next page ("" when there is none). A page may hold fewer than
// f.Limit records while next is not empty: Query examines at most
// 100,000 records per call; continue with next to search further back.
func (l *Log) Query(f Filter) (records []Record, next string, err error) {
	if err := f.check(); err != nil {
		return nil, "", err
	}
	// upper is the exclusive upper bound of the keys to visit.
	var upper []byte
	if !f.Until.IsZero() {
		k := makeKey(f.Until, 0)
		upper = k[:]
	}
	if f.Cursor != "" {
		k, ok := parseID(f.Cursor)
		if !ok {
			return nil, "", fmt.Errorf("%w: %q", ErrBadCursor, f.Cursor)
		}
		if upper == nil || bytes.Compare(k, upper) < 0 {
			upper = k
		}
	}
	var since uint64
	if !f.Since.IsZero() {
		since = nanos(f.Since)
	}
	if l.closed.Load() {
		return nil, "", ErrClosed
	}
	records = []Record{}
	err = l.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		if b == nil { // a read-only open of a file never written
			return nil
		}
		s := newScan(tx, b, f.ClientID, upper)
		examined := 0
		var prior []byte // the key examined last
		for k, v := s.prev(); k != nil; k, v = s.prev() {
			if keyNanos(k) < since {
				return nil
			}
			if examined == l.maxScan {
				next = recordID(prior)
				return nil
			}
			examined++
			prior = k
			if v == nil { // an index entry whose record is gone
				continue
			}
			w, err := decodeView(v)
			if err != nil {
				return fmt.Errorf("audit record %x: %w", k, err)
			}
			if !w.match(&f) {
				continue
			}
			r := w.record(k)
			records = append(records, r)
			if len(records) == f.Limit {
				if k, _ := s.prev(); k != nil && keyNanos(k) >= since {
					next = r.ID
				}
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return records, next, nil
}

// scan walks record keys backwards from an exclusive upper bound, through
// the records bucket or, for one client, through its index.
type scan struct {
	c       *bolt.Cursor
	records *bolt.Bucket
	prefix  []byte // the client's index prefix; nil for the records bucket
	upper   []byte
	started bool
}

func newScan(tx *bolt.Tx, records *bolt.Bucket, client string, upper []byte) *scan {
	s := &scan{records: records, upper: upper}
	if client == "" {
		s.c = records.Cursor()
		return s
	}
	s.c = tx.Bucket(bucketByClient).Cursor()
	s.prefix = clientKey(cut(client, maxField), nil)
	if upper == nil {
		// Past every key of the client: the prefix with the highest key.
		s.upper = clientKey(cut(client, maxField), bytes.Repeat([]byte{0xff}, keyLen+1))
	} else {
		s.upper = clientKey(cut(client, maxField), upper)
	}
	return s
}

// prev returns the next older record's key and value (nil if its index
// entry is stale), or a nil key at the end.
func (s *scan) prev() (key, value []byte) {
	var k, v []byte
	if !s.started {
		s.started = true
		switch {
		case s.upper == nil:
			k, v = s.c.Last()
		default:
			if k, v = s.c.Seek(s.upper); k == nil {
				k, v = s.c.Last()
			} else {
				k, v = s.c.Prev()
			}
		}
	} else {
		k, v = s.c.Prev()
	}
	if k == nil {
		return nil, nil
	}
	if s.prefix != nil {
		if !bytes.HasPrefix(k, s.prefix) || len(k) != len(s.prefix)+keyLen {
			return nil, nil
		}
		k = k[len(s.prefix):]
		v = s.records.Get(k)
	}
	return k, v
}

// ParseTime reads a time bound as the CLI and the admin API take it: a
// duration before now ("90m", "24h", "7d"), an RFC 3339 time, or a date
// (YYYY-MM-DD, midnight UTC). Empty is the zero time (no bound).
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n <= 100*366 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%w: negative duration %q", ErrBadFilter, s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a duration (1h, 7d), an RFC 3339 time or a date", ErrBadFilter, s)
}
