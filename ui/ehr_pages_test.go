package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

var ehrNav = EHRNav{User: "Dr. Adaeze Morgan", PatientsURL: "/ehr/", LogoutAction: "/ehr/logout", CSRF: "tok"}

var joseBanner = EHRBanner{Name: "José Antonio Ñúñez", Gender: "male", Age: "54 y", BirthDate: "1971-03-14", MRN: "100001", ChartURL: "/ehr/patients/smart-patient-1"}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func ehrPatientsPage() EHRPatientsPage {
	return EHRPatientsPage{
		Nav: ehrNav, Action: "/ehr/",
		Query: PatientQuery{Name: "nunez", BirthDate: "1971-03-14", Identifier: "100001"},
		Patients: []EHRPatientRow{
			{URL: "/ehr/patients/smart-patient-1", Name: "José Antonio Ñúñez", Gender: "male", BirthDate: "1971-03-14", Age: "54 y", MRN: "100001"},
			{URL: "/ehr/patients/smart-patient-4", Name: "Walter Jan Kowalczyk", Gender: "male", BirthDate: "1944-08-12", Age: "80 y", MRN: "100004", Deceased: "2024-10-31"},
		},
		Total: 2, NextURL: "/ehr/?cursor=b", PrevURL: "/ehr/?cursor=a",
	}
}

func ehrChartPage() EHRChartPage {
	return EHRChartPage{
		Nav: ehrNav, Banner: joseBanner,
		Encounters: []EHREncounterRow{
			{ID: "e2", URL: "/ehr/patients/smart-patient-1?encounter=e2", Date: "2024-05-01", Class: "ambulatory", Type: "General examination", Status: "finished", Selected: true},
			{ID: "e1", URL: "/ehr/patients/smart-patient-1?encounter=e1", Date: "2023-01-09", Class: "emergency", Type: "Hyperglycemia", Status: "finished"},
		},
		ClearEncounterURL: "/ehr/patients/smart-patient-1",
		Conditions:        []EHRConditionRow{{Name: "Diabetes mellitus type 2", Status: "active", Onset: "2021-02-09"}},
		Medications:       []EHRMedicationRow{{Name: "Metformin 500 MG", Status: "active", Dosage: "1 tablet twice daily", Date: "2021-02-09"}},
		Allergies:         []EHRAllergyRow{{Substance: "lisinopril", Criticality: "low", Reaction: "Cough", Status: "active"}},
		Immunizations:     []EHRImmunizationRow{{Vaccine: "Influenza", Date: "2021-11-16", Status: "completed"}},
		Vitals:            []EHRObservationRow{{Name: "Body weight", Value: "93.6 kg", Date: "2024-05-01"}},
		Labs:              []EHRObservationRow{{Name: "Hemoglobin A1c", Value: "6.6 %", Flag: "H", Date: "2024-05-01"}},
		Trend: EHRTrend{Name: "Body weight", Unit: "kg", Points: []EHRTrendPoint{
			{When: day("2021-02-09"), Date: "2021-02-09", Value: 102.4},
			{When: day("2024-05-01"), Date: "2024-05-01", Value: 93.6},
		}},
		Apps:         []EHRApp{{ClientID: "growth", Name: "Growth Chart"}, {ClientID: "demo-public", Name: "smartd demo public app"}},
		LaunchAction: "/ehr/patients/smart-patient-1/launch", CSRF: "tok",
	}
}

func ehrFramePage() EHRAppFramePage {
	return EHRAppFramePage{Nav: ehrNav, Banner: joseBanner, AppName: "Growth Chart",
		LaunchURL: "https://app.example/launch?iss=https%3A%2F%2Fehr.example%2Ffhir&launch=abc", BackURL: "/ehr/patients/smart-patient-1"}
}

