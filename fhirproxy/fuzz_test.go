package fhirproxy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/store"
	"smartd/fhirproxy/validate"
)

// FuzzBundle POSTs arbitrary bytes to the base through the real router:
// never a 5xx or a panic (the router turns a panic into a 500); every
// refusal is an OperationOutcome, every entry that fails carries one; and
// a bundle refused whole (a failed transaction, or one that never ran)
// leaves the store unchanged. Seeded from the bundle and transaction
// table tests.
func FuzzBundle(f *testing.F) {
	f.Add([]byte(mixedBatch))
	f.Add([]byte(fullTransaction))
	f.Add([]byte(strings.Replace(fullTransaction, `"method":"GET","url":"Patient/doomed"`, `"method":"GET","url":"Patient/existing"`, 1)))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[` + strings.TrimSuffix(strings.TrimSpace(goodEntries), ",") + `]}`))
	for _, tc := range failingLast {
		f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[` + goodEntries + tc.last + `]}`))
		f.Add([]byte(`{"resourceType":"Bundle","type":"batch","entry":[` + goodEntries + tc.last + `]}`))
	}
	for _, tc := range refusedBundles {
		f.Add([]byte(tc.body))
	}
	s := newServer(f)
	s.put(`{"resourceType":"Practitioner","id":"npi","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999912345"}]}`)
	s.put(`{"resourceType":"Organization","id":"org1","identifier":[{"system":"urn:org","value":"twin"}]}`)
	s.put(`{"resourceType":"Organization","id":"org2","identifier":[{"system":"urn:org","value":"twin"}]}`)
	for _, id := range []string{"existing", "doomed", "v2", "old", "gone"} {
		s.put(`{"resourceType":"Patient","id":"` + id + `"}`)
	}
	h := s.srv.Handler()
	st := s.srv.Store()

	f.Fuzz(func(t *testing.T, body []byte) {
		before := snapshot(t, st)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/fhir", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
		// A bundle that hangs the server is a crash the fuzzer reports.
		watchdog := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("no answer in 20 s to %q", body)) })
		h.ServeHTTP(rec, req)
		watchdog.Stop()
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.Bytes())
		}
		if rec.Code != http.StatusOK {
			if _, _, err := validate.Check(rec.Body.Bytes(), "OperationOutcome"); err != nil {
				t.Fatalf("status %d without an OperationOutcome (%v): %s", rec.Code, err, rec.Body.Bytes())
			}
			if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
				t.Fatalf("a refused bundle changed the store (-before +after):\n%s", diff)
			}
			return
		}
		var resp struct {
			ResourceType string `json:"resourceType"`
			Type         string `json:"type"`
			Entry        []struct {
				Response struct {
					Status  string          `json:"status"`
					Outcome json.RawMessage `json:"outcome"`
				} `json:"response"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.ResourceType != "Bundle" {
			t.Fatalf("200 without a Bundle (%v): %s", err, rec.Body.Bytes())
		}
		if resp.Type != "batch-response" && resp.Type != "transaction-response" {
			t.Fatalf("Bundle.type %q", resp.Type)
		}
		for i, e := range resp.Entry {
			switch {
			case e.Response.Status == "" || e.Response.Status[0] == '5':
				t.Fatalf("entry %d: status %q: %s", i, e.Response.Status, e.Response.Outcome)
			case e.Response.Status[0] == '4' || e.Response.Status[0] == '3':
				if _, _, err := validate.Check(e.Response.Outcome, "OperationOutcome"); err != nil {
					t.Fatalf("entry %d: status %s without an OperationOutcome (%v)", i, e.Response.Status, err)
				}
				if resp.Type == "transaction-response" {
					t.Fatalf("a transaction succeeded with a failed entry %d: %s", i, e.Response.Status)
				}
			}
		}
	})
}

// storeState is what a refused bundle must not change: the live counts
// and the newest change.
type storeState struct {
	Counts map[string]int
	Latest string
}

func snapshot(t *testing.T, st *store.Store) storeState {
	t.Helper()
	c, err := st.Counts()
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.History(store.HistoryOptions{Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := storeState{Counts: c}
	if len(page.Versions) > 0 {
		v := page.Versions[0]
		s.Latest = v.Ref() + "/" + string(v.Op) + "/" + v.LastUpdated.String()
	}
	return s
}
