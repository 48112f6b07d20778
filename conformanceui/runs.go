package conformanceui

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"smartd/conformance"
)

// run is one run of the suite. Its fields are set when it starts, but
// done and report, which the runStore's mutex guards; a copy taken under
// it (runStore.get) is safe to read.
type run struct {
	id, owner, target string
	admin             bool
	started           time.Time
	done              bool
	report            *conformance.Report
}

// errBusy: as many runs as allowed are going.
var errBusy = errors.New("conformanceui: runs are in progress; try again when they end")

// runStore keeps the last keep runs in memory and counts those running.
type runStore struct {
	mu      sync.Mutex
	keep    int
	max     int
	running int
	list    []*run // oldest first
}

func newRunStore(keep, max int) *runStore { return &runStore{keep: keep, max: max} }

// newRunID is 128 random bits, base64url: run URLs are not guessable.
func newRunID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// add records a starting run, or returns errBusy. Finished runs beyond
// keep are forgotten, oldest first.
func (s *runStore) add(rn *run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running >= s.max {
		return errBusy
	}
	s.running++
	s.list = append(s.list, rn)
	for i := 0; len(s.list) > s.keep && i < len(s.list); {
		if s.list[i].done {
			s.list = append(s.list[:i], s.list[i+1:]...)
			continue
		}
		i++
	}
	return nil
}

// finish records a run's report.
func (s *runStore) finish(rn *run, rep *conformance.Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rn.done, rn.report = true, rep
	s.running--
}

// get returns a copy of the run with this id.
func (s *runStore) get(id string) (run, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rn := range s.list {
		if rn.id == id {
			return *rn, true
		}
	}
	return run{}, false
}

// byOwner returns copies of owner's runs, newest first.
func (s *runStore) byOwner(owner string) []run {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []run
	for i := len(s.list) - 1; i >= 0; i-- {
		if s.list[i].owner == owner {
			out = append(out, *s.list[i])
		}
	}
	return out
}
