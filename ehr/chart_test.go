package ehr_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

// section returns the chart section whose heading is h2.
func section(t *testing.T, doc *html.Node, h2 string) *html.Node {
	t.Helper()
	for _, s := range elems(doc, "section") {
		if hs := elems(s, "h2"); len(hs) > 0 && text(hs[0]) == h2 {
			return s
		}
	}
	t.Fatalf("no section %q", h2)
	return nil
}

// launchForms returns the hidden fields of each Launch form.
func launchForms(doc *html.Node) []map[string]string {
	var out []map[string]string
	for _, f := range elems(doc, "form") {
		if !strings.HasSuffix(attr(f, "action"), "/launch") {
			continue
		}
		m := map[string]string{}
		for _, in := range elems(f, "input") {
			if attr(in, "type") == "hidden" {
				m[attr(in, "name")] = attr(in, "value")
			}
		}
		out = append(out, m)
	}
	return out
}

func TestChart(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	p := b.get(basePath + "/ehr/patients/smart-patient-1")
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	if got := texts(elems(elems(p.doc, "head")[0], "title")); !cmp.Equal(got, []string{"José Antonio Ñúñez · smartd"}) {
		t.Errorf("title %q", got)
	}
	banner := byClass(p.doc, "section", "banner")[0]
	var facts [][2]string
	for _, d := range elems(banner, "div") {
		facts = append(facts, [2]string{text(elems(d, "dt")[0]), text(elems(d, "dd")[0])})
	}
	wantFacts := [][2]string{{"Gender", "male"}, {"Age", "54 y"}, {"Born", "1971-03-14"}, {"MRN", "100001"}}
	if diff := cmp.Diff(wantFacts, facts); diff != "" {
		t.Errorf("banner (-want +got):\n%s", diff)
	}
	if got := text(byClass(banner, "p", "banner-name")[0]); got != "José Antonio Ñúñez" {
		t.Errorf("banner name %q", got)
	}

	wantH2 := []string{"Apps", "Body weight over time", "Encounters", "Conditions", "Medications", "Allergies and intolerances",
		"Immunizations", "Recent vital signs", "Recent laboratory results"}
	if diff := cmp.Diff(wantH2, texts(elems(p.doc, "h2"))); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ h2, want string }{
		{"Conditions", "Diabetes mellitus type 2 active 2021-02-09"},
		{"Medications", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet 1 tablet by mouth twice daily with meals active 2021-02-09"},
		{"Allergies and intolerances", "lisinopril Cough low active"},
		{"Immunizations", "Influenza, seasonal, injectable, preservative free"},
		{"Recent vital signs", "Body weight 93.6 kg"},
		{"Recent vital signs", "mmHg"},
		{"Recent laboratory results", "6.6 %"},
		{"Encounters", "General examination of patient"},
	} {
		if s := text(section(t, p.doc, tc.h2)); !strings.Contains(s, tc.want) {
			t.Errorf("section %s lacks %q:\n%s", tc.h2, tc.want, s)
		}
	}
	// The latest vital of each code only: one body weight row.
	vitals := section(t, p.doc, "Recent vital signs")
	weights := 0
	for _, th := range elems(vitals, "th") {
		if text(th) == "Body weight" {
			weights++
		}
	}
	if weights != 1 {
		t.Errorf("%d body weight rows in recent vitals, want 1", weights)
	}
	// The trend runs from the first weight to the last.
	desc := texts(elems(p.doc, "figcaption"))
	if len(desc) != 1 || !strings.HasPrefix(desc[0], "102.4 kg on ") || !strings.Contains(desc[0], " to 93.6 kg on ") {
		t.Errorf("trend caption %q", desc)
	}
	if n := len(elems(p.doc, "polyline")); n != 1 {
		t.Errorf("%d sparklines", n)
	}

	// One Launch form, for the app with a launch URL; no encounter yet.
	want := []map[string]string{{"csrf_token": csrf(p.doc), "client_id": launchApp}}
	if diff := cmp.Diff(want, launchForms(p.doc)); diff != "" {
		t.Errorf("launch forms (-want +got):\n%s", diff)
	}
	if hidden(p.doc, "csrf_token") == "" {
		t.Error("no CSRF token")
	}
}

