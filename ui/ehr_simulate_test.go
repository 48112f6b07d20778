package ui

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/launch/simulation"
)

// TestEHRChartSimulate: an app with Simulate set gets a labelled
// "Simulate" section in its Launch form, filled with its defaults; an app
// without gets none.
func TestEHRChartSimulate(t *testing.T) {
	lifetime := 10
	p := ehrChartPage()
	p.Apps = []EHRApp{
		{ClientID: "plain", Name: "Plain"},
		{ClientID: "sim", Name: "Sim", Simulate: &simulation.Options{InvalidScope: true, TokenError: "server_error", AccessTokenLifetime: &lifetime}},
		{ClientID: "sim2", Name: "Sim two", Simulate: &simulation.Options{}},
	}
	_, doc := render(t, EHRChart(p))
	checkLabels(t, doc)
	forms := byAttr(doc, "form", "action", p.LaunchAction)
	if len(forms) != 3 {
		t.Fatalf("%d Launch forms, want 3", len(forms))
	}
	type field struct{ Name, Value string }
	fields := func(i int) []field {
		var out []field
		for _, in := range all(forms[i], "input") {
			name, _ := attr(in, "name")
			value, _ := attr(in, "value")
			if typ, _ := attr(in, "type"); typ == "checkbox" {
				if _, on := attr(in, "checked"); !on {
					continue
				}
			}
			if name != "csrf_token" && name != "client_id" && name != "encounter" {
				out = append(out, field{name, value})
			}
		}
		for _, opt := range all(forms[i], "option") {
			if _, on := attr(opt, "selected"); on {
				v, _ := attr(opt, "value")
				out = append(out, field{"selected", v})
			}
		}
		return out
	}
	for i, want := range [][]field{
		nil,
		{{"sim", "1"}, {"sim.invalid_scope", "1"}, {"sim.access_token_lifetime", "10"}, {"sim.fhir_401_after", ""}, {"selected", "server_error"}},
		{{"sim", "1"}, {"sim.access_token_lifetime", ""}, {"sim.fhir_401_after", ""}},
	} {
		if diff := cmp.Diff(want, fields(i)); diff != "" {
			t.Errorf("form %d fields (-want +got):\n%s", i, diff)
		}
	}
	if n := len(byAttr(doc, "details", "class", "simulate")); n != 2 {
		t.Errorf("%d Simulate sections, want 2", n)
	}
}
