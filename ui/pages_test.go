package ui

import (
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

const evil = `<script>alert("x")</script>`

var carried = map[string]string{
	"response_type": "code",
	"client_id":     "app-1",
	"redirect_uri":  "https://app.example/cb?a=1&b=2",
	"state":         `st"ate<>`,
	"csrf_token":    "forged",
}

// pageCases are the pages every shared check runs over, some with hostile
// values, each with the title it must have.
var pageCases = []struct {
	name      string
	c         templ.Component
	wantTitle string
	postForms int               // forms that must carry csrf_token and the Hidden fields
	getForms  int               // search forms that must carry Hidden but no csrf_token
	hidden    map[string]string // the Hidden map the page was given
}{
	{"login", Login(LoginPage{AppName: "Growth Chart", Username: "alice", Error: "Wrong username or password.", CSRF: "tok", Action: "/auth/login", Hidden: carried}),
		"Sign in to continue to Growth Chart · smartd", 1, 0, carried},
	{"login/evil", Login(LoginPage{AppName: evil, AppLogoURL: "/logo.png", Username: evil, Error: evil, CSRF: evil, Action: "/auth/login", Hidden: map[string]string{evil: evil}}),
		"Sign in to continue to " + evil + " · smartd", 1, 0, map[string]string{evil: evil}},
	{"login/no-app", Login(LoginPage{CSRF: "tok", Action: "/auth/login"}), "Sign in · smartd", 1, 0, nil},
	{"patients", PatientPicker(patientPage()), "Choose a patient for Growth Chart · smartd", 1, 1, carried},
	{"patients/empty", PatientPicker(PatientPickerPage{CSRF: "tok", Action: "/auth/pick", Hidden: carried}), "Choose a patient · smartd", 0, 1, carried},
	{"encounters", EncounterPicker(encounterPage()), "Choose an encounter for Growth Chart · smartd", 1, 1, carried},
	{"consent", Consent(consentPage()), "Allow access for Growth Chart · smartd", 1, 0, carried},
	{"consent/evil", Consent(ConsentPage{AppName: evil, User: evil, Patient: evil, Scopes: []ScopeChoice{{Value: evil, Description: evil, Checked: true}}, CSRF: "tok", Action: "/auth/consent", Hidden: carried, Remember: true}),
		"Allow access for " + evil + " · smartd", 1, 0, carried},
	{"consent/parts", Consent(partsPage()), "Allow access for Growth Chart · smartd", 1, 0, carried},
	{"encounters/empty", EncounterPicker(EncounterPickerPage{CSRF: "tok", Action: "/auth/pick-encounter", Hidden: carried, AllowNone: true}), "Choose an encounter · smartd", 1, 1, carried},
	{"logout", Logout(LogoutPage{User: "Dr Alice", CSRF: "tok", Action: "/auth/logout"}), "Sign out · smartd", 1, 0, nil},
	{"logout/anonymous", Logout(LogoutPage{Action: "/auth/logout"}), "Sign out · smartd", 0, 0, nil},
	{"logout/done", Logout(LogoutPage{SignedOut: true, User: evil}), "Signed out · smartd", 0, 0, nil},
	{"error", ErrorPage(ErrorPageView{Title: "Unknown app", Message: "The app's client_id is not registered.", Detail: "invalid_client", Status: 400}), "Unknown app · smartd", 0, 0, nil},
	{"error/status-only", ErrorPage(ErrorPageView{Status: 404}), "Not Found · smartd", 0, 0, nil},
	{"error/evil", ErrorPage(ErrorPageView{Title: evil, Message: evil, Detail: evil}), evil + " · smartd", 0, 0, nil},
}

func patientPage() PatientPickerPage {
	return PatientPickerPage{
		AppName: "Growth Chart",
		Query:   PatientQuery{Name: "Smith", BirthDate: "1970-01-02", Identifier: "MRN-1"},
		Patients: []PatientRow{
			{ID: "p1", Name: "Ann Smith", Gender: "female", BirthDate: "1970-01-02", MRN: "MRN-1"},
			{ID: "p2", Name: "Bob Smith"},
		},
		NextURL: "/auth/pick?page=3", PrevURL: "/auth/pick?page=1",
		CSRF: "tok", Action: "/auth/pick", Hidden: carried,
	}
}

func encounterPage() EncounterPickerPage {
	return EncounterPickerPage{
		AppName: "Growth Chart", Patient: "Ann Smith",
		Query: EncounterQuery{Date: "2024-05-01", Class: "AMB", Type: "checkup", Status: "finished"},
		Encounters: []EncounterRow{
			{ID: "e1", Date: "2024-05-01", Class: "Ambulatory", Type: "General examination", Status: "finished"},
			{ID: "e2", Class: "Emergency"},
		},
		NextURL: "/auth/pick?page=2",
		CSRF:    "tok", Action: "/auth/pick/encounter", Hidden: carried,
	}
}

func consentPage() ConsentPage {
	return ConsentPage{
		AppName: "Growth Chart", AppLogoURL: "/apps/app-1/logo.png", User: "Dr Alice", Patient: "Ann Smith",
		Scopes: []ScopeChoice{
			{Value: "openid", Description: "Know who you are.", Checked: true},
			{Value: "launch/patient", Description: "Know which patient you chose.", Checked: true},
		},
		Categories: []ScopeCategory{{Title: "Health records", Scopes: []ScopeChoice{
			{Value: "patient/Observation.rs?category=laboratory", Description: "Read lab results.", Checked: true, Granular: true},
			{Value: "patient/Patient.r", Description: "Read demographics.", Checked: true},
		}}},
		CSRF: "tok", Action: "/auth/consent", Hidden: carried, Remember: true,
	}
}

func TestPagesShell(t *testing.T) {
	for _, tc := range pageCases {
		t.Run(tc.name, func(t *testing.T) {
			raw, doc := render(t, tc.c)
			if !strings.HasPrefix(raw, "<!doctype html>") && !strings.HasPrefix(raw, "<!DOCTYPE html>") {
				t.Errorf("no doctype: %.40q", raw)
			}
			htmls := all(doc, "html")
			if lang, _ := attr(htmls[0], "lang"); lang != "en" {
				t.Errorf("lang = %q, want en", lang)
			}
			titles := all(doc, "title")
			if len(titles) != 1 || text(titles[0]) != tc.wantTitle {
				t.Errorf("title = %v, want %q", texts(titles), tc.wantTitle)
			}
			if got := byAttr(doc, "meta", "name", "viewport"); len(got) != 1 {
				t.Errorf("viewport metas = %d, want 1", len(got))
			}
			if got := texts(all(doc, "header")); !cmp.Equal(got, []string{"smartd"}) {
				t.Errorf("header = %q, want [smartd]", got)
			}
			if got := len(all(doc, "main")); got != 1 {
				t.Errorf("main regions = %d, want 1", got)
			}
			links := byAttr(doc, "link", "rel", "stylesheet")
			if len(links) != 1 {
				t.Fatalf("stylesheets = %d, want 1", len(links))
			}
			if href, _ := attr(links[0], "href"); href != StylesheetURL() {
				t.Errorf("stylesheet href = %q, want %q", href, StylesheetURL())
			}
			if n := len(all(doc, "script")); n != 0 {
				t.Errorf("page has %d script elements, want 0", n)
			}
			if strings.Contains(raw, "<script>alert") {
				t.Error("unescaped <script> in output")
			}
			checkNoExternalAssets(t, doc)
			checkLabels(t, doc)
			checkForms(t, doc, tc.postForms, tc.getForms, tc.hidden)
		})
	}
}

func texts(ns []*html.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, text(n))
	}
	return out
}

