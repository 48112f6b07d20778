package launch

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// idBytes is the number of random bytes of a launch id: 256 bits, so an
// id cannot be guessed (SMART App Launch 2.2: launch is an opaque handle).
const idBytes = 32

// DefaultMaxLive bounds the launches held at once when Options.MaxLive is 0.
const DefaultMaxLive = 100_000

// ErrFull is returned by Issue when MaxLive launches are in their
// lifetime: the store refuses new ones rather than grow without bound.
var ErrFull = errors.New("too many launches in progress")

// ErrNoClient is returned by Issue for a Context without a ClientID.
var ErrNoClient = errors.New("launch: a launch needs the client_id of the app it opens")

// Options configures a Store. The zero value is valid.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of launch ids; nil means crypto/rand.Reader.
	Rand io.Reader
	// MaxLive caps the launches held (issued and not yet expired, used
	// or not); 0 means DefaultMaxLive.
	MaxLive int
	// Issued, when set, is told of every launch Issue stores (for the
	// audit trail), after the store's lock is released. It must not
	// block.
	Issued func(Context)
}

// entry is one issued launch and whether Consume has taken it.
type entry struct {
	ctx  Context
	used bool
}

// Store holds issued launch contexts in memory. It is safe for
// concurrent use. See the package doc for why memory is enough.
type Store struct {
	opts Options

	mu      sync.Mutex
	entries map[string]*entry
	// order holds the ids in the order they were issued, which is the
	// order they expire in (one Lifetime for all), so a sweep pops expired
	// ids from the front until it meets a live one. head is the index of
	// the first id still in the queue.
	order []string
	head  int
}

// New returns an empty Store.
func New(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.MaxLive <= 0 {
		opts.MaxLive = DefaultMaxLive
	}
	return &Store{opts: opts, entries: map[string]*entry{}}
}

// Issue stores c under a new random id and returns it with ID, Created
// and Expires (Created + Lifetime) set; the ID, Created and Expires given
// in c are ignored. c.ClientID is required (ErrNoClient). It returns
// ErrFull when MaxLive launches are in their lifetime.
func (s *Store) Issue(c Context) (Context, error) {
	c, err := s.issue(c)
	if err == nil && s.opts.Issued != nil {
		s.opts.Issued(c.clone())
	}
	return c, err
}

// issue is Issue without the Issued hook.
func (s *Store) issue(c Context) (Context, error) {
	if c.ClientID == "" {
		return Context{}, ErrNoClient
	}
	var raw [idBytes]byte
	if _, err := io.ReadFull(s.opts.Rand, raw[:]); err != nil {
		return Context{}, fmt.Errorf("launch: reading random bytes: %w", err)
	}
	now := s.opts.Now()
	c = c.clone()
	c.ID = base64.RawURLEncoding.EncodeToString(raw[:])
	c.Created = now
	c.Expires = now.Add(Lifetime)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	if len(s.entries) >= s.opts.MaxLive {
		return Context{}, ErrFull
	}
	if _, dup := s.entries[c.ID]; dup {
		// Only a broken Rand repeats 256 bits.
		return Context{}, errors.New("launch: the random source repeated an id")
	}
	s.entries[c.ID] = &entry{ctx: c}
	s.order = append(s.order, c.ID)
	return c.clone(), nil
}

// Peek returns the launch with this id for clientID without using it up,
// for the authorize request that carries launch=id. The checks, in order:
// ErrUnknown (never issued, or forgotten after its expiry), ErrOtherApp
// (issued for another client), ErrExpired (past Expires; an id stays
// expired, not unknown, until the next sweep), ErrUsed (consumed).
func (s *Store) Peek(id, clientID string) (Context, error) {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.check(id, clientID, now)
	if err != nil {
		return Context{}, err
	}
	return e.ctx.clone(), nil
}

// Consume returns the launch as Peek does and marks it used, at most
// once: of any number of concurrent calls, one succeeds and the others
// get ErrUsed. Call it when the authorization code is issued. A used id
// is remembered (and refused with ErrUsed) until its expiry.
func (s *Store) Consume(id, clientID string) (Context, error) {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	e, err := s.check(id, clientID, now)
	if err != nil {
		return Context{}, err
	}
	e.used = true
	return e.ctx.clone(), nil
}

// Len returns how many launches the store holds (live, used, or expired
// and not yet swept), for metrics and tests.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// check is Peek's decision; s.mu is held.
func (s *Store) check(id, clientID string, now time.Time) (*entry, error) {
	e, ok := s.entries[id]
	switch {
	case !ok:
		return nil, ErrUnknown
	case e.ctx.ClientID != clientID:
		return nil, ErrOtherApp
	case !now.Before(e.ctx.Expires):
		return nil, ErrExpired
	case e.used:
		return nil, ErrUsed
	}
	return e, nil
}

// sweep forgets the launches past their expiry, oldest first, stopping at
// the first live one; s.mu is held. Each id is queued and popped once, so
// the cost is constant per issued launch. If the clock stepped back, a
// later id may expire before an earlier one: it then waits for the
// earlier one, which only delays its removal.
func (s *Store) sweep(now time.Time) {
	for s.head < len(s.order) {
		id := s.order[s.head]
		if e, ok := s.entries[id]; ok && now.Before(e.ctx.Expires) {
			break
		}
		delete(s.entries, id)
		s.order[s.head] = ""
		s.head++
	}
	// Reclaim the popped prefix once it is most of the slice.
	if s.head > 64 && s.head*2 >= len(s.order) {
		s.order = slices.Clone(s.order[s.head:])
		s.head = 0
	}
}

// clone returns a copy of c that shares no slice with it.
func (c Context) clone() Context {
	c.FHIRContext = slices.Clone(c.FHIRContext)
	c.Simulate = c.Simulate.Clone()
	return c
}
