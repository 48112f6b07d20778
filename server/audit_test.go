package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// auditRecords queries the admin API's audit trail, retrying briefly:
// records reach the file in batches (every 200 ms).
func (w *fhirWorld) auditRecords(query string, want func([]map[string]any) bool) []map[string]any {
	w.t.Helper()
	var page struct {
		Records []map[string]any `json:"records"`
	}
	for range 50 {
		code, body := adminDo(w.t, w.ts, testAdminToken, "GET", "/audit?"+query, "")
		if code != http.StatusOK {
			w.t.Fatalf("GET /admin/api/audit?%s: %d %s", query, code, body)
		}
		page.Records = nil
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			w.t.Fatal(err)
		}
		if want(page.Records) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return page.Records
}

// TestAuditTrail: FHIR accesses, allowed and refused, and failed sign-ins
// reach the audit trail with who, what and the outcome.
func TestAuditTrail(t *testing.T) {
	w := newFHIRWorld(t)
	tok := w.userToken("jose", "jose-demo-2026", "launch/patient patient/Observation.rs", "")
	w.get(tok, "/Patient/"+patientA)                         // 403: no Patient scope
	w.get(tok, "/Observation?patient="+patientA+"&_count=1") // 200
	w.get("", "/Observation")                                // 401
	l := newLaunch(t, w.ts)
	_, page := l.start("launch/patient patient/*.rs")
	l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"wrong-password"}})

	recs := w.auditRecords("kind=fhir&client_id="+matrixApp, func(r []map[string]any) bool { return len(r) >= 2 })
	var got []string
	for _, r := range recs {
		got = append(got, r["interaction"].(string)+" "+r["resource_type"].(string)+" "+r["outcome"].(string))
		if r["user"] != "Patient/"+patientA || r["patient"] != patientA {
			t.Errorf("record without the user and patient context: %v", r)
		}
	}
	if strings.Join(got, ", ") != "search-type Observation success, read Patient denied" {
		t.Errorf("FHIR records (newest first): %q", got)
	}
	denied := w.auditRecords("kind=fhir&outcome=denied", func(r []map[string]any) bool { return len(r) >= 2 })
	var reasons []string
	for _, r := range denied {
		reasons = append(reasons, r["reason"].(string))
	}
	if len(reasons) < 2 || !strings.Contains(strings.Join(reasons, "|"), "access token") || !strings.Contains(strings.Join(reasons, "|"), "no granted scope") {
		t.Errorf("refusals and their reasons: %q", reasons)
	}
	logins := w.auditRecords("kind=auth&outcome=denied", func(r []map[string]any) bool { return len(r) >= 1 })
	if len(logins) != 1 || logins[0]["user"] != "jose" || logins[0]["interaction"] != "login" {
		t.Errorf("failed sign-in records: %v", logins)
	}
}
