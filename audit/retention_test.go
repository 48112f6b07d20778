package audit

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// indexLen counts the client index entries.
func indexLen(t *testing.T, l *Log) int {
	t.Helper()
	n := 0
	if err := l.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketByClient).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPruneDeletesExpiredRecordsAndTheirIndex(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &clock{t: start}
	l, _ := openTest(t, Options{Retention: 30 * 24 * time.Hour, Now: c.now})
	<-l.firstPrune
	// One record a day for 40 days, alternating two clients; the extra
	// records past pruneChunk make pruning take several transactions.
	for d := range 40 {
		l.Record(Record{Time: start.Add(time.Duration(d) * 24 * time.Hour), Kind: KindFHIR, ClientID: []string{"a", "b"}[d%2], RequestID: fmt.Sprint(d)})
	}
	for i := range pruneChunk + 10 {
		l.Record(Record{Time: start.Add(-time.Hour + time.Duration(i)), Kind: KindFHIR, ClientID: "old"})
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	c.set(start.Add(40 * 24 * time.Hour)) // cutoff: day 10
	n, err := l.prune()
	if err != nil || n != pruneChunk+10+10 {
		t.Fatalf("prune: %d, %v; want %d", n, err, pruneChunk+10+10)
	}
	got := requestIDs(all(t, l, Filter{Limit: MaxLimit}))
	if len(got) != 30 || got[0] != "39" || got[29] != "10" {
		t.Errorf("kept %v, want days 39..10", got)
	}
	if a := all(t, l, Filter{ClientID: "a"}); len(a) != 15 {
		t.Errorf("client a: %d records, want 15", len(a))
	}
	if n := indexLen(t, l); n != 30 {
		t.Errorf("index holds %d entries, want 30", n)
	}
	if n, err := l.prune(); n != 0 || err != nil {
		t.Errorf("second prune: %d, %v", n, err)
	}
}

func TestOpenPrunes(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &clock{t: start}
	path := filepath.Join(t.TempDir(), FileName)
	l, err := Open(path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	l.Record(Record{Kind: KindFHIR, RequestID: "old"})
	c.set(start.Add(DefaultRetention - time.Hour))
	l.Record(Record{Kind: KindFHIR, RequestID: "new"})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	c.set(start.Add(DefaultRetention + time.Hour))
	l, err = Open(path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	<-l.firstPrune
	if got := requestIDs(all(t, l, Filter{})); fmt.Sprint(got) != "[new]" {
		t.Errorf("after reopening past the retention: %v, want [new]", got)
	}
}

func TestNegativeRetentionKeepsEverything(t *testing.T) {
	c := &clock{t: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	l, _ := openTest(t, Options{Retention: -1, Now: c.now})
	l.Record(Record{Kind: KindFHIR})
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	c.set(c.now().Add(10 * 365 * 24 * time.Hour))
	if n, err := l.prune(); n != 0 || err != nil {
		t.Fatalf("prune: %d, %v", n, err)
	}
	if got := all(t, l, Filter{}); len(got) != 1 {
		t.Errorf("%d records, want 1", len(got))
	}
}
