package upstream_test

import (
	"net/http"
	"strings"
	"testing"

	"smartd/fhirproxy/upstream"
)

// observation is an Observation of patient, with the given id ("" for
// none).
func observation(id, patient string) string {
	idPart := ""
	if id != "" {
		idPart = `"id":"` + id + `",`
	}
	return `{"resourceType":"Observation",` + idPart + `"status":"final","code":{"text":"upstream proxy test"},"subject":{"reference":"Patient/` + patient + `"}}`
}

// TestFrontWrites: through the front, with the upstream reached with a
// static bearer token (its admin token), a patient-scoped token writes
// into its own patient's compartment and nowhere else; refused writes
// never reach the upstream.
func TestFrontWrites(t *testing.T) {
	up := newUpstream(t, nil)
	f := newFront(t, up, upstream.Options{Auth: upstream.Credentials{Bearer: upAdmin}})
	recA, recB := up.record(patientA), up.record(patientB)
	obsA, obsB := first(t, private(recA, recB), "Observation"), first(t, private(recB, recA), "Observation")
	tok := f.patientToken(patientA, "launch/patient patient/*.cruds")

	readOnly := f.patientToken(patientA, "launch/patient patient/*.rs")
	obsOnly := f.patientToken(patientA, "launch/patient patient/Observation.cruds")

	for _, tc := range []struct {
		name, token, method, path, body string
		diagnostics                     string // a part of the refusal's
	}{
		{"create in B's compartment", tok, "POST", "/Observation", observation("", patientB), "would lie outside"},
		{"create naming A and B", tok, "POST", "/Observation", strings.Replace(observation("", patientB), `"subject"`, `"performer":[{"reference":"Patient/`+patientA+`"}],"subject"`, 1), "would lie outside"},
		{"update B's resource", tok, "PUT", "/" + obsB, observation(id(obsB), patientA), "lies outside"},
		{"move A's resource to B", tok, "PUT", "/" + obsA, observation(id(obsA), patientB), "would lie outside"},
		{"delete B's resource", tok, "DELETE", "/" + obsB, "", "lies outside"},
		{"transaction with one entry for B", tok, "POST", "", `{"resourceType":"Bundle","type":"transaction","entry":[
			{"resource":` + observation("", patientA) + `,"request":{"method":"POST","url":"Observation"}},
			{"resource":` + observation("", patientB) + `,"request":{"method":"POST","url":"Observation"}}]}`, "Bundle.entry[1]"},
		{"batch deleting B's resource", tok, "POST", "", `{"resourceType":"Bundle","type":"batch","entry":[
			{"request":{"method":"GET","url":"Patient/` + patientA + `"}},
			{"request":{"method":"DELETE","url":"` + obsB + `"}}]}`, "Bundle.entry[1]"},
		{"create without write scope", readOnly, "POST", "/Observation", observation("", patientA), ""},
		{"batch with an entry out of scope", obsOnly, "POST", "", `{"resourceType":"Bundle","type":"batch","entry":[
			{"request":{"method":"GET","url":"Observation?patient=` + patientA + `"}},
			{"request":{"method":"GET","url":"Patient/` + patientA + `"}}]}`, "Bundle.entry[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := up.fhirCalls.Load()
			r := f.do(tc.token, tc.method, tc.path, tc.body)
			code, diag := r.issue()
			if r.status != http.StatusForbidden || code != "forbidden" || !strings.Contains(diag, tc.diagnostics) {
				t.Errorf("got %d %s, want 403 forbidden with %q", r.status, r.raw, tc.diagnostics)
			}
			if !strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
			if n := up.fhirCalls.Load() - before; n > 1 {
				t.Errorf("%d requests reached the upstream, at most the read of the resource replaced may", n)
			}
			if n := up.writes.Load(); n != 0 {
				t.Errorf("%d writes reached the upstream", n)
			}
		})
	}
	if r := up.get("/" + obsB); r.status != http.StatusOK || !strings.Contains(r.raw, "Patient/"+patientB) {
		t.Errorf("B's observation changed: %d %s", r.status, r.raw)
	}

	t.Run("create in A's compartment", func(t *testing.T) {
		r := f.do(tok, "POST", "/Observation", observation("", patientA))
		loc := r.header.Get("Location")
		if r.status != http.StatusCreated || !strings.HasPrefix(loc, f.base+"/Observation/") {
			t.Fatalf("got %d, Location %q: %s", r.status, loc, r.raw)
		}
		if back := f.get(tok, loc); back.status != http.StatusOK || !strings.Contains(back.raw, "upstream proxy test") {
			t.Errorf("reading %s back: %d %s", loc, back.status, back.raw)
		}
		newID := r.body["id"].(string)
		if got := up.get("/Observation/" + newID); got.status != http.StatusOK {
			t.Errorf("the upstream has no Observation/%s: %d", newID, got.status)
		}
		// The ETag of the version checked guards the update.
		upd := f.do(tok, "PUT", "/Observation/"+newID, observation(newID, patientA))
		if upd.status != http.StatusOK || upd.header.Get("ETag") != `W/"2"` {
			t.Errorf("update: %d ETag %q %s", upd.status, upd.header.Get("ETag"), upd.raw)
		}
		if del := f.do(tok, "DELETE", "/Observation/"+newID, ""); del.status != http.StatusNoContent {
			t.Errorf("delete: %d %s", del.status, del.raw)
		}
	})

	t.Run("upstream error passed through", func(t *testing.T) {
		r := f.do(tok, "POST", "/Observation", `{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/`+patientA+`"},"bogus":1}`)
		if code, _ := r.issue(); r.status != http.StatusBadRequest || code == "" {
			t.Errorf("got %d %s, want the upstream's 400 OperationOutcome", r.status, r.raw)
		}
	})

	t.Run("conditional create refused", func(t *testing.T) {
		before := up.writes.Load()
		r := f.do(tok, "POST", "/Observation", observation("", patientA), "If-None-Exist", "code=upstream")
		if r.status != http.StatusBadRequest || up.writes.Load() != before {
			t.Errorf("got %d %s", r.status, r.raw)
		}
	})

	t.Run("batch of reads", func(t *testing.T) {
		r := f.do(tok, "POST", "", `{"resourceType":"Bundle","type":"batch","entry":[
			{"request":{"method":"GET","url":"Patient/`+patientA+`"}},
			{"request":{"method":"GET","url":"Patient/`+patientB+`"}},
			{"request":{"method":"GET","url":"Observation?patient=`+patientB+`"}},
			{"request":{"method":"GET","url":"`+f.base+`/`+obsA+`"}}]}`)
		if r.status != http.StatusOK || r.body["type"] != "batch-response" {
			t.Fatalf("got %d %.300s", r.status, r.raw)
		}
		entries := r.body["entry"].([]any)
		if len(entries) != 4 {
			t.Fatalf("%d entries", len(entries))
		}
		status := func(i int) string {
			return entries[i].(map[string]any)["response"].(map[string]any)["status"].(string)
		}
		res := func(i int) map[string]any { m, _ := entries[i].(map[string]any)["resource"].(map[string]any); return m }
		if res(0)["id"] != patientA || !strings.HasPrefix(status(0), "200") {
			t.Errorf("entry 0: %v %v", status(0), res(0))
		}
		if res(1) != nil || !strings.HasPrefix(status(1), "404") {
			t.Errorf("entry 1, B's patient: %v %v", status(1), res(1))
		}
		if got, _ := res(2)["entry"].([]any); res(2)["resourceType"] != "Bundle" || len(got) != 0 {
			t.Errorf("entry 2, B's observations: %v", res(2))
		}
		if res(3)["id"] != id(obsA) {
			t.Errorf("entry 3: %v", res(3))
		}
	})
}
