package main

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smartd/audit"
	"smartd/fhirproxy/validate"
)

// auditData writes an audit trail into a new data directory: four
// records of the last hour (a0 oldest) and one of two days ago (old).
func auditData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	l, err := audit.Open(filepath.Join(dir, audit.FileName), audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, r := range []audit.Record{
		{Time: now.Add(-48 * time.Hour), Kind: audit.KindAuth, ClientID: "growth", Interaction: audit.AuthToken, Status: 200, RequestID: "old"},
		{Time: now.Add(-40 * time.Minute), Kind: audit.KindAuth, User: "dr.morgan", Interaction: audit.AuthLogin, Outcome: audit.OutcomeDenied, Reason: "bad credentials", RequestID: "a0"},
		{Time: now.Add(-30 * time.Minute), Kind: audit.KindAuth, ClientID: "growth", Interaction: audit.AuthAuthorize, Status: 302, Scope: "launch patient/*.rs", RequestID: "a1"},
		{Time: now.Add(-20 * time.Minute), Kind: audit.KindFHIR, ClientID: "growth", User: "Practitioner/p1", Patient: "A", Interaction: "read",
			ResourceType: "Patient", ResourceID: "B", Status: 403, Reason: "outside the\npatient compartment", RequestID: "a2"},
		{Time: now.Add(-10 * time.Minute), Kind: audit.KindFHIR, ClientID: "backend", Interaction: "search-type", ResourceType: "Observation",
			Query: "category=laboratory", Status: 200, RequestID: "a3"},
	} {
		l.Record(r)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestAuditCommandTable(t *testing.T) {
	dir := auditData(t)
	out, _, err := runCLI(t, map[string]string{"SMARTD_DATA": dir}, "audit")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want a header and the four records of the last 24 h:\n%s", len(lines), out)
	}
	for i, want := range [][]string{
		{"TIME", "KIND", "OUTCOME", "STATUS", "CLIENT", "USER", "PATIENT", "ACTION", "RESOURCE", "REASON"},
		{"fhir", "success", "200", "backend", "-", "-", "search-type", "Observation?category=laboratory"},
		{"fhir", "denied", "403", "growth", "Practitioner/p1", "A", "read", "Patient/B", "outside", "the", "patient", "compartment"},
		{"auth", "success", "302", "growth", "-", "-", "authorize", "-"},
		{"auth", "denied", "-", "-", "dr.morgan", "-", "login", "-", "bad", "credentials"},
	} {
		got := strings.Fields(lines[i])
		if i > 0 {
			got = got[1:] // the time
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("line %d (-want +got):\n%s", i, diff)
		}
	}
}

func TestAuditCommandJSONAndFilters(t *testing.T) {
	dir := auditData(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-json", "-since", ""}, []string{"a3", "a2", "a1", "a0", "old"}},
		{[]string{"-json", "-since", "3d", "-client", "growth"}, []string{"a2", "a1", "old"}},
		{[]string{"-format", "json", "-outcome", "denied"}, []string{"a2", "a0"}},
		{[]string{"-json", "-kind", "fhir", "-type", "Patient", "-patient", "A", "-user", "Practitioner/p1"}, []string{"a2"}},
		{[]string{"-json", "-until", "25m"}, []string{"a1", "a0"}},
		{[]string{"-json", "-limit", "2"}, []string{"a3", "a2"}},
	} {
		out, _, err := runCLI(t, nil, append([]string{"audit", "-data", dir}, c.args...)...)
		if err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		got := []string{}
		for line := range strings.Lines(out) {
			var r audit.Record
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%v: %q: %v", c.args, line, err)
			}
			got = append(got, r.RequestID)
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", c.args, diff)
		}
	}
}

func TestAuditCommandAuditEvents(t *testing.T) {
	dir := auditData(t)
	out, _, err := runCLI(t, nil, "audit", "-data", dir, "-format", "auditevent", "-base-url", "https://ehr.example.org/")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := validate.Check([]byte(out), "Bundle"); err != nil {
		t.Fatalf("not a valid Bundle: %v\n%s", err, out)
	}
	var b struct {
		Entry []struct {
			FullURL  string
			Resource struct{ ResourceType, Outcome string }
		}
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, e := range b.Entry {
		if e.Resource.ResourceType != "AuditEvent" || !strings.HasPrefix(e.FullURL, "https://ehr.example.org/fhir/AuditEvent/") {
			t.Errorf("entry %+v", e)
		}
		outcomes = append(outcomes, e.Resource.Outcome)
	}
	if diff := cmp.Diff([]string{"0", "4", "0", "4"}, outcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func TestAuditCommandRefusals(t *testing.T) {
	dir := auditData(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-format", "xml"}, `-format "xml"`},
		{[]string{"-json", "-format", "auditevent"}, "give one"},
		{[]string{"-since", "yesterday"}, "-since"},
		{[]string{"-until", "-1h"}, "-until"},
		{[]string{"-outcome", "ok"}, "unknown outcome"},
		{[]string{"-limit", "0"}, "-limit"},
		{[]string{"extra"}, "no arguments"},
	} {
		_, _, err := runCLI(t, nil, append([]string{"audit", "-data", dir}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error with %q", c.args, err, c.want)
		}
	}
	if _, _, err := runCLI(t, nil, "audit", "-data", filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), "no audit trail") {
		t.Errorf("missing data directory: %v", err)
	}
}

func TestAuditCommandRefusesALockedTrail(t *testing.T) {
	dir := auditData(t)
	// A running server holds the file open for writing.
	l, err := audit.Open(filepath.Join(dir, audit.FileName), audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	_, _, err = runCLI(t, nil, "audit", "-data", dir, "-addr", "127.0.0.1:9999")
	if !errors.Is(err, audit.ErrLocked) || !strings.Contains(err.Error(), "is a smartd server running") ||
		!strings.Contains(err.Error(), "GET http://127.0.0.1:9999/admin/api/audit") {
		t.Errorf("audit while a server holds the trail: %v, want ErrLocked pointing at the admin API", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused after %v", d)
	}
}