// checkNoExternalAssets fails on any asset URL that leaves the origin.
func checkNoExternalAssets(t *testing.T, doc *html.Node) {
	t.Helper()
	for d := range doc.Descendants() {
		if d.Type != html.ElementNode {
			continue
		}
		for _, key := range []string{"src", "href"} {
			v, ok := attr(d, key)
			if !ok || d.Data == "a" {
				continue
			}
			if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") {
				t.Errorf("<%s %s=%q> is not a same-origin path", d.Data, key, v)
			}
		}
	}
}

// checkLabels requires a unique id and a <label for=id> on every visible
// input and select.
func checkLabels(t *testing.T, doc *html.Node) {
	t.Helper()
	labels := map[string]int{}
	for _, l := range all(doc, "label") {
		if f, ok := attr(l, "for"); ok {
			labels[f]++
		}
	}
	ids := map[string]int{}
	for d := range doc.Descendants() {
		if id, ok := attr(d, "id"); ok && d.Type == html.ElementNode {
			ids[id]++
		}
	}
	fields := append(all(doc, "input"), all(doc, "select")...)
	fields = append(fields, all(doc, "textarea")...)
	for _, f := range fields {
		if typ, _ := attr(f, "type"); typ == "hidden" || typ == "submit" {
			continue
		}
		id, ok := attr(f, "id")
		if !ok {
			t.Errorf("<%s name=%q> has no id", f.Data, nameOf(f))
			continue
		}
		if labels[id] != 1 {
			t.Errorf("<%s id=%q> has %d labels, want 1", f.Data, id, labels[id])
		}
		if ids[id] != 1 {
			t.Errorf("id %q used %d times", id, ids[id])
		}
	}
}

func nameOf(n *html.Node) string { v, _ := attr(n, "name"); return v }

// checkForms requires POST forms to carry exactly one csrf_token (never
// the forged one) and every Hidden field; GET forms carry no token.
func checkForms(t *testing.T, doc *html.Node, wantPost, wantGet int, hidden map[string]string) {
	t.Helper()
	var post, get int
	for _, f := range all(doc, "form") {
		method, _ := attr(f, "method")
		hv := hiddenValues(f)
		switch method {
		case "post":
			post++
			if len(hv["csrf_token"]) != 1 || hv["csrf_token"][0] == "forged" {
				t.Errorf("POST form csrf_token = %q, want one real token", hv["csrf_token"])
			}
		case "get":
			get++
			if _, ok := hv["csrf_token"]; ok {
				t.Error("GET form leaks csrf_token into the URL")
			}
		default:
			t.Errorf("form method %q", method)
		}
		delete(hv, "csrf_token")
		want := map[string][]string{}
		for k, v := range hidden {
			if k != "csrf_token" {
				want[k] = []string{v}
			}
		}
		if diff := cmp.Diff(want, hv); diff != "" {
			t.Errorf("hidden fields of %s form (-want +got):\n%s", method, diff)
		}
	}
	if post != wantPost || get != wantGet {
		t.Errorf("forms: %d post, %d get; want %d, %d", post, get, wantPost, wantGet)
	}
}