// ehrCases are the EHR pages every shared check runs over.
var ehrCases = []struct {
	name      string
	c         templ.Component
	wantTitle string
	wantH1    string
	postForms int
}{
	{"patients", EHRPatients(ehrPatientsPage()), "Patients · smartd", "Patients", 1},
	{"patients/empty", EHRPatients(EHRPatientsPage{Nav: ehrNav, Action: "/ehr/", Total: -1}), "Patients · smartd", "Patients", 1},
	{"chart", EHRChart(ehrChartPage()), "José Antonio Ñúñez · smartd", "Chart of José Antonio Ñúñez", 3},
	{"chart/empty", EHRChart(EHRChartPage{Nav: ehrNav, Banner: EHRBanner{Name: "Kai"}, LaunchAction: "/l", CSRF: "t"}), "Kai · smartd", "Chart of Kai", 1},
	{"frame", EHRAppFrame(ehrFramePage()), "Growth Chart · José Antonio Ñúñez · smartd", "Growth Chart", 1},
	{"error", EHRError(EHRErrorPage{Nav: ehrNav, Message: "There is no such patient.", Status: 404, BackURL: "/ehr/"}), "Not Found · smartd", "Not Found", 1},
	{"error/signed-out", EHRError(EHRErrorPage{Title: "Form expired", Status: 403}), "Form expired · smartd", "Form expired", 0},
	{"chart/evil", EHRChart(EHRChartPage{Nav: EHRNav{User: evil, LogoutAction: "/o", CSRF: evil}, Banner: EHRBanner{Name: evil, MRN: evil},
		Conditions: []EHRConditionRow{{Name: evil}}, Apps: []EHRApp{{ClientID: evil, Name: evil}}, LaunchAction: "/l", CSRF: evil}),
		evil + " · smartd", "Chart of " + evil, 2},
}

func TestEHRPagesShell(t *testing.T) {
	for _, tc := range ehrCases {
		t.Run(tc.name, func(t *testing.T) {
			raw, doc := render(t, tc.c)
			if !strings.HasPrefix(raw, "<!doctype html>") && !strings.HasPrefix(raw, "<!DOCTYPE html>") {
				t.Errorf("no doctype: %.40q", raw)
			}
			if lang, _ := attr(all(doc, "html")[0], "lang"); lang != "en" {
				t.Errorf("lang = %q, want en", lang)
			}
			if got := texts(all(all(doc, "head")[0], "title")); !cmp.Equal(got, []string{tc.wantTitle}) {
				t.Errorf("title = %q, want %q", got, tc.wantTitle)
			}
			if got := texts(all(doc, "h1")); !cmp.Equal(got, []string{tc.wantH1}) {
				t.Errorf("h1 = %q, want [%q]", got, tc.wantH1)
			}
			if got := len(all(doc, "main")); got != 1 {
				t.Errorf("main regions = %d, want 1", got)
			}
			if got := byAttr(doc, "a", "href", "#main"); len(got) != 1 {
				t.Errorf("skip links = %d, want 1", len(got))
			}
			links := byAttr(doc, "link", "rel", "stylesheet")
			if len(links) != 1 {
				t.Fatalf("stylesheets = %d, want 1", len(links))
			}
			if href, _ := attr(links[0], "href"); href != StylesheetURL() {
				t.Errorf("stylesheet href = %q", href)
			}
			if n := len(all(doc, "script")); n != 0 {
				t.Errorf("%d script elements, want 0", n)
			}
			if strings.Contains(raw, "<script>alert") {
				t.Error("unescaped <script> in output")
			}
			checkSameOriginAssets(t, doc)
			checkLabels(t, doc)
			checkEHRForms(t, doc, tc.postForms)
			checkTables(t, doc)
		})
	}
}

// checkSameOriginAssets is checkNoExternalAssets except for the app's
// iframe, whose source is the app's own launch URL by design.
func checkSameOriginAssets(t *testing.T, doc *html.Node) {
	t.Helper()
	for d := range doc.Descendants() {
		if d.Type != html.ElementNode || d.Data == "a" || d.Data == "iframe" {
			continue
		}
		for _, key := range []string{"src", "href"} {
			if v, ok := attr(d, key); ok && (!strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//")) {
				t.Errorf("<%s %s=%q> is not a same-origin path", d.Data, key, v)
			}
		}
	}
}

