package audit

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// openTest opens a log in a temporary directory, closed at the end of
// the test.
func openTest(t testing.TB, opts Options) (*Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	l, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, path
}

// all returns every record of l, newest first, following the cursors.
func all(t testing.TB, l *Log, f Filter) []Record {
	t.Helper()
	var out []Record
	for {
		recs, next, err := l.Query(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, recs...)
		if next == "" {
			return out
		}
		f.Cursor = next
	}
}

// requestIDs lists the RequestID of each record.
func requestIDs(recs []Record) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r.RequestID)
	}
	return out
}

func TestBatchingFromManyGoroutines(t *testing.T) {
	// A long interval: only full batches and Flush write.
	// Retention -1: the pruner must not take the records of March 2026.
	l, _ := openTest(t, Options{BatchSize: 64, FlushInterval: time.Hour, QueueSize: 4096, Retention: -1})
	const workers, each = 8, 250
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				n := w*each + i
				l.Record(Record{Time: base.Add(time.Duration(n) * time.Millisecond), Kind: KindFHIR, RequestID: fmt.Sprint(n), Status: 200})
			}
		})
	}
	wg.Wait()
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if s := l.Stats(); s.Written != workers*each || s.Dropped != 0 || s.Failed != 0 || s.Queued != 0 {
		t.Fatalf("stats %+v, want %d written", s, workers*each)
	}
	got := all(t, l, Filter{Limit: MaxLimit})
	if len(got) != workers*each {
		t.Fatalf("%d records, want %d", len(got), workers*each)
	}
	for i, r := range got {
		// Newest first: the record numbers count down.
		if want := fmt.Sprint(workers*each - 1 - i); r.RequestID != want {
			t.Fatalf("record %d is %s, want %s", i, r.RequestID, want)
		}
		if r.Outcome != OutcomeSuccess || len(r.ID) != 32 {
			t.Fatalf("record %d: outcome %q id %q", i, r.Outcome, r.ID)
		}
	}
}

func TestFlushIntervalWritesAPartialBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, err := Open(filepath.Join(t.TempDir(), FileName), Options{BatchSize: 100, FlushInterval: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		l.Record(Record{Kind: KindFHIR, RequestID: "one"})
		time.Sleep(199 * time.Millisecond)
		synctest.Wait()
		if n := l.Stats().Written; n != 0 {
			t.Fatalf("written %d before the interval", n)
		}
		time.Sleep(2 * time.Millisecond)
		synctest.Wait()
		if n := l.Stats().Written; n != 1 {
			t.Fatalf("written %d after the interval, want 1", n)
		}
	})
}

func TestCloseFlushesAndIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	l, err := Open(path, Options{FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		l.Record(Record{Kind: KindAuth, Interaction: AuthLogin, RequestID: fmt.Sprint(i)})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	l.Record(Record{Kind: KindAuth})
	if d := l.Dropped(); d != 1 {
		t.Errorf("Record after Close: dropped %d, want 1", d)
	}
	if err := l.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close: %v, want ErrClosed", err)
	}
	if _, _, err := l.Query(Filter{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Query after Close: %v, want ErrClosed", err)
	}

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	got := requestIDs(all(t, ro, Filter{}))
	if len(got) != 10 || got[0] != "9" || got[9] != "0" {
		t.Errorf("after Close: %v, want 9..0", got)
	}
	ro.Record(Record{Kind: KindAuth})
	if err := ro.Flush(); err != nil || ro.Dropped() != 1 {
		t.Errorf("read-only: Flush %v, dropped %d, want nil and 1", err, ro.Dropped())
	}
}

func TestFullQueueDrops(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	// The writer has not started: the queue of 4 fills and stays full.
	l, err := open(path, Options{QueueSize: 4, Retention: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		l.Record(Record{Kind: KindFHIR, RequestID: fmt.Sprint(i), Time: time.Unix(int64(1000+i), 0)})
	}
	if d, q := l.Dropped(), l.Stats().Queued; d != 6 || q != 4 {
		t.Fatalf("dropped %d, queued %d, want 6 and 4", d, q)
	}
	l.start()
	defer l.Close()
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	got := requestIDs(all(t, l, Filter{}))
	if fmt.Sprint(got) != "[3 2 1 0]" {
		t.Errorf("kept %v, want the first four", got)
	}
}

func TestOpenRefusals(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "none", FileName), Options{ReadOnly: true}); err == nil {
		t.Error("read-only Open of a missing file succeeded")
	}
	l, path := openTest(t, Options{})
	for _, ro := range []bool{false, true} {
		start := time.Now()
		_, err := Open(path, Options{ReadOnly: ro, LockTimeout: 50 * time.Millisecond})
		if !errors.Is(err, ErrLocked) {
			t.Errorf("ReadOnly %v while open: %v, want ErrLocked", ro, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("ReadOnly %v: refused after %v", ro, d)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only after Close: %v", err)
	}
	ro.Close()
}

func TestRecordNormalizes(t *testing.T) {
	l, _ := openTest(t, Options{Now: func() time.Time { return time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC) }})
	long := string(make([]byte, 3000))
	l.Record(Record{ID: "ignored", Kind: KindFHIR, Status: 403, Reason: long, Query: long + long})
	l.Record(Record{Kind: KindFHIR, Status: 404, Time: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)})
	l.Record(Record{Kind: KindAuth, Outcome: OutcomeDenied, Status: 200, Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	l.Record(Record{Kind: KindAuth, Time: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)})
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	got := all(t, l, Filter{})
	if len(got) != 4 {
		t.Fatalf("%d records", len(got))
	}
	if r := got[0]; !r.Time.Equal(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)) || r.ID == "ignored" ||
		r.Outcome != OutcomeDenied || len(r.Reason) != maxField || len(r.Query) != maxQuery {
		t.Errorf("first: time %v id %q outcome %q reason %d bytes query %d bytes", r.Time, r.ID, r.Outcome, len(r.Reason), len(r.Query))
	}
	for i, want := range []Outcome{OutcomeDenied, OutcomeFailure, OutcomeDenied, ""} {
		if got[i].Outcome != want {
			t.Errorf("record %d: outcome %q, want %q", i, got[i].Outcome, want)
		}
	}
}

func TestOutcomeOf(t *testing.T) {
	for status, want := range map[int]Outcome{
		200: OutcomeSuccess, 201: OutcomeSuccess, 302: OutcomeSuccess, 400: OutcomeFailure, 401: OutcomeDenied,
		403: OutcomeDenied, 404: OutcomeFailure, 410: OutcomeFailure, 500: OutcomeFailure, 502: OutcomeFailure,
	} {
		if got := OutcomeOf(status); got != want {
			t.Errorf("OutcomeOf(%d) = %q, want %q", status, got, want)
		}
	}
}

func TestCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"}, {"abcdef", 3, "abc"}, {"aé", 2, "a"}, {"aé", 3, "aé"}, {"日本", 4, "日"}, {"", 0, ""},
	} {
		if got := cut(c.in, c.n); got != c.want {
			t.Errorf("cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
