package admin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"smartd/admin"
	"smartd/apps/registry"
	"smartd/audit"
	"smartd/authz/keys"
)

const auditTestToken = "audit-admin-token-0123456789"

// auditNow is the test clock: the records are minutes before it.
var auditNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// auditAPI builds the admin API over a real registry, real keys and a
// real audit trail with five records, r0 (oldest) to r4.
func auditAPI(t *testing.T, withTrail bool) http.Handler {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "smartd.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	apps, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.Open(db, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts := admin.Options{Apps: apps, Keys: k, Token: auditTestToken, Now: func() time.Time { return auditNow }}
	if withTrail {
		trail, err := audit.Open(filepath.Join(dir, audit.FileName), audit.Options{Now: func() time.Time { return auditNow }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { trail.Close() })
		for i, r := range []audit.Record{
			{Kind: audit.KindAuth, ClientID: "growth", Interaction: audit.AuthToken, Status: 200},
			{Kind: audit.KindAuth, ClientID: "growth", Interaction: audit.AuthAuthorize, Status: 400, Reason: "invalid_scope: patient/Foo.rs"},
			{Kind: audit.KindFHIR, ClientID: "growth", Patient: "A", Interaction: "read", ResourceType: "Patient", ResourceID: "B", Status: 403},
			{Kind: audit.KindFHIR, ClientID: "backend", Interaction: "search-type", ResourceType: "Observation", Status: 200},
			{Kind: audit.KindFHIR, ClientID: "growth", Patient: "A", Interaction: "read", ResourceType: "Patient", ResourceID: "A", Status: 200},
		} {
			r.Time = auditNow.Add(time.Duration(i-5) * time.Minute)
			r.RequestID = "r" + string(rune('0'+i))
			trail.Record(r)
		}
		if err := trail.Flush(); err != nil {
			t.Fatal(err)
		}
		opts.Audit = trail
	}
	a, err := admin.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func getAudit(t *testing.T, h http.Handler, token, query string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/audit"+query, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// pageIDs decodes an AuditPage and lists its RequestIDs.
func pageIDs(t *testing.T, body string) ([]string, string) {
	t.Helper()
	var p admin.AuditPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	ids := []string{}
	for _, r := range p.Records {
		ids = append(ids, r.RequestID)
	}
	return ids, p.Next
}

func TestAuditNeedsTheAdminToken(t *testing.T) {
	h := auditAPI(t, true)
	for _, token := range []string{"", "wrong-token-0123456789"} {
		code, body := getAudit(t, h, token, "")
		if code != http.StatusUnauthorized || strings.Contains(body, "records") {
			t.Errorf("token %q: %d %s, want 401 without records", token, code, body)
		}
	}
}

func TestAuditFilters(t *testing.T) {
	h := auditAPI(t, true)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"r4", "r3", "r2", "r1", "r0"}},
		{"?client_id=growth", []string{"r4", "r2", "r1", "r0"}},
		{"?client_id=growth&kind=auth", []string{"r1", "r0"}},
		{"?outcome=denied", []string{"r2"}},
		{"?outcome=failure&client_id=growth", []string{"r1"}},
		{"?patient=A&type=Patient", []string{"r4", "r2"}},
		{"?since=3m", []string{"r4", "r3", "r2"}}, // since is inclusive
		{"?until=2026-06-01T11:57:00Z", []string{"r1", "r0"}},
		{"?since=2026-06-01&until=3m", []string{"r1", "r0"}}, // until is exclusive
		{"?user=nobody", []string{}},
	} {
		code, body := getAudit(t, h, auditTestToken, c.query)
		if code != http.StatusOK {
			t.Errorf("%s: %d %s", c.query, code, body)
			continue
		}
		got, next := pageIDs(t, body)
		if diff := cmp.Diff(c.want, got); diff != "" || next != "" {
			t.Errorf("%s: next %q, records (-want +got):\n%s", c.query, next, diff)
		}
	}
}

func TestAuditPaging(t *testing.T) {
	h := auditAPI(t, true)
	var pages [][]string
	query := "?client_id=growth&limit=3"
	for range 5 {
		code, body := getAudit(t, h, auditTestToken, query)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", query, code, body)
		}
		ids, next := pageIDs(t, body)
		pages = append(pages, ids)
		if next == "" {
			break
		}
		query = "?client_id=growth&limit=3&cursor=" + next
	}
	if diff := cmp.Diff([][]string{{"r4", "r2", "r1"}, {"r0"}}, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	// The records carry their fields under their JSON names.
	_, body := getAudit(t, h, auditTestToken, "?outcome=denied")
	for _, want := range []string{`"client_id": "growth"`, `"resource_type": "Patient"`, `"status": 403`, `"outcome": "denied"`, `"time": "2026-06-01T11:57:00Z"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
}

func TestAuditRefusals(t *testing.T) {
	h := auditAPI(t, true)
	for _, c := range []struct {
		query, want string
	}{
		{"?since=yesterday", "is not a duration"},
		{"?kind=login", "unknown kind"},
		{"?outcome=ok", "unknown outcome"},
		{"?limit=0", "limit must be a positive integer"},
		{"?limit=ten", "limit must be a positive integer"},
		{"?cursor=abc", "bad audit cursor"},
		{"?client=growth", `unknown parameter "client"`},
		{"?patient=A&patient=B", `"patient" given twice`},
	} {
		code, body := getAudit(t, h, auditTestToken, c.query)
		var e struct {
			Error            string `json:"error"`
			ErrorDescription string `json:"error_description"`
		}
		json.Unmarshal([]byte(body), &e)
		if code != http.StatusBadRequest || e.Error != "invalid_request" || !strings.Contains(e.ErrorDescription, c.want) {
			t.Errorf("%s: %d %s, want 400 invalid_request with %q", c.query, code, body, c.want)
		}
	}
	if code, body := getAudit(t, auditAPI(t, false), auditTestToken, ""); code != http.StatusNotFound || !strings.Contains(body, "no audit trail") {
		t.Errorf("without a trail: %d %s, want 404", code, body)
	}
}
