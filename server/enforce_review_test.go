package server_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// A second look at the enforcement of SMART scopes and launch context:
// the first tests below show ways a token for patient A changes patient
// B's record or learns of it; the rest pin down routes found safe.

// statusAndETag sends a FHIR request and returns its status and ETag.
func (w *fhirWorld) statusAndETag(token, method, path, body string) (int, string) {
	w.t.Helper()
	req, err := http.NewRequest(method, w.base+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("ETag")
}

// createAs creates a resource with token and returns its id.
func (w *fhirWorld) createAs(token, typ, body string) string {
	w.t.Helper()
	r := w.do(token, http.MethodPost, "/"+typ, body)
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		w.t.Fatalf("create %s: %d %s", typ, r.status, r.raw)
	}
	return id
}

// versions lists "Type/id/versionId" of a bundle's entries.
func (r fhirReply) versions() []string {
	var out []string
	entries, _ := r.body["entry"].([]any)
	for _, e := range entries {
		res, _ := e.(map[string]any)["resource"].(map[string]any)
		if res == nil {
			continue
		}
		meta, _ := res["meta"].(map[string]any)
		v, _ := meta["versionId"].(string)
		out = append(out, res["resourceType"].(string)+"/"+res["id"].(string)+"/"+v)
	}
	return out
}

func observationJSON(id, subject, performer, text string) string {
	s := `{"resourceType":"Observation",`
	if id != "" {
		s += `"id":"` + id + `",`
	}
	s += `"status":"final","code":{"text":"` + text + `"},"subject":{"reference":"Patient/` + subject + `"}`
	if performer != "" {
		s += `,"performer":[{"reference":"Patient/` + performer + `"}]`
	}
	return s + "}"
}

