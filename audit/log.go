package audit

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the audit trail's file in the data directory.
const FileName = "audit.db"

// Bucket names; both are created at Open and owned by this package.
var (
	bucketRecords  = []byte("audit.records")   // key(time, seq) -> Record JSON
	bucketByClient = []byte("audit.by_client") // clientKey(client_id, key) -> nil
)

// Errors returned by the package, to be tested with errors.Is.
var (
	// ErrLocked: another process (a running server) holds the file.
	ErrLocked = errors.New("audit file is in use by another process")
	// ErrClosed: Flush or Query after Close.
	ErrClosed = errors.New("audit log is closed")
	// ErrBadCursor: a Filter.Cursor that Query did not make.
	ErrBadCursor = errors.New("bad audit cursor")
	// ErrBadFilter: a Filter with an unknown kind or outcome, or a
	// negative limit.
	ErrBadFilter = errors.New("bad audit filter")
)

// Defaults of Options.
const (
	DefaultRetention     = 90 * 24 * time.Hour
	DefaultBatchSize     = 1024
	DefaultFlushInterval = 200 * time.Millisecond
	DefaultQueueSize     = 8192
	defaultLockTimeout   = time.Second
	// pruneEvery is how often records past the retention are deleted.
	pruneEvery = time.Hour
)

// Options configure Open. The zero value is usable.
type Options struct {
	// Retention is how long records are kept; zero means 90 days, a
	// negative value keeps them forever.
	Retention time.Duration
	// BatchSize is how many waiting records make the writer write
	// before FlushInterval is up; a write takes every waiting record, in
	// one transaction. Zero means 1024.
	BatchSize int
	// FlushInterval bounds how long a record waits in the queue before
	// its batch is written; zero means 200 ms.
	FlushInterval time.Duration
	// QueueSize is the capacity of the queue between Record and the
	// writer; a full queue drops records. Zero means 8192.
	QueueSize int
	// LockTimeout bounds the wait for the file lock; zero means 1 s.
	// bbolt waits forever by default, which would hang a command started
	// while a server holds the file.
	LockTimeout time.Duration
	// ReadOnly opens the file for queries only (`smartd audit`): no
	// writer runs, nothing is pruned, and Record drops every record. The
	// file must exist.
	ReadOnly bool
	// Now is the clock, for record times and retention; nil means time.Now.
	Now func() time.Time
	// Log receives write and prune errors; nil discards them.
	Log *slog.Logger
}

// Log is an audit trail over one bbolt file. Its methods are safe for
// concurrent use.
type Log struct {
	db        *bolt.DB
	now       func() time.Time
	log       *slog.Logger
	retention time.Duration
	batchSize int
	interval  time.Duration
	readOnly  bool
	maxScan   int // records Query examines per call

	queue    chan Record     // nil when read-only
	kick     chan struct{}   // Record's signal that a batch is waiting
	flushReq chan chan error // Flush's requests to the writer
	stop     chan struct{}   // closed by Close: writer and pruner end
	done     chan struct{}   // closed when the writer has ended
	pruned   chan struct{}   // closed when the pruner has ended
	// firstPrune is closed when the pruning at Open is over.
	firstPrune chan struct{}

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
	lastErr   error // the writer's error from its final flush

	written, dropped, failed atomic.Uint64
}

// Stats are a Log's counters since Open.
type Stats struct {
	// Written records were committed to the file.
	Written uint64
	// Dropped records were refused by Record: queue full, read-only, or
	// closed.
	Dropped uint64
	// Failed records were lost with a write transaction that failed.
	Failed uint64
	// Queued records wait for the writer now.
	Queued int
}

// Open opens or creates the audit file at path (creating its directory),
// and, unless opts.ReadOnly, starts the writer and the pruner. If another
// process holds the file, Open fails within opts.LockTimeout with
// ErrLocked.
func Open(path string, opts Options) (*Log, error) {
	l, err := open(path, opts)
	if err != nil {
		return nil, err
	}
	l.start()
	return l, nil
}

// open opens the file without starting the goroutines (tests fill the
// queue of a log whose writer has not started).
func open(path string, opts Options) (*Log, error) {
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = defaultLockTimeout
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no audit trail: %w", err)
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        timeout,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		ReadOnly:       opts.ReadOnly,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w (is a smartd server running on this data directory?)", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	l := &Log{
		db: db, now: opts.Now, log: opts.Log, retention: opts.Retention, batchSize: opts.BatchSize,
		interval: opts.FlushInterval, readOnly: opts.ReadOnly, maxScan: maxScan,
		flushReq: make(chan chan error), kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		pruned: make(chan struct{}), firstPrune: make(chan struct{}),
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.retention == 0 {
		l.retention = DefaultRetention
	}
	if l.batchSize <= 0 {
		l.batchSize = DefaultBatchSize
	}
	if l.interval <= 0 {
		l.interval = DefaultFlushInterval
	}
	if opts.ReadOnly {
		return l, nil
	}
	size := opts.QueueSize
	if size <= 0 {
		size = DefaultQueueSize
	}
	l.queue = make(chan Record, size)
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketRecords, bucketByClient} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return l, nil
}

// start runs the writer and the pruner of a writable log.
func (l *Log) start() {
	if l.readOnly {
		close(l.done)
		close(l.pruned)
		close(l.firstPrune)
		return
	}
	go l.run()
	go l.pruneLoop()
}

// Record queues r for writing and returns at once; it never blocks. A
// zero r.Time is set to now. When the queue is full, the log is read-only
// or closed, r is dropped and counted (Dropped).
func (l *Log) Record(r Record) {
	if l.closed.Load() {
		l.dropped.Add(1)
		return
	}
	if r.Time.IsZero() {
		r.Time = l.now()
	}
	select {
	case l.queue <- r:
		l.kickIfFull()
	default:
		l.dropped.Add(1)
	}
}

// kickIfFull wakes the writer when a batch is waiting.
func (l *Log) kickIfFull() {
	if len(l.queue) >= l.batchSize {
		select {
		case l.kick <- struct{}{}:
		default: // the writer has been told already
		}
	}
}

// Dropped is the number of records Record dropped since Open.
func (l *Log) Dropped() uint64 { return l.dropped.Load() }

// Stats returns the log's counters.
func (l *Log) Stats() Stats {
	return Stats{Written: l.written.Load(), Dropped: l.dropped.Load(), Failed: l.failed.Load(), Queued: len(l.queue)}
}

// Flush writes every record queued before it was called and returns the
// error of that write, if any. It is a no-op on a read-only log and
// returns ErrClosed after Close.
func (l *Log) Flush() error {
	if l.readOnly {
		return nil
	}
	reply := make(chan error, 1)
	select {
	case l.flushReq <- reply:
		return <-reply
	case <-l.done:
		return ErrClosed
	}
}

// Close writes the queued records, stops the writer and the pruner, and
// closes the file. It returns the error of the last write or of closing;
// calling it again returns the same.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.closed.Store(true)
		close(l.stop)
		<-l.done
		<-l.pruned
		var err error
		if !l.readOnly {
			// Write bbolt's free page list, which commits skip
			// (NoFreelistSync), so that the next Open need not walk the
			// file (as fhirproxy/store does).
			l.db.NoFreelistSync = false
			err = l.db.Update(func(*bolt.Tx) error { return nil })
		}
		l.closeErr = errors.Join(l.lastErr, err, l.db.Close())
	})
	return l.closeErr
}
