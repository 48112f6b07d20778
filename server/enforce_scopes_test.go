package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEnforcementRouteTableNeedsAToken: without a valid token every FHIR
// path answers 401 with a Bearer challenge, whether or not it names a
// known type or interaction; only the CapabilityStatement, the discovery
// documents and CORS preflights are public.
func TestEnforcementRouteTableNeedsAToken(t *testing.T) {
	w := newFHIRWorld(t)
	routes := []struct{ method, path string }{
		{"GET", ""}, {"POST", ""}, {"GET", "/Patient"}, {"POST", "/Patient"}, {"GET", "/Patient/" + patientA},
		{"PUT", "/Patient/" + patientA}, {"DELETE", "/Patient/" + patientA}, {"PATCH", "/Patient/" + patientA},
		{"GET", "/Patient/" + patientA + "/_history"}, {"GET", "/Patient/" + patientA + "/_history/1"},
		{"GET", "/Patient/_history"}, {"GET", "/_history"}, {"POST", "/Patient/_search"}, {"POST", "/_search"},
		{"GET", "/Patient/" + patientA + "/Observation"}, {"GET", "/Patient/" + patientA + "/$everything"},
		{"GET", "/NoSuchType"}, {"GET", "/NoSuchType/1"}, {"GET", "/Patient/bad id!"}, {"GET", "/a/b/c/d/e"},
	}
	expired := "eyJhbGciOiJFUzI1NiIsImtpZCI6IngiLCJ0eXAiOiJhdCtqd3QifQ.eyJleHAiOjF9.c2ln"
	good := w.backendToken("system/Patient.rs")
	tampered := good[:len(good)-4] + "AAAA"
	for _, rt := range routes {
		for _, tok := range []struct{ name, token, challenge string }{
			{"no token", "", `Bearer realm="smartd"`},
			{"garbage", "not-a-jwt", `error="invalid_token"`},
			{"forged", expired, `error="invalid_token"`},
			{"tampered signature", tampered, `error="invalid_token"`},
		} {
			r := w.do(tok.token, rt.method, rt.path, "")
			if r.status != http.StatusUnauthorized || !strings.Contains(r.challenge, tok.challenge) || r.body["resourceType"] != "OperationOutcome" {
				t.Errorf("%s %s, %s: %d %q %s", rt.method, rt.path, tok.name, r.status, r.challenge, r.raw)
			}
		}
	}
	if r := w.get("", "/metadata"); r.status != 200 {
		t.Errorf("metadata without a token: %d", r.status)
	}
	if r := w.get("", "/.well-known/smart-configuration"); r.status != 200 {
		t.Errorf("smart-configuration without a token: %d", r.status)
	}
	// With a valid token, routing decides: unknown type 404, a bad id 400,
	// a _type that names no resource type 400 (refused before the token's
	// decisions about it are remembered).
	for path, want := range map[string]int{"/NoSuchType/1": 404, "/Patient/bad id!": 400, "/Patient/" + patientA: 200, "/?_type=Patient,NoSuchType": 400} {
		if r := w.get(good, path); r.status != want {
			t.Errorf("GET %s with a token: %d, want %d: %s", path, r.status, want, r.raw)
		}
	}
}

// TestEnforcementScopeMatrix: each scope allows exactly its interactions,
// and a refusal is 403 with insufficient_scope and an OperationOutcome.
func TestEnforcementScopeMatrix(t *testing.T) {
	w := newFHIRWorld(t)
	ofA, ofB := w.private(patientA, patientB), w.private(patientB, patientA)
	obsA := firstOf(ofA, "Observation")
	condA := firstOf(ofA, "Condition")
	labA, vitalA := w.observationOf(patientA, "laboratory"), w.observationOf(patientA, "vital-signs")
	jose := func(scopes string) string { return w.userToken("jose", "jose-demo-2026", scopes, "") }
	morgan := func(scopes, pick string) string { return w.userToken("dr.morgan", "morgan-demo-2026", scopes, pick) }

	type req struct {
		method, path string
		want         int
	}
	tests := []struct {
		name  string
		token string
		reqs  []req
	}{
		{"v2 read only", jose("launch/patient patient/Observation.r"), []req{
			{"GET", "/" + obsA, 200}, {"GET", "/Observation?patient=" + patientA, 403}, {"GET", "/" + condA, 403},
			{"GET", "/" + obsA + "/_history", 200}, {"GET", "/Observation/_history", 403},
		}},
		{"v2 search only", jose("launch/patient patient/Observation.s"), []req{
			{"GET", "/" + obsA, 403}, {"GET", "/Observation?patient=" + patientA, 200}, {"GET", "/Condition", 403},
		}},
		{"v1 read", jose("launch/patient patient/Observation.read"), []req{
			{"GET", "/" + obsA, 200}, {"GET", "/Observation", 200}, {"GET", "/Patient/" + patientA, 403},
			{"DELETE", "/" + obsA, 403},
		}},
		{"granular laboratory", jose("launch/patient patient/Observation.rs?category=" + labCategory), []req{
			{"GET", "/" + labA, 200}, {"GET", "/" + vitalA, 404}, {"GET", "/" + vitalA + "/_history/1", 404},
		}},
		{"no patient in context", morgan("patient/*.rs", ""), []req{
			{"GET", "/" + obsA, 403}, {"GET", "/Observation", 403},
		}},
		{"clinician user scopes", morgan("user/*.rs", ""), []req{
			{"GET", "/" + obsA, 200}, {"GET", "/" + firstOf(ofB, "Observation"), 200}, {"POST", "/Observation", 403},
		}},
		{"patient user scopes", jose("user/*.rs"), []req{
			{"GET", "/" + obsA, 200}, {"GET", "/" + firstOf(ofB, "Observation"), 404},
		}},
		{"fhirUser of a patient", jose("launch/patient openid fhirUser patient/Observation.rs"), []req{
			{"GET", "/Patient/" + patientA, 200}, {"GET", "/Patient?_id=" + patientA, 403},
		}},
		{"fhirUser of a clinician", morgan("openid fhirUser user/Observation.rs", ""), []req{
			{"GET", "/Practitioner/smart-practitioner-1", 200}, {"GET", "/Practitioner/smart-practitioner-2", 403},
		}},
		{"system", w.backendToken("system/Patient.rs"), []req{
			{"GET", "/Patient/" + patientB, 200}, {"GET", "/" + obsA, 403}, {"GET", "/?_type=Observation", 403},
			{"POST", "/Patient", 403},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, rq := range tt.reqs {
				body := ""
				if rq.method == "POST" {
					body = `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/` + patientA + `"}}`
				}
				r := w.do(tt.token, rq.method, rq.path, body)
				if r.status != rq.want {
					t.Errorf("%s %s: %d, want %d: %.300s", rq.method, rq.path, r.status, rq.want, r.raw)
					continue
				}
				if r.status == http.StatusForbidden && (!strings.Contains(r.challenge, `error="insufficient_scope"`) || r.issueCode() != "forbidden") {
					t.Errorf("%s %s: 403 without the challenge and outcome: %q %s", rq.method, rq.path, r.challenge, r.raw)
				}
			}
		})
	}
	t.Run("granular search is filtered in the query", func(t *testing.T) {
		tok := jose("launch/patient patient/Observation.rs?category=" + labCategory)
		all := w.get(testAdminToken, "/Observation?patient="+patientA+"&category="+url.QueryEscape(labCategory)+"&_summary=count")
		page := w.get(tok, "/Observation?_count=2&_total=accurate")
		if page.body["total"] != all.body["total"] || len(page.refs()) != 2 {
			t.Fatalf("total %v and %d entries, want total %v and a full page of 2", page.body["total"], len(page.refs()), all.body["total"])
		}
		if strings.Contains(page.raw, "vital-signs") {
			t.Errorf("a laboratory-only token sees vital signs: %s", page.raw)
		}
	})
}

