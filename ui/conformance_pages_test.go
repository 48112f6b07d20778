package ui

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func conformanceResults() ConformanceResultsPage {
	return ConformanceResultsPage{
		Target: "https://fhir.example/r4", Started: "2026-06-01 12:00:00 UTC", Summary: "1 passed, 1 failed, 1 skipped",
		Failed: 1, Duration: "1.2s", JUnitURL: "/conformance/runs/x/junit.xml", HTMLURL: "/conformance/runs/x/report.html",
		BackURL: "/conformance/",
		Groups: []ConformanceGroup{{Name: "discovery", Passed: 1, Failed: 1, Skipped: 1, Checks: []ConformanceCheck{
			{Name: "required fields are present", Status: "pass", Spec: "SMART 2.2"},
			{Name: "smart-configuration is served as JSON", Status: "fail", Reason: "Content-Type is " + evil, Spec: "SMART 2.2",
				Exchanges: []ConformanceExchange{{Summary: "GET https://fhir.example/r4/.well-known/smart-configuration → 200",
					Request: "GET /r4/.well-known/smart-configuration HTTP/1.1", Response: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + evil}}},
			{Name: "endpoints use TLS", Status: "skip", Reason: "loopback", Spec: "SMART 2.2"},
		}}},
	}
}

// TestConformanceResults: the summary, the downloads, each check's
// result, and the failed check's exchange in a details element, with
// hostile text escaped.
func TestConformanceResults(t *testing.T) {
	raw, doc := render(t, ConformanceResults(conformanceResults()))
	if strings.Contains(raw, "<script>alert") {
		t.Error("unescaped <script> in output")
	}
	if got := texts(all(doc, "strong")); len(got) == 0 || got[0] != "1 passed, 1 failed, 1 skipped" {
		t.Errorf("summary %q", got)
	}
	if got := texts(all(doc, "td")); !cmp.Equal(got, []string{"✓ passed", "✗ failed", "– skipped"}) {
		t.Errorf("results %q", got)
	}
	details := all(doc, "details")
	if len(details) != 1 {
		t.Fatalf("details: %d, want 1 (the failed check's exchange)", len(details))
	}
	if got := texts(all(details[0], "summary")); !cmp.Equal(got, []string{"GET https://fhir.example/r4/.well-known/smart-configuration → 200"}) {
		t.Errorf("exchange summary %q", got)
	}
	if pres := all(details[0], "pre"); len(pres) != 2 || !strings.Contains(text(pres[1]), "Content-Type: text/plain") {
		t.Errorf("request and response: %q", texts(pres))
	}
	var hrefs []string
	for _, a := range all(doc, "a") {
		if _, ok := attr(a, "download"); ok {
			h, _ := attr(a, "href")
			hrefs = append(hrefs, h)
		}
	}
	if !cmp.Equal(hrefs, []string{"/conformance/runs/x/junit.xml", "/conformance/runs/x/report.html"}) {
		t.Errorf("downloads %q", hrefs)
	}

	running := conformanceResults()
	running.Running = true
	_, doc = render(t, ConformanceResults(running))
	if n := len(all(doc, "table")); n != 0 || !strings.Contains(text(doc), "running") {
		t.Errorf("a running run shows %d tables: %s", n, text(doc))
	}
}

// TestConformanceForm: both forms carry the CSRF token; the server field
// is prefilled; admin mode is offered only when the page says so; the
// error is an alert; the key and password are never refilled.
func TestConformanceForm(t *testing.T) {
	for _, admin := range []bool{true, false} {
		p := ConformanceFormPage{User: "jose", CSRF: "tok", Action: "/conformance/runs", LogoutAction: "/conformance/logout",
			FHIRBase: "https://smartd.example/fhir", OurFHIRBase: "https://smartd.example/fhir", AdminMode: admin,
			Username: evil, Error: evil, Runs: []ConformanceRunLink{{URL: "/conformance/runs/x", Target: "t", Started: "s", Summary: "0 failed"}}}
		raw, doc := render(t, ConformanceForm(p))
		if strings.Contains(raw, "<script>alert") {
			t.Error("unescaped <script> in output")
		}
		forms := all(doc, "form")
		if len(forms) != 2 {
			t.Fatalf("forms: %d, want 2", len(forms))
		}
		for _, f := range forms {
			if got := hiddenValues(f)["csrf_token"]; !cmp.Equal(got, []string{"tok"}) {
				t.Errorf("csrf_token %q", got)
			}
		}
		if in := byAttr(doc, "input", "name", "fhir_base"); len(in) != 1 {
			t.Error("no fhir_base field")
		} else if v, _ := attr(in[0], "value"); v != p.FHIRBase {
			t.Errorf("fhir_base %q", v)
		}
		if got := len(byAttr(doc, "input", "name", "use_admin")); got != map[bool]int{true: 1, false: 0}[admin] {
			t.Errorf("admin mode %v: %d checkboxes", admin, got)
		}
		if alerts := byAttr(doc, "p", "role", "alert"); len(alerts) != 1 || text(alerts[0]) != evil {
			t.Errorf("alert %q", texts(alerts))
		}
		for _, name := range []string{"password", "key_pem"} {
			for _, n := range append(byAttr(doc, "input", "name", name), byAttr(doc, "textarea", "name", name)...) {
				if v, _ := attr(n, "value"); v != "" || text(n) != "" {
					t.Errorf("%s is refilled", name)
				}
			}
		}
		if links := byAttr(doc, "a", "href", "/conformance/runs/x"); len(links) != 1 {
			t.Error("the recent run is not linked")
		}
	}
}
