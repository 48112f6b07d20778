package fhirproxy_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// masterData creates a practitioner and two organizations for
// conditional references to find (two share an identifier).
func masterData(t *testing.T, s *testServer) {
	t.Helper()
	s.put(`{"resourceType":"Practitioner","id":"npi","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999912345"}]}`)
	s.put(`{"resourceType":"Organization","id":"org1","identifier":[{"system":"urn:org","value":"twin"}]}`)
	s.put(`{"resourceType":"Organization","id":"org2","identifier":[{"system":"urn:org","value":"twin"}]}`)
}

// fullTransaction exercises every transaction rule; its last entry, a
// GET of the resource its DELETE removes, makes it fail with 410.
// TestTransaction needs masterData, Patient/existing and Patient/doomed.
var fullTransaction = `{"resourceType":"Bundle","type":"transaction","entry":[
	  {"request":{"method":"GET","url":"Patient?identifier=urn:mrn|NEW"}},
	  {"fullUrl":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"NEW"}],
	   "generalPractitioner":[{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999912345"}]},"request":{"method":"POST","url":"Patient"}},
	  {"fullUrl":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000002","resource":{"resourceType":"Encounter","status":"finished",
	   "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
	   "subject":{"reference":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000001"},
	   "participant":[{"individual":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999912345"}}]},"request":{"method":"POST","url":"Encounter"}},
	  {"fullUrl":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000003","resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
	   "subject":{"reference":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000001"},"encounter":{"reference":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000002"},
	   "hasMember":[{"reference":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000004"}]},"request":{"method":"POST","url":"Observation"}},
	  {"fullUrl":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000004","resource":{"resourceType":"Observation","status":"final","code":{"text":"y"},
	   "subject":{"reference":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000005"}},"request":{"method":"POST","url":"Observation"}},
	  {"fullUrl":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000005","resource":{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"E"}]},
	   "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:mrn|E"}},
	  {"fullUrl":"http://example.org/fhir/Patient/put1","resource":{"resourceType":"Patient","id":"put1","link":[{"other":{"reference":"urn:uuid:6c1e2a3c-0000-4000-8000-000000000001"},"type":"seealso"}]},
	   "request":{"method":"PUT","url":"Patient/put1"}},
	  {"request":{"method":"DELETE","url":"Patient/doomed"}},
	  {"request":{"method":"GET","url":"Patient/doomed"}}
	]}`