// checkEHRForms requires every form to be GET without a token or POST
// with exactly one real csrf_token, and counts the POST ones.
func checkEHRForms(t *testing.T, doc *html.Node, wantPost int) {
	t.Helper()
	post := 0
	for _, f := range all(doc, "form") {
		hv := hiddenValues(f)
		switch m, _ := attr(f, "method"); m {
		case "post":
			post++
			if len(hv["csrf_token"]) != 1 || hv["csrf_token"][0] == "" {
				t.Errorf("POST form csrf_token = %q, want one token", hv["csrf_token"])
			}
		case "get":
			if _, ok := hv["csrf_token"]; ok {
				t.Error("GET form leaks csrf_token into the URL")
			}
		default:
			t.Errorf("form method %q", m)
		}
	}
	if post != wantPost {
		t.Errorf("POST forms = %d, want %d", post, wantPost)
	}
}

// checkTables requires every data table's header cells to have a scope,
// so that screen readers announce each cell's column and row.
func checkTables(t *testing.T, doc *html.Node) {
	t.Helper()
	for _, th := range all(doc, "th") {
		if s, _ := attr(th, "scope"); s != "col" && s != "row" {
			t.Errorf("<th>%s</th> has scope %q", text(th), s)
		}
	}
}

func TestEHRHeader(t *testing.T) {
	_, doc := render(t, EHRPatients(ehrPatientsPage()))
	if got := texts(all(doc, "header")); !cmp.Equal(got, []string{"smartd EHR Patients Dr. Adaeze Morgan Sign out"}) {
		t.Errorf("header = %q", got)
	}
	navs := byAttr(doc, "nav", "aria-label", "EHR")
	if len(navs) != 1 {
		t.Fatalf("EHR navs = %d, want 1", len(navs))
	}
	forms := all(navs[0], "form")
	if len(forms) != 1 {
		t.Fatalf("sign-out forms = %d", len(forms))
	}
	if a, _ := attr(forms[0], "action"); a != "/ehr/logout" {
		t.Errorf("sign-out action = %q", a)
	}
	_, doc = render(t, EHRError(EHRErrorPage{Status: 403}))
	if got := texts(all(doc, "header")); !cmp.Equal(got, []string{"smartd EHR"}) {
		t.Errorf("signed-out header = %q, want the brand only", got)
	}
}