// TestReviewWriteIntoAnotherPatientsCompartment: a patient-scoped write
// must not put a resource into another patient's compartment. A resource
// that names A in one compartment parameter (Observation.performer,
// Condition.asserter) and B in another (subject) is in both compartments:
// A's token is let through because the resource is in A's, and B's record
// gains an Observation or Condition about B written by A's app.
func TestReviewWriteIntoAnotherPatientsCompartment(t *testing.T) {
	w := newFHIRWorld(t)
	tokA := w.userToken("jose", "jose-demo-2026", "launch/patient patient/Observation.cruds patient/Condition.cruds", "")
	tokB := w.userToken("dr.morgan", "morgan-demo-2026", "launch/patient patient/*.rs", patientB)
	own := w.createAs(tokA, "Observation", observationJSON("", patientA, "", "own"))
	condition := `{"resourceType":"Condition","code":{"text":"planted"},"subject":{"reference":"Patient/` + patientB +
		`"},"asserter":{"reference":"Patient/` + patientA + `"}}`
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` +
		observationJSON("", patientB, patientA, "planted") + `,"request":{"method":"POST","url":"Observation"}}]}`
	tests := []struct {
		name, method, path, body string
	}{
		{"create an observation about B performed by A", "POST", "/Observation", observationJSON("", patientB, patientA, "planted")},
		{"create a condition about B asserted by A", "POST", "/Condition", condition},
		{"move own observation to B, A kept as performer", "PUT", "/Observation/" + own, observationJSON(own, patientB, patientA, "moved")},
		{"update-as-create with a chosen id", "PUT", "/Observation/review-planted-1", observationJSON("review-planted-1", patientB, patientA, "planted")},
		{"transaction", "POST", "", tx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.do(tokA, tt.method, tt.path, tt.body)
			written := r.status == http.StatusCreated || r.status == http.StatusOK && tt.path != ""
			ref := ""
			if id, ok := r.body["id"].(string); ok && tt.path != "" {
				ref = r.body["resourceType"].(string) + "/" + id
			}
			if tt.path == "" && r.status == http.StatusOK { // the transaction's entry
				loc, _ := r.body["entry"].([]any)[0].(map[string]any)["response"].(map[string]any)["location"].(string)
				written, ref = loc != "", strings.Join(strings.Split(strings.TrimPrefix(loc, w.base+"/"), "/")[:2], "/")
			}
			if !written {
				return
			}
			t.Errorf("A's token wrote %s about patient B: %d", ref, r.status)
			if seen := w.get(tokB, "/"+ref); seen.status == http.StatusOK {
				t.Errorf("and it is now in B's record, as B's token sees: subject %v", seen.body["subject"])
			}
		})
	}
}

// TestReviewUpdateRevivesAnotherPatientsDeletedResource: an update of a
// deleted resource skips the check that the existing resource is the
// token's, so A's token takes over the id of B's deleted resource: a new
// version lands on top of B's history.
func TestReviewUpdateRevivesAnotherPatientsDeletedResource(t *testing.T) {
	w := newFHIRWorld(t)
	tokA := w.userToken("jose", "jose-demo-2026", "launch/patient patient/Observation.cruds", "")
	for _, tt := range []struct {
		name string
		body func(id string) string
	}{
		{"content in A's compartment", func(id string) string { return observationJSON(id, patientA, "", "taken over") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := w.createAs(testAdminToken, "Observation", observationJSON("", patientB, "", "B's own"))
			if r := w.do(testAdminToken, http.MethodDelete, "/Observation/"+id, ""); r.status != http.StatusNoContent {
				t.Fatalf("delete: %d %s", r.status, r.raw)
			}
			r := w.do(tokA, http.MethodPut, "/Observation/"+id, tt.body(id))
			if r.status == http.StatusCreated || r.status == http.StatusOK {
				t.Errorf("A's token wrote over B's deleted Observation/%s: %d", id, r.status)
			}
			if got := w.get(testAdminToken, "/Observation/"+id); got.status != http.StatusGone {
				t.Errorf("B's deleted observation is no longer deleted: %d %.200s", got.status, got.raw)
			}
		})
	}
}

// TestReviewDeleteTellsWhatExists: a DELETE by A's token answers 403 for
// B's live resource, 204 with B's version as ETag for B's deleted one, and
// 204 without an ETag for an id that never existed: an oracle of what B's
// record holds and held. Each must look like the others.
func TestReviewDeleteTellsWhatExists(t *testing.T) {
	w := newFHIRWorld(t)
	obsB := firstOf(w.private(patientB, patientA), "Observation")
	gone := w.createAs(testAdminToken, "Observation", observationJSON("", patientB, "", "B's deleted"))
	if r := w.do(testAdminToken, http.MethodDelete, "/Observation/"+gone, ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	tokA := w.userToken("jose", "jose-demo-2026", "launch/patient patient/Observation.cruds", "")
	status, etag := w.statusAndETag(tokA, http.MethodDelete, "/Observation/review-never-existed", "")
	for _, tt := range []struct{ name, path string }{
		{"B's live observation", "/" + obsB},
		{"B's deleted observation", "/Observation/" + gone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, e := w.statusAndETag(tokA, http.MethodDelete, tt.path, "")
			if s != status || e != etag {
				t.Errorf("DELETE answers %d ETag %q, where an id that never existed gets %d ETag %q", s, e, status, etag)
			}
		})
	}
	if r := w.get(testAdminToken, "/"+obsB); r.status != http.StatusOK {
		t.Errorf("B's observation after A's DELETE: %d", r.status)
	}
}

// TestReviewReadRoutesStayInTheCompartment: routes found safe, kept as
// regressions: includes that iterate, chains and _has on other types,
// counts, sorting, tampered cursors, system searches without _type,
// history, $everything with parameters, HEAD and POST _search.
func TestReviewReadRoutesStayInTheCompartment(t *testing.T) {
	w := newFHIRWorld(t)
	ofB := w.private(patientB, patientA)
	obsB := firstOf(ofB, "Observation")
	family := w.get(testAdminToken, "/Patient/"+patientB).body["name"].([]any)[0].(map[string]any)["family"].(string)
	tokA := w.userToken("jose", "jose-demo-2026", "launch/patient openid fhirUser patient/*.rs", "")
	joseUser := w.userToken("jose", "jose-demo-2026", "openid fhirUser user/*.rs", "")
	tokLab := w.userToken("jose", "jose-demo-2026", "launch/patient patient/Observation.rs?category="+labCategory+" patient/Patient.rs", "")
	cursor := func(c string) string { return base64.RawURLEncoding.EncodeToString([]byte(c)) }
	tests := []struct {
		name   string
		token  string
		method string
		path   string
		want   int
		total  float64 // -1: not checked
	}{
		{"include and revinclude iterate", tokA, "GET", "/Patient?_revinclude:iterate=Observation:subject&_include:iterate=Observation:performer&_include:iterate=*&_count=1000", 200, -1},
		{"revinclude wildcard", tokA, "GET", "/Patient?_revinclude=*&_count=1000", 200, -1},
		{"include with a target type", tokA, "GET", "/Observation?_include=Observation:subject:Patient&_include:iterate=Patient:link&_count=1000", 200, -1},
		{"chain on Encounter", tokA, "GET", "/Encounter?subject:Patient.family=" + url.QueryEscape(family), 200, 0},
		{"has on Patient", tokA, "GET", "/Patient?_has:Encounter:patient:subject=Patient/" + patientB, 200, 0},
		{"count of B's observations", tokA, "GET", "/Observation?patient=" + patientB + "&_summary=count", 200, 0},
		{"accurate total of B's observations", tokA, "GET", "/Observation?subject=Patient/" + patientB + "&_total=accurate&_count=0", 200, 0},
		{"sort", tokA, "GET", "/Observation?patient=" + patientB + "&_sort=-date", 200, 0},
		{"not on B's", tokA, "GET", "/Observation?patient=" + patientB + "&category:not=laboratory&_total=accurate", 200, 0},
		{"granular scope and :not", tokLab, "GET", "/Observation?category:not=laboratory&_total=accurate", 200, 0},
		{"granular scope and :missing", tokLab, "GET", "/Observation?category:missing=true&_total=accurate", 200, 0},
		{"granular scope and a chain to B", tokLab, "GET", "/Observation?subject:Patient.family=" + url.QueryEscape(family) + "&_total=accurate", 200, 0},
		{"link", tokA, "GET", "/Patient?link=Patient/" + patientB, 200, 0},
		{"system search without _type", tokA, "GET", "/?_count=1000", 200, -1},
		{"system search with a tampered cursor", tokA, "GET", "/?_type=Observation,Patient&_cursor=" + cursor(`{"t":"Observation","i":""}`), 200, -1},
		{"type search with a tampered cursor", tokA, "GET", "/Observation?_count=1000&_cursor=" + cursor(`{"t":"Patient","k":[0],"i":"0"}`), 200, -1},
		{"type history since", tokA, "GET", "/Observation/_history?_since=2000-01-01T00:00:00Z&_count=1000", 200, -1},
		{"everything with parameters", tokA, "GET", "/Patient/" + patientA + "/$everything?_type=Observation&_since=2000-01-01T00:00:00Z", 200, -1},
		{"everything of B by POST", tokA, "POST", "/Patient/" + patientB + "/$everything", 404, -1},
		{"compartment of B with includes", tokA, "GET", "/Patient/" + patientB + "/Observation?_include=Observation:subject&_revinclude=Provenance:target", 200, 0},
		{"compartment of B, a type out of reach", tokA, "GET", "/Patient/" + patientB + "/Binary", 403, -1},
		{"Binary", tokA, "GET", "/Binary", 403, -1},
		{"HEAD of B", tokA, "HEAD", "/Patient/" + patientB, 404, -1},
		{"vread of B's", tokA, "GET", "/" + obsB + "/_history/1", 404, -1},
		{"patient user's user/ scopes", joseUser, "GET", "/Observation?patient=" + patientB + "&_total=accurate", 200, 0},
		{"patient user's user/ scopes, system search", joseUser, "GET", "/?_type=Observation,Condition,Patient&_count=1000", 200, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.do(tt.token, tt.method, tt.path, "")
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %.300s", r.status, tt.want, r.raw)
			}
			for _, ref := range r.refs() {
				if ofB[ref] || ref == "Patient/"+patientB {
					t.Errorf("A's token sees %s of patient B", ref)
				}
			}
			if tt.total >= 0 && r.body["total"] != tt.total {
				t.Errorf("total %v, want %v", r.body["total"], tt.total)
			}
		})
	}
	t.Run("POST _search body cannot widen the query", func(t *testing.T) {
		r := w.post(tokA, "/Observation/_search?patient="+patientA, url.Values{"patient": {patientB}, "_total": {"accurate"}})
		if r.status != 200 || r.body["total"] != 0.0 {
			t.Errorf("%d total %v: %.300s", r.status, r.body["total"], r.raw)
		}
		r = w.post(tokA, "/_search", url.Values{"_type": {"Observation"}, "patient": {patientB}})
		for _, ref := range r.refs() {
			if ofB[ref] {
				t.Errorf("system POST _search sees %s of patient B", ref)
			}
		}
	})
}

// TestReviewMovedResourceHistory: a resource that was B's and is now A's
// shows A only the versions that are A's, by vread and both histories.
func TestReviewMovedResourceHistory(t *testing.T) {
	w := newFHIRWorld(t)
	id := w.createAs(testAdminToken, "Observation", observationJSON("", patientB, "", "B's first"))
	if r := w.do(testAdminToken, http.MethodPut, "/Observation/"+id, observationJSON(id, patientA, "", "now A's")); r.status != 200 {
		t.Fatalf("move: %d %s", r.status, r.raw)
	}
	tokA := w.userToken("jose", "jose-demo-2026", "launch/patient patient/Observation.rs", "")
	if r := w.get(tokA, "/Observation/"+id+"/_history/1"); r.status != http.StatusNotFound {
		t.Errorf("vread of B's version: %d", r.status)
	}
	if r := w.get(tokA, "/Observation/"+id+"/_history/2"); r.status != http.StatusOK {
		t.Errorf("vread of A's version: %d", r.status)
	}
	for _, path := range []string{"/Observation/" + id + "/_history", "/Observation/_history?_count=1000", "/_history?_count=1000"} {
		if v := w.get(tokA, path).versions(); slices.Contains(v, "Observation/"+id+"/1") {
			t.Errorf("%s shows B's version 1", path)
		}
	}
}

// TestReviewProbesThroughConditionals: conditional creates and
// conditional references search only what the token may search, so they
// answer alike for B's resources and for nothing.
func TestReviewProbesThroughConditionals(t *testing.T) {
	w := newFHIRWorld(t)
	obsB := strings.TrimPrefix(firstOf(w.private(patientB, patientA), "Observation"), "Observation/")
	tok := w.userToken("jose", "jose-demo-2026", "launch/patient patient/Observation.cruds patient/Patient.rs", "")
	t.Run("ifNoneExist", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, w.base+"/Observation", strings.NewReader(observationJSON("", patientA, "", "probe")))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/fhir+json")
		req.Header.Set("If-None-Exist", "_id="+obsB)
		if r := w.send(req); r.status != http.StatusCreated || r.body["id"] == obsB {
			t.Errorf("conditional create on B's id: %d %.200s", r.status, r.raw)
		}
	})
	t.Run("conditional reference", func(t *testing.T) {
		status := func(query string) (int, string) {
			tx := `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Observation","status":"final",
				"code":{"text":"probe"},"subject":{"reference":"Patient?` + query + `"}},"request":{"method":"POST","url":"Observation"}}]}`
			r := w.do(tok, http.MethodPost, "", tx)
			return r.status, r.issueCode()
		}
		s1, c1 := status("_id=" + patientB)
		s2, c2 := status("_id=review-no-such-patient")
		if s1 != s2 || c1 != c2 {
			t.Errorf("Patient?_id=B answers %d %s, an absent patient %d %s", s1, c1, s2, c2)
		}
	})
}

// TestReviewProxyReachesItsLinkedPatientOnly: a RelatedPerson proxy's
// account names the patient it acts for (users.User.Patient, what the
// authorize flow checks), but the FHIR server takes the patient of its
// user/ scopes from the RelatedPerson resource in the store, which anyone
// who may write RelatedPerson resources can change: the proxy then reaches
// another patient's record.
func TestReviewProxyReachesItsLinkedPatientOnly(t *testing.T) {
	w := newFHIRWorld(t)
	ofB := w.private(patientB, patientA)
	rp := func(patient string) string {
		return `{"resourceType":"RelatedPerson","id":"review-proxy","patient":{"reference":"Patient/` + patient + `"}}`
	}
	if r := w.do(testAdminToken, http.MethodPut, "/RelatedPerson/review-proxy", rp(patientA)); r.status != http.StatusCreated {
		t.Fatalf("RelatedPerson: %d %s", r.status, r.raw)
	}
	user := `{"username":"review-proxy","password":"review-proxy-2026","role":"patient","fhir_user":"RelatedPerson/review-proxy","patient":"` + patientA + `"}`
	if code, body := adminDo(t, w.ts, testAdminToken, "POST", "/users", user); code != http.StatusCreated {
		t.Fatalf("proxy account: %d %s", code, body)
	}
	// The RelatedPerson resource is edited (a correction, an import, a
	// clinician's write); the account still links the proxy to A.
	if r := w.do(testAdminToken, http.MethodPut, "/RelatedPerson/review-proxy", rp(patientB)); r.status != http.StatusOK {
		t.Fatalf("RelatedPerson update: %d %s", r.status, r.raw)
	}
	tok := w.userToken("review-proxy", "review-proxy-2026", "openid fhirUser user/*.rs", "")
	for _, path := range []string{"/Patient/" + patientB, "/Observation?patient=" + patientB + "&_count=5"} {
		for _, ref := range w.get(tok, path).refs() {
			if ofB[ref] || ref == "Patient/"+patientB {
				t.Errorf("%s: the proxy of patient A sees %s of patient B", path, ref)
			}
		}
	}
}