// TestTransaction covers a successful transaction (FHIR R4 §3.1.0.11.2):
// urn:uuid fullUrls resolved and references to them rewritten, conditional
// references resolved, ifNoneExist honoured, entries in FHIR order, and a
// transaction-response in request order.
func TestTransaction(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	masterData(t, s)
	s.put(`{"resourceType":"Patient","id":"existing","identifier":[{"system":"urn:mrn","value":"E"}]}`)
	s.put(`{"resourceType":"Patient","id":"doomed"}`)
	tx := fullTransaction
	before := s.counts()
	// A GET of a resource the same transaction deletes fails it (410):
	// entries run DELETE first and GET last, and the GET sees the DELETE.
	wantError(t, s.do(http.MethodPost, "/", []byte(tx)), http.StatusGone, "deleted", "Bundle.entry[8]")
	if diff := cmp.Diff(before, s.counts()); diff != "" {
		t.Fatalf("the failed transaction wrote (-before +after):\n%s", diff)
	}
	tx = strings.Replace(tx, `,
	  {"request":{"method":"GET","url":"Patient/doomed"}}`, ``, 1)

	r := s.do(http.MethodPost, "", []byte(tx))
	if r.Status != http.StatusOK {
		t.Fatalf("transaction: %d %s", r.Status, r.Body)
	}
	b := r.bundle(t)
	if b.Type != "transaction-response" {
		t.Errorf("Bundle.type %q", b.Type)
	}
	if diff := cmp.Diff([]string{"200", "201", "201", "201", "201", "200", "201", "204"}, entryStatuses(t, b)); diff != "" {
		t.Fatalf("statuses (-want +got):\n%s", diff)
	}
	loc := func(i int) string { // "Type/id" an entry wrote
		l := strings.TrimPrefix(b.Entry[i].Response.Location, s.base+"/")
		if i, ok := strings.CutSuffix(l, "/_history/1"); ok {
			return i
		}
		return resourceTypeAndID(t, b.Entry[i].Resource)
	}
	patient, enc, obs1, obs2 := loc(1), loc(2), loc(3), loc(4)
	if loc(5) != "Patient/existing" {
		t.Errorf("ifNoneExist entry answered %s, want Patient/existing", loc(5))
	}

	// The GET entry ran after the POSTs, so it sees the new patient.
	var found bundle
	if err := json.Unmarshal(b.Entry[0].Resource, &found); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{patient}, found.refs("match")); diff != "" {
		t.Errorf("the GET entry's search (-want +got):\n%s", diff)
	}

	// References were rewritten in the stored resources.
	for _, tc := range []struct {
		ref  string
		want []string
	}{
		{patient, []string{`"reference":"Practitioner/npi"`}},
		{enc, []string{`"reference":"` + patient + `"`, `"individual":{"reference":"Practitioner/npi"}`}},
		{obs1, []string{`"subject":{"reference":"` + patient + `"}`, `"encounter":{"reference":"` + enc + `"}`, `"hasMember":[{"reference":"` + obs2 + `"}]`}},
		{obs2, []string{`"subject":{"reference":"Patient/existing"}`}},
		{"Patient/put1", []string{`"other":{"reference":"` + patient + `"}`}},
	} {
		body := string(s.get("/" + tc.ref).Body)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %s: %s", tc.ref, w, body)
			}
		}
		if strings.Contains(body, "urn:uuid") || strings.Contains(body, "?identifier") {
			t.Errorf("%s keeps an unresolved reference: %s", tc.ref, body)
		}
	}
	// And they are indexed as rewritten.
	if got := s.search("/Observation?patient=" + patient).refs("match"); !cmp.Equal(got, []string{obs1}) {
		t.Errorf("Observation?patient=%s: %v", patient, got)
	}
	if got := s.search("/Encounter?practitioner=npi").refs("match"); !cmp.Equal(got, []string{enc}) {
		t.Errorf("Encounter?practitioner=npi: %v", got)
	}
	if r := s.get("/Patient/doomed"); r.Status != http.StatusGone {
		t.Errorf("the transaction's DELETE: read answers %d", r.Status)
	}
	// Every resource of one transaction has the same lastUpdated.
	if a, b := s.get("/"+patient).resource(t).Meta.LastUpdated, s.get("/"+obs2).resource(t).Meta.LastUpdated; a != b {
		t.Errorf("lastUpdated %s and %s in one transaction", a, b)
	}
}

func resourceTypeAndID(t testing.TB, b []byte) string {
	t.Helper()
	var h resourceHead
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.ResourceType + "/" + h.ID
}