func TestEHRPatients(t *testing.T) {
	_, doc := render(t, EHRPatients(ehrPatientsPage()))
	wantQuery := map[string]string{"name": "nunez", "birthdate": "1971-03-14", "identifier": "100001"}
	if diff := cmp.Diff(wantQuery, fieldValues(doc, "get")); diff != "" {
		t.Errorf("search fields (-want +got):\n%s", diff)
	}
	var rows [][]string
	for _, tr := range all(all(doc, "tbody")[0], "tr") {
		var cells []string
		for c := range tr.ChildNodes() {
			if c.Type == html.ElementNode {
				cells = append(cells, text(c))
			}
		}
		rows = append(rows, cells)
	}
	want := [][]string{
		{"José Antonio Ñúñez", "male", "1971-03-14", "54 y", "100001"},
		{"Walter Jan Kowalczyk deceased", "male", "1944-08-12", "80 y", "100004"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	wantLinks := []string{"/ehr/", "/ehr/patients/smart-patient-1", "/ehr/patients/smart-patient-4", "/ehr/?cursor=a", "/ehr/?cursor=b"}
	if diff := cmp.Diff(wantLinks, hrefs(doc)); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if got := texts(byAttr(doc, "p", "role", "status")); !cmp.Equal(got, []string{"2 patients"}) {
		t.Errorf("summary = %q", got)
	}

	for _, tc := range []struct {
		page EHRPatientsPage
		want string
	}{
		{EHRPatientsPage{Query: PatientQuery{Name: "zz"}, Total: 0}, "No patients match this search."},
		{EHRPatientsPage{Query: PatientQuery{Name: "zz"}, Total: -1}, "No patients match this search."},
		{EHRPatientsPage{Total: -1}, "There are no patients."},
		{EHRPatientsPage{Total: 1, Patients: []EHRPatientRow{{Name: "A"}}}, "1 patient"},
	} {
		_, doc := render(t, EHRPatients(tc.page))
		if got := texts(byAttr(doc, "p", "role", "status")); !cmp.Equal(got, []string{tc.want}) {
			t.Errorf("%+v: summary = %q, want %q", tc.page, got, tc.want)
		}
	}
}

func TestEHRChart(t *testing.T) {
	_, doc := render(t, EHRChart(ehrChartPage()))
	wantH2 := []string{"Apps", "Body weight over time", "Encounters", "Conditions", "Medications", "Allergies and intolerances",
		"Immunizations", "Recent vital signs", "Recent laboratory results"}
	if diff := cmp.Diff(wantH2, texts(all(doc, "h2"))); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	// Every section is named by its heading.
	for _, s := range all(doc, "section") {
		id, ok := attr(s, "aria-labelledby")
		if !ok {
			if l, _ := attr(s, "aria-label"); l == "" {
				t.Errorf("section %.40q has no name", text(s))
			}
			continue
		}
		if len(byAttr(s, "h2", "id", id)) != 1 {
			t.Errorf("section labelled by %q has no such heading", id)
		}
	}
	banner := byAttr(doc, "section", "class", "banner")[0]
	if diff := cmp.Diff([]string{"Gender", "Age", "Born", "MRN"}, texts(all(banner, "dt"))); diff != "" {
		t.Errorf("banner labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"male", "54 y", "1971-03-14", "100001"}, texts(all(banner, "dd"))); diff != "" {
		t.Errorf("banner values (-want +got):\n%s", diff)
	}

	// The selected encounter is marked, the other can be selected.
	selected := byAttr(doc, "tr", "class", "selected")
	if len(selected) != 1 || !strings.HasPrefix(text(selected[0]), "2024-05-01") {
		t.Errorf("selected rows = %q", texts(selected))
	}
	if got := texts(byAttr(doc, "strong", "aria-current", "true")); !cmp.Equal(got, []string{"Selected for launch"}) {
		t.Errorf("aria-current = %q", got)
	}
	if got := byAttr(doc, "a", "href", "/ehr/patients/smart-patient-1?encounter=e1"); len(got) != 1 || text(got[0]) != "Select the encounter of 2023-01-09, Hyperglycemia" {
		t.Errorf("select link = %q", texts(got))
	}
	if !strings.Contains(text(doc), "Apps open with José Antonio Ñúñez and the encounter of 2024-05-01, General examination.") {
		t.Error("launch context sentence missing")
	}

	// One launch form per app, carrying the app and the encounter.
	var launches []map[string][]string
	for _, f := range byAttr(doc, "form", "action", "/ehr/patients/smart-patient-1/launch") {
		launches = append(launches, hiddenValues(f))
		want := [][3]string{{"Launch " + text(all(f, "strong")[0]), "mode", "embedded"}, {"New tab for " + text(all(f, "strong")[0]), "mode", "tab"}}
		if diff := cmp.Diff(want, buttons(f)); diff != "" {
			t.Errorf("launch buttons (-want +got):\n%s", diff)
		}
		bs := all(f, "button")
		if tgt, _ := attr(bs[1], "formtarget"); tgt != "_blank" {
			t.Errorf("new-tab button formtarget = %q", tgt)
		}
		if _, ok := attr(bs[0], "formtarget"); ok {
			t.Error("embedded button has a formtarget")
		}
	}
	wantLaunches := []map[string][]string{
		{"csrf_token": {"tok"}, "client_id": {"growth"}, "encounter": {"e2"}},
		{"csrf_token": {"tok"}, "client_id": {"demo-public"}, "encounter": {"e2"}},
	}
	if diff := cmp.Diff(wantLaunches, launches); diff != "" {
		t.Errorf("launch forms (-want +got):\n%s", diff)
	}

	// Without a selected encounter, the forms carry none.
	p := ehrChartPage()
	for i := range p.Encounters {
		p.Encounters[i].Selected = false
	}
	p.ClearEncounterURL = ""
	_, doc = render(t, EHRChart(p))
	for _, f := range byAttr(doc, "form", "action", p.LaunchAction) {
		if _, ok := hiddenValues(f)["encounter"]; ok {
			t.Error("launch form carries an encounter though none is selected")
		}
	}
	if !strings.Contains(text(doc), "and no encounter.") {
		t.Error("no-encounter sentence missing")
	}

	// Flags and criticality are shown.
	if got := texts(byAttr(doc, "strong", "class", "flag")); !cmp.Equal(got, []string{"H"}) {
		t.Errorf("flags = %q", got)
	}
}

func TestEHRChartEmpty(t *testing.T) {
	_, doc := render(t, EHRChart(EHRChartPage{Banner: EHRBanner{Name: "Kai"}, LaunchAction: "/l", CSRF: "t"}))
	body := text(all(doc, "main")[0])
	if n := strings.Count(body, "None recorded."); n != 7 {
		t.Errorf(`"None recorded." %d times, want 7 (encounters and six sections)`, n)
	}
	if !strings.Contains(body, "No registered app has a launch URL.") {
		t.Error("no-apps text missing")
	}
	if n := len(all(doc, "svg")); n != 0 {
		t.Errorf("%d svg without a trend", n)
	}
}

func TestEHRAppFrame(t *testing.T) {
	_, doc := render(t, EHRAppFrame(ehrFramePage()))
	frames := all(doc, "iframe")
	if len(frames) != 1 {
		t.Fatalf("iframes = %d", len(frames))
	}
	f := frames[0]
	if src, _ := attr(f, "src"); src != ehrFramePage().LaunchURL {
		t.Errorf("src = %q", src)
	}
	if title, _ := attr(f, "title"); title != "Growth Chart" {
		t.Errorf("iframe title = %q", title)
	}
	sb, ok := attr(f, "sandbox")
	if !ok || strings.Contains(sb, "allow-top-navigation") || !strings.Contains(sb, "allow-scripts") {
		t.Errorf("sandbox = %q (present %v)", sb, ok)
	}
	if len(byAttr(doc, "section", "class", "banner")) != 1 {
		t.Error("no patient banner around the embedded app")
	}
	if got := byAttr(doc, "a", "href", "/ehr/patients/smart-patient-1"); len(got) != 2 {
		t.Errorf("links back to the chart = %d, want 2 (banner name and close)", len(got))
	}

	raw, _ := render(t, EHRAppFrame(EHRAppFramePage{AppName: "x", LaunchURL: "javascript:alert(1)"}))
	if strings.Contains(raw, "javascript:") {
		t.Error("javascript: URL rendered as the frame source")
	}
}

var trendTests = []struct {
	name   string
	points []EHRTrendPoint
	want   string // polyline
}{
	{"by time", []EHRTrendPoint{{When: day("2020-01-01"), Value: 100}, {When: day("2020-01-03"), Value: 90}, {When: day("2020-01-05"), Value: 95}},
		"6.0,6.0 160.0,58.0 314.0,32.0"},
	{"uneven times", []EHRTrendPoint{{When: day("2020-01-01"), Value: 1}, {When: day("2020-01-02"), Value: 2}, {When: day("2020-01-11"), Value: 3}},
		"6.0,58.0 36.8,32.0 314.0,6.0"},
	{"equal values centred", []EHRTrendPoint{{When: day("2020-01-01"), Value: 5}, {When: day("2021-01-01"), Value: 5}},
		"6.0,32.0 314.0,32.0"},
	{"same time, by index", []EHRTrendPoint{{When: day("2020-01-01"), Value: 1}, {When: day("2020-01-01"), Value: 3}},
		"6.0,58.0 314.0,6.0"},
	{"one point", []EHRTrendPoint{{When: day("2020-01-01"), Value: 1}}, "160.0,32.0"},
}

func TestEHRTrend(t *testing.T) {
	for _, tc := range trendTests {
		t.Run(tc.name, func(t *testing.T) {
			tr := EHRTrend{Name: "Body weight", Unit: "kg", Points: tc.points}
			if got := tr.polyline(); got != tc.want {
				t.Errorf("polyline = %q, want %q", got, tc.want)
			}
			if tr.show() != (len(tc.points) >= 2) {
				t.Errorf("show = %v with %d points", tr.show(), len(tc.points))
			}
		})
	}
	tr := ehrChartPage().Trend
	want := "102.4 kg on 2021-02-09 to 93.6 kg on 2024-05-01; lowest 93.6 kg, highest 102.4 kg, 2 measurements."
	if got := tr.description(); got != want {
		t.Errorf("description = %q\nwant %q", got, want)
	}
	_, doc := render(t, EHRChart(ehrChartPage()))
	svgs := all(doc, "svg")
	if len(svgs) != 1 {
		t.Fatalf("svgs = %d", len(svgs))
	}
	if role, _ := attr(svgs[0], "role"); role != "img" {
		t.Errorf("svg role = %q", role)
	}
	if l, _ := attr(svgs[0], "aria-labelledby"); texts(byAttr(svgs[0], "title", "id", l)) == nil || text(byAttr(svgs[0], "title", "id", l)[0]) != "Body weight over time" {
		t.Errorf("svg is not named by its title (aria-labelledby %q)", l)
	}
	if d, _ := attr(svgs[0], "aria-describedby"); len(byAttr(doc, "figcaption", "id", d)) != 1 {
		t.Errorf("svg is not described by the caption (aria-describedby %q)", d)
	}
	if got := texts(all(doc, "figcaption")); !cmp.Equal(got, []string{want}) {
		t.Errorf("caption = %q", got)
	}
	if pts, _ := attr(all(svgs[0], "polyline")[0], "points"); pts != "6.0,6.0 314.0,58.0" {
		t.Errorf("points = %q", pts)
	}
}

// FuzzEHRTrend checks that any finite values at any times in order stay
// inside the drawing box.
func FuzzEHRTrend(f *testing.F) {
	for _, tc := range trendTests {
		var v [3]float64
		var gap [2]uint32
		for i, p := range tc.points {
			v[i] = p.Value
			if i > 0 {
				gap[i-1] = uint32(p.When.Sub(tc.points[i-1].When) / time.Second)
			}
		}
		f.Add(v[0], v[1], v[2], gap[0], gap[1])
	}
	f.Fuzz(func(t *testing.T, a, b, c float64, gap1, gap2 uint32) {
		for _, v := range []float64{a, b, c} {
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e12 {
				return // FHIR decimals read from JSON are finite
			}
		}
		t0 := day("2020-01-01")
		t1 := t0.Add(time.Duration(gap1) * time.Second)
		t2 := t1.Add(time.Duration(gap2) * time.Second)
		tr := EHRTrend{Points: []EHRTrendPoint{{When: t0, Value: a}, {When: t1, Value: b}, {When: t2, Value: c}}}
		for _, p := range tr.coords() {
			if !(p[0] >= 0 && p[0] <= sparkWidth && p[1] >= 0 && p[1] <= sparkHeight) {
				t.Fatalf("point %v outside the %dx%d box for %+v", p, sparkWidth, sparkHeight, tr.Points)
			}
		}
	})
}
