package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// sequentialCheapest is how the planner chose its driving scan before
// cheapest: each scan's full estimate in turn, the first least winning.
func sequentialCheapest(b *bolt.Bucket, scans []*scan) (best, n int, ok bool) {
	n = math.MaxInt
	for i, s := range scans {
		if s == nil {
			continue
		}
		if est := s.estimate(b, estimateCap); est < n {
			best, n, ok = i, est, true
		}
	}
	if !ok {
		return 0, 0, false
	}
	return best, n, ok
}

// TestCheapestChoosesAsTheFullEstimates checks that counting in lockstep
// picks the same scan, with the same estimate, as counting every scan to
// the cap, over random scans: sizes on both sides of estimateCap, ties,
// empty ones, several prefixes, and filtered (keep) ones.
func TestCheapestChoosesAsTheFullEstimates(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "e.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sizes := []int{0, 1, 2, 3, 7, 100, 101, estimateCap - 1, estimateCap, estimateCap + 1, 2 * estimateCap}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("i"))
		if err != nil {
			return err
		}
		for g, n := range sizes {
			for i := range n {
				if err := b.Put(fmt.Appendf(nil, "g%02d\x00%06d", g, i), []byte{}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	keep := func([]byte) bool { return true }
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("i"))
		for trial := range 3000 {
			scans := make([]*scan, 1+rng.IntN(4))
			for i := range scans {
				if rng.IntN(6) == 0 {
					continue // a criterion without a scan
				}
				s := &scan{}
				for range 1 + rng.IntN(2) {
					s.prefixes = append(s.prefixes, fmt.Appendf(nil, "g%02d\x00", rng.IntN(len(sizes))))
				}
				if rng.IntN(4) == 0 {
					s.keep = keep
				}
				scans[i] = s
			}
			gb, gn, gok := cheapest(b, scans)
			wb, wn, wok := sequentialCheapest(b, scans)
			if gb != wb || gn != wn || gok != wok {
				desc := ""
				for _, s := range scans {
					if s == nil {
						desc += " none"
						continue
					}
					desc += fmt.Sprintf(" %q(keep %v)", s.prefixes, s.keep != nil)
				}
				t.Errorf("trial %d, scans%s: cheapest = %d, %d, %v; full estimates = %d, %d, %v", trial, desc, gb, gn, gok, wb, wn, wok)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEstimateStopsAtTheLimit(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "e.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Update(func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucket([]byte("i"))
		for i := range 50 {
			b.Put(fmt.Appendf(nil, "p\x00%03d", i), []byte{})
		}
		return nil
	})
	db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("i"))
		plain := &scan{prefixes: [][]byte{[]byte("p\x00")}}
		filtered := &scan{prefixes: [][]byte{[]byte("p\x00")}, keep: func([]byte) bool { return true }}
		none := &scan{prefixes: [][]byte{[]byte("q\x00")}, keep: func([]byte) bool { return true }}
		for _, tc := range []struct {
			s     *scan
			limit int
			want  int
		}{
			{plain, math.MaxInt, 50},
			{plain, 51, 50},
			{plain, 50, 50},
			{plain, 10, 10},
			{filtered, math.MaxInt, 50 + estimateCap},
			{filtered, 10, 10},
			{none, math.MaxInt, 0},
		} {
			if got := tc.s.estimate(b, tc.limit); got != tc.want {
				t.Errorf("estimate(keep %v, limit %d) = %d, want %d", tc.s.keep != nil, tc.limit, got, tc.want)
			}
		}
		return nil
	})
}
