package ui

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

// buttons returns the text, name and value of every button under n.
func buttons(n *html.Node) [][3]string {
	var out [][3]string
	for _, b := range all(n, "button") {
		name, _ := attr(b, "name")
		val, _ := attr(b, "value")
		out = append(out, [3]string{text(b), name, val})
	}
	return out
}

// checkboxes returns value -> checked for the checkboxes named name.
func checkboxes(n *html.Node, name string) map[string]bool {
	out := map[string]bool{}
	for _, in := range byAttr(n, "input", "type", "checkbox") {
		if nameOf(in) == name {
			v, _ := attr(in, "value")
			_, checked := attr(in, "checked")
			out[v] = checked
		}
	}
	return out
}

func TestConsent(t *testing.T) {
	tests := []struct {
		name         string
		page         ConsentPage
		wantScopes   map[string]bool
		wantRemember map[string]bool
		wantLegends  []string
	}{
		{
			name: "grouped", page: consentPage(),
			wantScopes: map[string]bool{
				"openid": true, "launch/patient": true,
				"patient/Observation.rs?category=laboratory": true, "patient/Patient.r": true,
			},
			wantRemember: map[string]bool{"1": false},
			wantLegends:  []string{"Access requested", "Health records"},
		},
		{
			name: "escaped", page: ConsentPage{AppName: evil, Scopes: []ScopeChoice{{Value: evil, Description: evil, Checked: true}}, CSRF: "t", Action: "/c"},
			wantScopes:   map[string]bool{evil: true},
			wantRemember: map[string]bool{},
			wantLegends:  []string{"Access requested"},
		},
		{
			name: "re-shown choice", page: ConsentPage{Scopes: []ScopeChoice{{Value: "a", Checked: true}, {Value: "b"}}, CSRF: "t", Action: "/c", Remember: true},
			wantScopes:   map[string]bool{"a": true, "b": false},
			wantRemember: map[string]bool{"1": false},
			wantLegends:  []string{"Access requested"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, doc := render(t, Consent(tc.page))
			want := [][3]string{{"Allow", "decision", "allow"}, {"Deny", "decision", "deny"}}
			if diff := cmp.Diff(want, buttons(doc)); diff != "" {
				t.Errorf("buttons (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantScopes, checkboxes(doc, "scope")); diff != "" {
				t.Errorf("scope checkboxes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRemember, checkboxes(doc, "remember")); diff != "" {
				t.Errorf("remember checkbox (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLegends, texts(all(doc, "legend"))); diff != "" {
				t.Errorf("legends (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConsentText(t *testing.T) {
	raw, doc := render(t, Consent(consentPage()))
	body := text(all(doc, "main")[0])
	for _, want := range []string{
		"Growth Chart is asking for access to the records of Ann Smith, on behalf of Dr Alice.",
		"Read lab results. limited patient/Observation.rs?category=laboratory",
		"Remember this decision for Growth Chart",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page text lacks %q:\n%s", want, body)
		}
	}
	raw, _ = render(t, Consent(ConsentPage{AppName: evil, Scopes: []ScopeChoice{{Value: evil, Checked: true}}}))
	if !strings.Contains(raw, "&lt;script&gt;") || strings.Contains(raw, "<script>") {
		t.Errorf("<script> not escaped:\n%s", raw)
	}
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name      string
		page      LoginPage
		wantAlert []string
		wantUser  string
	}{
		{"first visit", LoginPage{CSRF: "t", Action: "/login"}, nil, ""},
		{"failed", LoginPage{Username: "alice", Error: "Wrong username or password.", CSRF: "t", Action: "/login"}, []string{"Wrong username or password."}, "alice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, doc := render(t, Login(tc.page))
			if diff := cmp.Diff(tc.wantAlert, texts(byAttr(doc, "p", "role", "alert"))); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
			user := byAttr(doc, "input", "name", "username")
			pass := byAttr(doc, "input", "name", "password")
			if len(user) != 1 || len(pass) != 1 {
				t.Fatalf("username fields %d, password fields %d; want 1, 1", len(user), len(pass))
			}
			if v, _ := attr(user[0], "value"); v != tc.wantUser {
				t.Errorf("username value = %q, want %q", v, tc.wantUser)
			}
			if typ, _ := attr(pass[0], "type"); typ != "password" {
				t.Errorf("password type = %q", typ)
			}
			if _, ok := attr(pass[0], "value"); ok {
				t.Error("password field is pre-filled")
			}
			_, described := attr(user[0], "aria-describedby")
			if described != (tc.page.Error != "") {
				t.Errorf("aria-describedby present = %v with error %q", described, tc.page.Error)
			}
			if diff := cmp.Diff([][3]string{{"Sign in", "", ""}}, buttons(doc)); diff != "" {
				t.Errorf("buttons (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatientPicker(t *testing.T) {
	_, doc := render(t, PatientPicker(patientPage()))
	want := [][3]string{
		{"Search", "", ""},
		{"Ann Smith female · Born 1970-01-02 · MRN MRN-1", "patient", "p1"},
		{"Bob Smith", "patient", "p2"},
	}
	if diff := cmp.Diff(want, buttons(doc)); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
	wantQuery := map[string]string{"name": "Smith", "birthdate": "1970-01-02", "identifier": "MRN-1"}
	if diff := cmp.Diff(wantQuery, fieldValues(doc, "get")); diff != "" {
		t.Errorf("search fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/auth/pick?page=1", "/auth/pick?page=3"}, hrefs(doc)); diff != "" {
		t.Errorf("pager links (-want +got):\n%s", diff)
	}

	_, doc = render(t, PatientPicker(PatientPickerPage{Action: "/p"}))
	if body := text(all(doc, "main")[0]); !strings.Contains(body, "No patients match this search.") {
		t.Errorf("empty result text missing:\n%s", body)
	}
}

func TestEncounterPicker(t *testing.T) {
	_, doc := render(t, EncounterPicker(encounterPage()))
	want := [][3]string{
		{"Search", "", ""},
		{"General examination 2024-05-01 · Ambulatory · finished", "encounter", "e1"},
		{"Emergency", "encounter", "e2"},
	}
	if diff := cmp.Diff(want, buttons(doc)); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
	wantQuery := map[string]string{"date": "2024-05-01", "class": "AMB", "type": "checkup", "status": "finished"}
	if diff := cmp.Diff(wantQuery, fieldValues(doc, "get")); diff != "" {
		t.Errorf("search fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/auth/pick?page=2"}, hrefs(doc)); diff != "" {
		t.Errorf("pager links (-want +got):\n%s", diff)
	}
}

func TestErrorPage(t *testing.T) {
	_, doc := render(t, ErrorPage(ErrorPageView{Title: "Unknown app", Message: "Not registered.", Detail: "invalid_client", Status: 400}))
	body := text(all(doc, "main")[0])
	for _, want := range []string{"Unknown app", "Error 400: Bad Request", "Not registered.", "invalid_client"} {
		if !strings.Contains(body, want) {
			t.Errorf("page text lacks %q:\n%s", want, body)
		}
	}
	if n := len(all(doc, "form")); n != 0 {
		t.Errorf("error page has %d forms, want 0", n)
	}
}

func TestUnsafeURLsSanitized(t *testing.T) {
	raw, doc := render(t, PatientPicker(PatientPickerPage{
		Action: "javascript:alert(1)", NextURL: "javascript:alert(2)",
		Patients: []PatientRow{{ID: "p"}},
	}))
	if strings.Contains(raw, "javascript:") {
		t.Errorf("javascript: URL rendered:\n%s", raw)
	}
	if n := len(all(doc, "form")); n != 2 {
		t.Errorf("forms = %d, want 2", n)
	}
}

// fieldValues maps the visible fields of the forms with method to values.
func fieldValues(doc *html.Node, method string) map[string]string {
	out := map[string]string{}
	for _, f := range byAttr(doc, "form", "method", method) {
		for _, in := range all(f, "input") {
			if typ, _ := attr(in, "type"); typ != "hidden" {
				out[nameOf(in)], _ = attr(in, "value")
			}
		}
		for _, s := range all(f, "select") {
			for _, o := range all(s, "option") {
				if _, ok := attr(o, "selected"); ok {
					out[nameOf(s)], _ = attr(o, "value")
				}
			}
		}
	}
	return out
}

// hrefs lists the href of every link in document order.
func hrefs(doc *html.Node) []string {
	var out []string
	for _, a := range all(doc, "a") {
		if h, _ := attr(a, "href"); h != "#main" {
			out = append(out, h)
		}
	}
	return out
}
