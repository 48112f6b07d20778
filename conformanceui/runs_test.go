package conformanceui

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/conformance"
)

// TestRunStore: no more than max runs go at once; finished runs beyond
// keep are forgotten oldest first, running ones never; byOwner lists a
// user's runs newest first.
func TestRunStore(t *testing.T) {
	s := newRunStore(2, 2)
	a, b, c, d := &run{id: "a", owner: "ann"}, &run{id: "b", owner: "bob"}, &run{id: "c", owner: "ann"}, &run{id: "d", owner: "ann"}
	for _, rn := range []*run{a, b} {
		if err := s.add(rn); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.add(c); !errors.Is(err, errBusy) {
		t.Fatalf("third concurrent run: %v", err)
	}
	s.finish(a, &conformance.Report{})
	if err := s.add(c); err != nil {
		t.Fatal(err)
	}
	// a is finished and the oldest beyond keep=2: forgotten; b and c run.
	if _, ok := s.get("a"); ok {
		t.Error("a finished run beyond keep is still there")
	}
	s.finish(b, nil)
	s.finish(c, &conformance.Report{})
	if err := s.add(d); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rn := range s.byOwner("ann") {
		got = append(got, rn.id)
	}
	if diff := cmp.Diff([]string{"d", "c"}, got); diff != "" {
		t.Errorf("ann's runs (-want +got):\n%s", diff)
	}
	if rn, ok := s.get("c"); !ok || !rn.done || rn.report == nil {
		t.Errorf("c: %+v %v", rn, ok)
	}
	if newRunID() == newRunID() || len(newRunID()) != 22 {
		t.Error("run ids are not fresh 128-bit values")
	}
}
