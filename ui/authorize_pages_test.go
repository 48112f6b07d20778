package ui

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// partsPage is a consent page with a scope split into category parts,
// one part unticked to re-show a choice.
func partsPage() ConsentPage {
	p := consentPage()
	p.Categories = []ScopeCategory{{Title: "Health records", Scopes: []ScopeChoice{
		{Value: "patient/Observation.rs", Description: "Read your observations.", Checked: true, PartsTitle: "Kinds of observations", Parts: []ScopePart{
			{Value: "patient/Observation.rs?category=laboratory", Label: "Laboratory results", Checked: true},
			{Value: "patient/Observation.rs?category=vital-signs", Label: "Vital signs"},
		}},
		{Value: "patient/*.rs", Description: "Read all your data.", Checked: true, Parts: []ScopePart{
			{Value: "patient/Patient.rs", Label: "Demographics", Checked: true},
		}},
	}}}
	return p
}

func TestConsentParts(t *testing.T) {
	_, doc := render(t, Consent(partsPage()))
	wantScopes := map[string]bool{"openid": true, "launch/patient": true, "patient/Observation.rs": true, "patient/*.rs": true}
	if diff := cmp.Diff(wantScopes, checkboxes(doc, ScopeField)); diff != "" {
		t.Errorf("scope checkboxes (-want +got):\n%s", diff)
	}
	wantParts := map[string]bool{
		"patient/Observation.rs?category=laboratory": true, "patient/Observation.rs?category=vital-signs": false,
		"patient/Patient.rs": true,
	}
	if diff := cmp.Diff(wantParts, checkboxes(doc, NarrowField)); diff != "" {
		t.Errorf("part checkboxes (-want +got):\n%s", diff)
	}
	wantLegends := []string{"Access requested", "Health records", "Kinds of observations", "Only these"}
	if diff := cmp.Diff(wantLegends, texts(all(doc, "legend"))); diff != "" {
		t.Errorf("legends (-want +got):\n%s", diff)
	}
	var ids []string
	for _, in := range byAttr(doc, "input", "type", "checkbox") {
		id, _ := attr(in, "id")
		ids = append(ids, id)
	}
	want := []string{"scope-0", "scope-1", "scope-2", "scope-2-0", "scope-2-1", "scope-3", "scope-3-0", "remember"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("checkbox ids (-want +got):\n%s", diff)
	}
	if body := text(all(doc, "main")[0]); !strings.Contains(body, "Kinds of observations Laboratory results Vital signs") {
		t.Errorf("part label missing:\n%s", body)
	}
}

func TestEncounterPickerNone(t *testing.T) {
	tests := []struct {
		name  string
		page  EncounterPickerPage
		want  [][3]string
		forms int
	}{
		{"with encounters", func() EncounterPickerPage { p := encounterPage(); p.AllowNone = true; return p }(), [][3]string{
			{"Search", "", ""},
			{"General examination 2024-05-01 · Ambulatory · finished", "encounter", "e1"},
			{"Emergency", "encounter", "e2"},
			{"Continue without an encounter", "encounter", ""},
		}, 2},
		{"none found", EncounterPickerPage{Action: "/e", AllowNone: true}, [][3]string{
			{"Search", "", ""},
			{"Continue without an encounter", "encounter", ""},
		}, 2},
		{"none found, none allowed", EncounterPickerPage{Action: "/e"}, [][3]string{{"Search", "", ""}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := render(t, EncounterPicker(tt.page))
			if diff := cmp.Diff(tt.want, buttons(doc)); diff != "" {
				t.Errorf("buttons (-want +got):\n%s", diff)
			}
			if n := len(all(doc, "form")); n != tt.forms {
				t.Errorf("%d forms, want %d", n, tt.forms)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	tests := []struct {
		name    string
		page    LogoutPage
		heading string
		buttons [][3]string
	}{
		{"question", LogoutPage{User: "Dr Alice", CSRF: "t", Action: "/auth/logout"}, "Sign out?", [][3]string{{"Sign out", "", ""}}},
		{"nobody", LogoutPage{Action: "/auth/logout"}, "Sign out", nil},
		{"done", LogoutPage{SignedOut: true}, "You are signed out", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := render(t, Logout(tt.page))
			if got := texts(all(doc, "h1")); !cmp.Equal(got, []string{tt.heading}) {
				t.Errorf("heading %q, want %q", got, tt.heading)
			}
			if diff := cmp.Diff(tt.buttons, buttons(doc)); diff != "" {
				t.Errorf("buttons (-want +got):\n%s", diff)
			}
		})
	}
}
