package launch

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/launch/simulation"
)

// TestIssuedSimulate: a launch keeps its simulation, deep-copied on the
// way in and out, and the Issued hook sees each issued launch once; a
// refused one (no client) is not reported.
func TestIssuedSimulate(t *testing.T) {
	var seen []Context
	s := New(Options{Now: newClock().now, Issued: func(c Context) { seen = append(seen, c) }})
	n := 3
	in := sample()
	in.Simulate = &simulation.Options{InvalidScope: true, FHIR401After: &n}
	c, err := s.Issue(in)
	if err != nil {
		t.Fatal(err)
	}
	n = 7 // the caller's value changes after Issue
	*c.Simulate.FHIR401After = 9
	got, err := s.Peek(c.ID, in.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	three := 3
	if diff := cmp.Diff(&simulation.Options{InvalidScope: true, FHIR401After: &three}, got.Simulate); diff != "" {
		t.Errorf("stored simulation (-want +got):\n%s", diff)
	}
	if _, err := s.Issue(Context{}); err == nil {
		t.Fatal("a launch without a client was issued")
	}
	if len(seen) != 1 || seen[0].ID != c.ID || !seen[0].Simulate.Equal(got.Simulate) {
		t.Errorf("Issued saw %+v, want the one launch", seen)
	}
}
