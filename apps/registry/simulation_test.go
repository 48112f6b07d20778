package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/launch/simulation"
)

// TestSimulationFields: FromMetadata (and so dynamic registration) leaves
// the administrator's launch simulation members out, Metadata shows
// them, Validate checks the options, and a client's RFC 7592 update
// keeps what the administrator set.
func TestSimulationFields(t *testing.T) {
	s, _, _ := newStore(t, Options{})
	md := metadata(t, `{"client_name":"Sim","redirect_uris":["https://sim.example.org/cb"],"scope":"openid",
		"allow_simulation":true,"simulation":{"invalid_scope":true}}`)
	if a, err := FromMetadata(md); err != nil || a.AllowSimulation || a.Simulation != nil {
		t.Fatalf("FromMetadata: %+v, %v; want the simulation members left out", a, err)
	}
	a, _, err := s.Register(md)
	if err != nil || a.AllowSimulation || a.Simulation != nil {
		t.Fatalf("Register: %+v, %v; want an app that did not opt in", a, err)
	}
	// An administrator opts it in.
	a.AllowSimulation, a.Simulation = true, &simulation.Options{InvalidScope: true}
	if a, _, err = s.Update(a); err != nil {
		t.Fatal(err)
	}
	if got := a.Metadata(); !got.AllowSimulation || !got.Simulation.Equal(a.Simulation) {
		t.Errorf("Metadata: allow_simulation %v, simulation %+v", got.AllowSimulation, got.Simulation)
	}
	// The client updates its registration without the members.
	up := a.Metadata()
	up.ClientIDIssuedAt, up.ClientSecretExpiresAt, up.AllowSimulation, up.Simulation = 0, nil, false, nil
	got, _, err := s.Reregister(a.ClientID, up)
	if err != nil {
		t.Fatal(err)
	}
	if !got.AllowSimulation || !got.Simulation.Equal(&simulation.Options{InvalidScope: true}) {
		t.Errorf("after the client's update: allow_simulation %v, simulation %+v; want the administrator's", got.AllowSimulation, got.Simulation)
	}
	bad := got.Clone()
	n := -1
	bad.Simulation.FHIR401After = &n
	_, _, err = s.Update(bad)
	want := []FieldError{{"simulation", "fhir_401_after -1 is not between 0 and 100000"}}
	if diff := cmp.Diff(want, fieldErrors(t, err)); diff != "" {
		t.Errorf("invalid options (-want +got):\n%s", diff)
	}
	if c := got.Clone(); c.Simulation == got.Simulation {
		t.Error("Clone shares the simulation options")
	}
}