// observationOf returns "Observation/id" of one of patient's observations
// in an observation-category.
func (w *fhirWorld) observationOf(patient, category string) string {
	w.t.Helper()
	r := w.get(testAdminToken, "/Observation?patient="+patient+"&category="+category+"&_count=1")
	refs := r.refs()
	if len(refs) == 0 {
		w.t.Fatalf("patient %s has no %s observation", patient, category)
	}
	return refs[0]
}

// TestEnforcementWrites: writes need c, u or d scopes, stay inside the
// patient's compartment, and a transaction with one refused entry writes
// nothing.
func TestEnforcementWrites(t *testing.T) {
	w := newFHIRWorld(t)
	ofB := w.private(patientB, patientA)
	obsB := firstOf(ofB, "Observation")
	tok := w.userToken("jose", "jose-demo-2026", "launch/patient patient/Observation.cruds patient/Observation.write", "")
	obs := func(patient string) string {
		return `{"resourceType":"Observation","status":"final","code":{"text":"mood"},"subject":{"reference":"Patient/` + patient + `"}}`
	}
	created := w.do(tok, "POST", "/Observation", obs(patientA))
	if created.status != 201 {
		t.Fatalf("create in own compartment: %d %s", created.status, created.raw)
	}
	id := created.body["id"].(string)
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"create for another patient", "POST", "/Observation", obs(patientB), 403},
		{"move own resource to another patient", "PUT", "/Observation/" + id, strings.Replace(obs(patientB), `{"resourceType"`, `{"id":"`+id+`","resourceType"`, 1), 403},
		{"update another's", "PUT", "/" + obsB, strings.Replace(obs(patientA), `{"resourceType"`, `{"id":"`+strings.TrimPrefix(obsB, "Observation/")+`","resourceType"`, 1), 403},
		{"delete another's", "DELETE", "/" + obsB, "", 403},
		{"create another type", "POST", "/Condition", `{"resourceType":"Condition","subject":{"reference":"Patient/` + patientA + `"}}`, 403},
		{"update own", "PUT", "/Observation/" + id, strings.Replace(obs(patientA), `{"resourceType"`, `{"id":"`+id+`","resourceType"`, 1), 200},
	} {
		if r := w.do(tok, tc.method, tc.path, tc.body); r.status != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.name, r.status, tc.want, r.raw)
		}
	}
	if r := w.get(testAdminToken, "/"+obsB); r.status != 200 {
		t.Errorf("patient B's observation after the refused delete: %d", r.status)
	}
	before := w.get(testAdminToken, "/Observation?_summary=count").body["total"]
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[
		{"resource":` + obs(patientA) + `,"request":{"method":"POST","url":"Observation"}},
		{"resource":` + obs(patientB) + `,"request":{"method":"POST","url":"Observation"}}]}`
	if r := w.do(tok, "POST", "", tx); r.status != 403 {
		t.Errorf("transaction with an entry for another patient: %d, want 403: %s", r.status, r.raw)
	}
	if after := w.get(testAdminToken, "/Observation?_summary=count").body["total"]; after != before {
		t.Errorf("the refused transaction wrote: %v observations before, %v after", before, after)
	}
	batch := strings.Replace(tx, `"transaction"`, `"batch"`, 1)
	r := w.do(tok, "POST", "", batch)
	if r.status != 200 || !strings.Contains(r.raw, `"201 Created"`) || !strings.Contains(r.raw, `"403 Forbidden"`) {
		t.Errorf("batch: each entry on its own: %d %s", r.status, r.raw)
	}
}
