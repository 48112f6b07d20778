package conformance

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleReport() *Report {
	return &Report{
		FHIRBase: "https://ehr.example/fhir", Started: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Duration: 1500 * time.Millisecond,
		Results: []Result{
			{Group: GroupDiscovery, Name: "one", Spec: "s1", Status: Pass, Reason: "saw it", Duration: time.Millisecond},
			{Group: GroupDiscovery, Name: "two", Spec: "s2", Status: Fail, Reason: "got 200, want 401",
				Exchanges: []Exchange{{Method: "GET", URL: "https://ehr.example/fhir/Patient", Status: 200,
					Request: "GET /fhir/Patient HTTP/1.1", Response: "HTTP/1.1 200 OK\r\n\r\n<script>alert(1)</script>"}}},
			{Group: GroupBackendServices, Name: "three", Spec: "s3", Status: Skip, Reason: "no client"},
			{Group: GroupBackendServices, Name: "four", Spec: "s4", Status: Fail, Reason: "line one\nline two",
				Exchanges: []Exchange{{Method: "POST", URL: "https://ehr.example/token", Response: "error: connection refused"}}},
		},
	}
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	want := `SMART conformance of https://ehr.example/fhir

discovery
  ✓ one (saw it)
  ✗ two
      got 200, want 401
      GET https://ehr.example/fhir/Patient → 200

backend-services
  – three (skipped: no client)
  ✗ four
      line one
      line two
      POST https://ehr.example/token → error: connection refused

1 passed, 2 failed, 1 skipped (1.5s)
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("text report (-want +got):\n%s", diff)
	}
	b.Reset()
	sampleReport().WriteText(&b, true)
	if !strings.Contains(b.String(), ansiRed+"✗"+ansiReset) || !strings.Contains(b.String(), ansiBold+ansiRed+"1 passed, 2 failed, 1 skipped"+ansiReset) {
		t.Errorf("no colours:\n%q", b.String())
	}
}

func TestWriteJUnit(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if got.Tests != 4 || got.Failures != 2 || got.Skipped != 1 || len(got.Suites) != 2 {
		t.Fatalf("totals: %+v", got)
	}
	d := got.Suites[0]
	if d.Name != GroupDiscovery || d.Tests != 2 || d.Failures != 1 || d.Cases[0].Failure != nil || d.Cases[0].SystemOut != "saw it" {
		t.Errorf("discovery suite: %+v", d)
	}
	if f := d.Cases[1].Failure; f == nil || f.Message != "got 200, want 401" || !strings.Contains(f.Text, "<script>alert(1)</script>") || !strings.Contains(f.Text, "Spec: s2") {
		t.Errorf("failure: %+v", f)
	}
	if s := got.Suites[1].Cases[0].Skipped; s == nil || s.Message != "no client" {
		t.Errorf("skipped: %+v", s)
	}
	if got.Suites[1].Cases[0].Classname != "conformance.backend-services" {
		t.Errorf("classname: %q", got.Suites[1].Cases[0].Classname)
	}
}

func TestWriteHTML(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"1 passed, 2 failed, 1 skipped", `<details open>`, "&lt;script&gt;alert(1)&lt;/script&gt;",
		"GET https://ehr.example/fhir/Patient → 200", "(skipped: no client)", `class="summary failed"`, "no response",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Errorf("a response body reached the page unescaped")
	}
}

func TestReportCounts(t *testing.T) {
	r := sampleReport()
	if p, f, s := r.Counts(); p != 1 || f != 2 || s != 1 || !r.Failed() {
		t.Errorf("counts %d %d %d", p, f, s)
	}
	r.Results = r.Results[:1]
	if r.Failed() {
		t.Errorf("a report without failures failed")
	}
}
