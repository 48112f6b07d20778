package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The sample patients the matrix uses: jose (a patient user) is A.
const (
	patientA    = "smart-patient-1"
	patientB    = "smart-patient-2"
	labCategory = "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
)

// sharedTypes carry no patient's data: patient/ scopes reach all of them.
var sharedTypes = []string{"Practitioner", "PractitionerRole", "Organization", "Location", "Medication"}

// private returns the refs of patient's record that are not also in
// other's and not of a shared type.
func (w *fhirWorld) private(patient, other string) map[string]bool {
	w.t.Helper()
	mine := w.get(testAdminToken, "/Patient/"+patient+"/$everything").refs()
	theirs := w.get(testAdminToken, "/Patient/"+other+"/$everything").refs()
	out := map[string]bool{}
	for _, r := range mine {
		typ, _, _ := strings.Cut(r, "/")
		if !slices.Contains(theirs, r) && !slices.Contains(sharedTypes, typ) {
			out[r] = true
		}
	}
	if len(out) < 5 {
		w.t.Fatalf("patient %s has only %d resources of its own", patient, len(out))
	}
	return out
}

// firstOf returns the first ref of type typ in set.
func firstOf(set map[string]bool, typ string) string {
	var refs []string
	for r := range set {
		if strings.HasPrefix(r, typ+"/") {
			refs = append(refs, r)
		}
	}
	slices.Sort(refs)
	if len(refs) == 0 {
		return ""
	}
	return refs[0]
}

// TestEnforcementPatientAIsNotPatientB: a token for patient A sees A's
// record by every route and nothing of B's.
func TestEnforcementPatientAIsNotPatientB(t *testing.T) {
	w := newFHIRWorld(t)
	ofA, ofB := w.private(patientA, patientB), w.private(patientB, patientA)
	obsA, obsB := firstOf(ofA, "Observation"), firstOf(ofB, "Observation")
	tokA := w.userToken("jose", "jose-demo-2026", "launch/patient openid fhirUser patient/*.rs", "")
	// B's family name, for a chained search.
	family := w.get(testAdminToken, "/Patient/"+patientB).body["name"].([]any)[0].(map[string]any)["family"].(string)

	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantSome   bool // at least one of A's resources comes back
	}{
		{"read own patient", "/Patient/" + patientA, 200, true},
		{"read other patient", "/Patient/" + patientB, 404, false},
		{"read own observation", "/" + obsA, 200, true},
		{"read other's observation", "/" + obsB, 404, false},
		{"vread other's observation", "/" + obsB + "/_history/1", 404, false},
		{"search own", "/Observation?patient=" + patientA, 200, true},
		{"search other", "/Observation?patient=" + patientB, 200, false},
		{"search both", "/Observation?patient=" + patientA + "," + patientB, 200, true},
		{"search subject", "/Observation?subject=Patient/" + patientB, 200, false},
		{"search _id", "/Observation?_id=" + strings.TrimPrefix(obsB, "Observation/"), 200, false},
		{"search all", "/Observation?_count=1000", 200, true},
		{"include", "/Observation?_include=Observation:patient&_count=1000", 200, true},
		{"include all", "/Observation?_include=*&_count=200", 200, true},
		{"revinclude", "/Patient?_revinclude=Observation:patient", 200, true},
		{"chain", "/Observation?subject:Patient.family=" + url.QueryEscape(family), 200, false},
		{"has", "/Patient?_has:Observation:patient:_id=" + strings.TrimPrefix(obsB, "Observation/"), 200, false},
		{"compartment of other", "/Patient/" + patientB + "/Observation", 200, false},
		{"compartment own", "/Patient/" + patientA + "/Observation", 200, true},
		{"system search", "/?_type=Observation,Condition&_count=1000", 200, true},
		{"instance history other", "/" + obsB + "/_history", 404, false},
		{"type history", "/Observation/_history?_count=1000", 200, true},
		{"system history", "/_history?_count=1000", 200, true},
		{"everything other", "/Patient/" + patientB + "/$everything", 404, false},
		{"everything own", "/Patient/" + patientA + "/$everything", 200, true},
		{"post search other", "/Observation/_search", 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r fhirReply
			if strings.HasSuffix(tt.path, "/_search") {
				r = w.post(tokA, tt.path, url.Values{"patient": {patientB}})
			} else {
				r = w.get(tokA, tt.path)
			}
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tt.wantStatus, r.raw)
			}
			if r.status == http.StatusNotFound && r.issueCode() != "not-found" {
				t.Errorf("404 without a not-found OperationOutcome: %s", r.raw)
			}
			some := false
			for _, ref := range r.refs() {
				if ofB[ref] {
					t.Errorf("patient A's token sees %s of patient B", ref)
				}
				some = some || ofA[ref]
			}
			if some != tt.wantSome {
				t.Errorf("saw A's resources: %v, want %v (%d refs)", some, tt.wantSome, len(r.refs()))
			}
		})
	}
	t.Run("batch", func(t *testing.T) {
		bundle := `{"resourceType":"Bundle","type":"batch","entry":[
			{"request":{"method":"GET","url":"Patient/` + patientB + `"}},
			{"request":{"method":"GET","url":"Patient/` + patientA + `"}},
			{"request":{"method":"GET","url":"Observation?patient=` + patientB + `"}}]}`
		r := w.do(tokA, http.MethodPost, "", bundle)
		if r.status != 200 {
			t.Fatalf("batch: %d %s", r.status, r.raw)
		}
		var statuses []string
		for _, e := range r.body["entry"].([]any) {
			statuses = append(statuses, e.(map[string]any)["response"].(map[string]any)["status"].(string))
		}
		if !strings.HasPrefix(statuses[0], "404") || !strings.HasPrefix(statuses[1], "200") || !strings.HasPrefix(statuses[2], "200") {
			t.Errorf("entry statuses %v, want 404, 200, 200", statuses)
		}
		if strings.Contains(r.raw, `"id":"`+patientB+`"`) || strings.Contains(r.raw, strings.TrimPrefix(obsB, "Observation/")) {
			t.Errorf("batch leaks patient B: %s", r.raw)
		}
	})
	t.Run("paging link replayed with another patient's token", func(t *testing.T) {
		first := w.get(tokA, "/Observation?_count=2")
		next := first.next()
		if next == "" {
			t.Fatal("no next link")
		}
		tokB := w.userToken("dr.morgan", "morgan-demo-2026", "launch/patient patient/*.rs", patientB)
		r := w.get(tokB, next)
		if r.status != 200 {
			t.Fatalf("replayed next: %d %s", r.status, r.raw)
		}
		for _, ref := range r.refs() {
			if ofA[ref] {
				t.Errorf("B's token sees A's %s through A's paging link", ref)
			}
		}
	})
}

// post sends a form-encoded POST (FHIR _search).
func (w *fhirWorld) post(token, path string, form url.Values) fhirReply {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	return w.send(req)
}