func TestChartSelectEncounter(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	encs := e.encounters("smart-patient-1")
	if len(encs) < 2 {
		t.Fatalf("encounters %v", encs)
	}
	chart := basePath + "/ehr/patients/smart-patient-1"
	p := b.get(chart)
	var selectLinks []string
	for _, a := range elems(section(t, p.doc, "Encounters"), "a") {
		selectLinks = append(selectLinks, attr(a, "href"))
	}
	var wantLinks []string
	for _, id := range encs {
		wantLinks = append(wantLinks, chart+"?"+url.Values{"encounter": {id}}.Encode())
	}
	if diff := cmp.Diff(wantLinks, selectLinks); diff != "" {
		t.Errorf("select links (-want +got):\n%s", diff)
	}

	p = b.get(wantLinks[1])
	sel := byClass(p.doc, "tr", "selected")
	if len(sel) != 1 || !strings.Contains(text(sel[0]), "Selected for launch") {
		t.Fatalf("selected rows %q", texts(sel))
	}
	forms := launchForms(p.doc)
	if len(forms) != 1 || forms[0]["encounter"] != encs[1] {
		t.Errorf("launch forms %v, want encounter %s", forms, encs[1])
	}
	links := elems(section(t, p.doc, "Encounters"), "a")
	if len(links) == 0 || attr(links[0], "href") != chart || text(links[0]) != "Launch without an encounter" {
		t.Errorf("first link %q, want the clear link", texts(links))
	}

	// Another patient's encounter is not selected, and says so.
	other := e.encounters("smart-patient-2")[0]
	p = b.get(chart + "?encounter=" + other)
	if n := len(byClass(p.doc, "tr", "selected")); n != 0 {
		t.Errorf("%d rows selected for another patient's encounter", n)
	}
	if _, ok := launchForms(p.doc)[0]["encounter"]; ok {
		t.Error("launch form carries another patient's encounter")
	}
	var alerts []string
	for _, n := range elems(p.doc, "p") {
		if attr(n, "role") == "alert" {
			alerts = append(alerts, text(n))
		}
	}
	if !slices.Contains(alerts, "That encounter is not one of this patient's; apps open without an encounter.") {
		t.Errorf("alerts %q", alerts)
	}
}

func TestChartOtherPatients(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	tests := []struct {
		id     string
		status int
		want   []string // texts the page must contain
	}{
		{"smart-patient-2", http.StatusOK, []string{"Aoife Grace O'Connor", "Peanut", "high", "Body weight over time"}},
		{"smart-patient-4", http.StatusOK, []string{"Deceased 2024-10-31", "Age 80 y"}},
		{"smart-patient-5", http.StatusOK, []string{"Priya Lakshmi Raman", "Thyrotropin [Units/volume] in Serum or Plasma 2 mIU/L 2024-11-05"}},
		{"no-such-patient", http.StatusNotFound, []string{"No such patient"}},
	}
	for _, tc := range tests {
		p := b.get(basePath + "/ehr/patients/" + tc.id)
		if p.status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.id, p.status, tc.status)
			continue
		}
		body := text(p.doc)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", tc.id, w)
			}
		}
	}
}

func TestPageHeaders(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	for _, path := range []string{"/ehr/", "/ehr/patients/smart-patient-1", "/ehr/login", "/ehr/nothing-here"} {
		p := b.get(basePath + path)
		if path == "/ehr/login" {
			p = e.browser().get(basePath + path)
		}
		if p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("Cache-Control") != "no-store" || p.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, p.header)
		}
	}
	if p := b.get(basePath + "/ehr/nothing-here"); p.status != http.StatusNotFound {
		t.Errorf("unknown EHR page: %d", p.status)
	}
}