// dump returns every key and value of every bucket in the store file.
func dump(t *testing.T, s *testServer) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.srv.Store().DB().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			out[string(name)+" seq"] = string(rune(b.Sequence()))
			return b.ForEach(func(k, v []byte) error {
				out[string(name)+" "+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// goodEntries are transaction entries that succeed together (after
// masterData and with Patient/v2 present); each of failingLast, added
// after them, fails the whole transaction.
var goodEntries = `{"fullUrl":"urn:uuid:a","resource":{"resourceType":"Patient","gender":"female"},"request":{"method":"POST","url":"Patient"}},
	  {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:a"}},"request":{"method":"POST","url":"Observation"}},
	  {"resource":{"resourceType":"Patient","id":"new1"},"request":{"method":"PUT","url":"Patient/new1"}},
	  {"request":{"method":"DELETE","url":"Patient/v2"}},
	  {"request":{"method":"GET","url":"Patient?gender=female"}},`

var failingLast = []struct {
	name, last string
	status     int
	code, expr string
}{
	{"If-Match conflict", `{"resource":{"resourceType":"Practitioner","id":"npi"},"request":{"method":"PUT","url":"Practitioner/npi","ifMatch":"W/\"5\""}}`,
		http.StatusPreconditionFailed, "conflict", "Bundle.entry[5]"},
	{"no match", `{"resource":{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"participant":[{"individual":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|0000000000"}}]},"request":{"method":"POST","url":"Encounter"}}`,
		http.StatusBadRequest, "not-found", "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|0000000000"},
	{"several matches", `{"resource":{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":"Organization?identifier=urn:org|twin"}},"request":{"method":"POST","url":"Encounter"}}`,
		http.StatusPreconditionFailed, "multiple-matches", "Organization?identifier=urn:org|twin"},
	{"invalid resource", `{"resource":{"resourceType":"Encounter","status":"done","class":{"code":"AMB"}},"request":{"method":"POST","url":"Encounter"}}`,
		http.StatusUnprocessableEntity, "code-invalid", "Bundle.entry[5].resource.status"},
	{"read of nothing", `{"request":{"method":"GET","url":"Patient/nobody"}}`,
		http.StatusNotFound, "not-found", "Bundle.entry[5]"},
	{"same resource twice", `{"resource":{"resourceType":"Patient","id":"new1"},"request":{"method":"PUT","url":"Patient/new1"}}`,
		http.StatusBadRequest, "", "Bundle.entry[5]"},
	{"placeholder no entry defines", `{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:00000000-0000-4000-8000-00000000dead"}},"request":{"method":"POST","url":"Observation"}}`,
		http.StatusBadRequest, "not-found", "urn:uuid:00000000-0000-4000-8000-00000000dead"},
	{"bad conditional create", `{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient","ifNoneExist":"nonsense=1"}}`,
		http.StatusBadRequest, "", "Bundle.entry[5]"},
}

// TestTransactionAtomic checks that a transaction is all or nothing: a
// failing last entry, whichever way it fails, leaves the bbolt file
// byte-identical (bbolt writes nothing for a transaction it rolls back),
// and the refusal is an OperationOutcome naming the entry and, for a
// conditional reference, the reference.
func TestTransactionAtomic(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	masterData(t, s)
	s.put(`{"resourceType":"Patient","id":"v2"}`)
	s.put(`{"resourceType":"Patient","id":"v2","gender":"male"}`)
	for _, tc := range failingLast {
		t.Run(tc.name, func(t *testing.T) {
			s := s.with(t)
			beforeFile, beforeDump, beforeCounts := s.fileBytes(), dump(t, s), s.counts()
			body := `{"resourceType":"Bundle","type":"transaction","entry":[` + goodEntries + tc.last + `]}`
			r := s.do(http.MethodPost, "", []byte(body))
			wantError(t, r, tc.status, tc.code, tc.expr)
			if diff := cmp.Diff(beforeCounts, s.counts()); diff != "" {
				t.Errorf("counts changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(beforeDump, dump(t, s)); diff != "" {
				t.Errorf("buckets changed (-before +after):\n%s", diff)
			}
			if !bytes.Equal(beforeFile, s.fileBytes()) {
				t.Error("the store file changed")
			}
		})
	}
	// The same entries without the failing one commit.
	r := s.do(http.MethodPost, "", []byte(`{"resourceType":"Bundle","type":"transaction","entry":[`+strings.TrimSuffix(strings.TrimSpace(goodEntries), ",")+`]}`))
	if r.Status != http.StatusOK {
		t.Fatalf("the good entries alone: %d %s", r.Status, r.Body)
	}
	if diff := cmp.Diff(map[string]int{"Patient": 2, "Observation": 1, "Practitioner": 1, "Organization": 2}, s.counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
