package audit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/validate"
)

const testBase = "https://ehr.example.org/fhir"

// summary is what a test asserts of an AuditEvent.
type summary struct {
	Type, Subtype, Action, Outcome, OutcomeDesc string
	Agents                                      []string // type code, who, requestor, network
	Entities                                    []string // role code, what or decoded query, detail
}

func summarize(t *testing.T, raw []byte) summary {
	t.Helper()
	var ev struct {
		Type    struct{ Code string }
		Subtype []struct{ Code string }
		Action  string
		Outcome string
		OutDesc string `json:"outcomeDesc"`
		Agent   []struct {
			Type struct{ Coding []struct{ Code string } }
			Who  struct {
				Reference  string
				Identifier struct{ Value string }
			}
			Requestor bool
			Network   struct{ Address, Type string }
		}
		Entity []struct {
			Role   struct{ Code string }
			What   struct{ Reference string }
			Query  string
			Detail []struct{ Type, ValueString string }
		}
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	s := summary{Type: ev.Type.Code, Action: ev.Action, Outcome: ev.Outcome, OutcomeDesc: ev.OutDesc}
	for _, st := range ev.Subtype {
		s.Subtype += st.Code
	}
	for _, a := range ev.Agent {
		who := a.Who.Reference + a.Who.Identifier.Value
		req := map[bool]string{true: "requestor", false: "-"}[a.Requestor]
		s.Agents = append(s.Agents, a.Type.Coding[0].Code+" "+who+" "+req+" "+a.Network.Address+"/"+a.Network.Type)
	}
	for _, e := range ev.Entity {
		what := e.What.Reference
		if e.Query != "" {
			q, err := base64.StdEncoding.DecodeString(e.Query)
			if err != nil {
				t.Fatalf("entity.query %q: %v", e.Query, err)
			}
			what = "?" + string(q)
		}
		for _, d := range e.Detail {
			what += " " + d.Type + "=" + d.ValueString
		}
		s.Entities = append(s.Entities, e.Role.Code+" "+what)
	}
	return s
}

// auditEventCases are the table of TestAuditEvent and the seeds of
// FuzzAuditEvent.
var auditEventCases = []struct {
	name string
	r    Record
	want summary
}{
	{"patient read with a user", Record{ID: "00000000000000010000000000000001", Kind: KindFHIR, ClientID: "growth", User: "Practitioner/p1", Patient: "A",
		Interaction: "read", ResourceType: "Observation", ResourceID: "o1", Status: 200, RemoteAddr: "192.0.2.7:51234", Scope: "patient/Observation.rs"},
		summary{Type: "rest", Subtype: "read", Action: "R", Outcome: "0", OutcomeDesc: "HTTP 200",
			Agents:   []string{"humanuser " + testBase + "/Practitioner/p1 requestor /", "110153 growth - 192.0.2.7/2"},
			Entities: []string{"4 " + testBase + "/Observation/o1", "1 " + testBase + "/Patient/A", "13  scope=patient/Observation.rs"}}},
	{"refused search", Record{Kind: KindFHIR, ClientID: "growth", Patient: "A", Interaction: "search-type", ResourceType: "Observation",
		Query: "subject=Patient/B&_count=10", Status: 403, Reason: "outside the patient compartment", RemoteAddr: "[2001:db8::1]:443"},
		summary{Type: "rest", Subtype: "search-type", Action: "E", Outcome: "4", OutcomeDesc: "HTTP 403: outside the patient compartment",
			Agents:   []string{"110153 growth requestor 2001:db8::1/2"},
			Entities: []string{"24 ?Observation?subject=Patient/B&_count=10", "1 " + testBase + "/Patient/A"}}},
	{"create, server error", Record{Kind: KindFHIR, ClientID: "backend", Interaction: "create", ResourceType: "Patient", Status: 500, RemoteAddr: "ehr-host"},
		summary{Type: "rest", Subtype: "create", Action: "C", Outcome: "8", OutcomeDesc: "HTTP 500",
			Agents:   []string{"110153 backend requestor ehr-host/1"},
			Entities: []string{" "}}},
	{"update", Record{Kind: KindFHIR, ClientID: "app", Interaction: "update", ResourceType: "Patient", ResourceID: "A", Status: 200},
		summary{Type: "rest", Subtype: "update", Action: "U", Outcome: "0", OutcomeDesc: "HTTP 200",
			Agents: []string{"110153 app requestor /"}, Entities: []string{"4 " + testBase + "/Patient/A"}}},
	{"delete", Record{Kind: KindFHIR, ClientID: "app", Interaction: "delete", ResourceType: "Patient", ResourceID: "A", Status: 204},
		summary{Type: "rest", Subtype: "delete", Action: "D", Outcome: "0", OutcomeDesc: "HTTP 204",
			Agents: []string{"110153 app requestor /"}, Entities: []string{"4 " + testBase + "/Patient/A"}}},
	{"vread", Record{Kind: KindFHIR, ClientID: "app", Interaction: "vread", ResourceType: "Patient", ResourceID: "A", Status: 404},
		summary{Type: "rest", Subtype: "vread", Action: "R", Outcome: "4", OutcomeDesc: "HTTP 404",
			Agents: []string{"110153 app requestor /"}, Entities: []string{"4 " + testBase + "/Patient/A"}}},
	{"an operation with a query", Record{Kind: KindFHIR, Interaction: "operation", ResourceType: "Patient", ResourceID: "A", Query: "_since=2020", Outcome: OutcomeSuccess},
		summary{Type: "rest", Subtype: "operation", Action: "E", Outcome: "0",
			Agents:   []string{"110153  requestor /"},
			Entities: []string{"24 ?Patient?_since=2020"}}},
	{"no token at all", Record{Kind: KindFHIR, Interaction: "read", ResourceType: "Patient", ResourceID: "A", Status: 401, Reason: "no token"},
		summary{Type: "rest", Subtype: "read", Action: "R", Outcome: "4", OutcomeDesc: "HTTP 401: no token",
			Agents:   []string{"110153  requestor /"},
			Entities: []string{"4 " + testBase + "/Patient/A"}}},
	{"failed login", Record{Kind: KindAuth, User: "dr.morgan", Interaction: AuthLogin, Outcome: OutcomeDenied, Reason: "wrong password", RemoteAddr: "127.0.0.1"},
		summary{Type: "110114", Subtype: "110122", Action: "E", Outcome: "4", OutcomeDesc: "wrong password",
			Agents: []string{"humanuser dr.morgan requestor /", "110153  - 127.0.0.1/2"}}},
	{"token refused", Record{Kind: KindAuth, ClientID: "backend", Interaction: AuthToken, Status: 401, Reason: "invalid_client: the assertion's signature does not verify", Scope: "system/*.rs"},
		summary{Type: "110114", Subtype: "token", Action: "E", Outcome: "4", OutcomeDesc: "HTTP 401: invalid_client: the assertion's signature does not verify",
			Agents:   []string{"110153 backend requestor /"},
			Entities: []string{"13  scope=system/*.rs"}}},
	{"logout, absolute fhirUser", Record{Kind: KindAuth, User: "https://other.example.org/fhir/Patient/p9", Interaction: AuthLogout, Status: 302},
		summary{Type: "110114", Subtype: "110123", Action: "E", Outcome: "0", OutcomeDesc: "HTTP 302",
			Agents: []string{"humanuser https://other.example.org/fhir/Patient/p9 requestor /"}}},
	{"unknown interaction, no outcome", Record{Kind: KindFHIR, Interaction: "$everything"},
		summary{Type: "rest", Subtype: "$everything", Agents: []string{"110153  requestor /"}}},
	{"empty", Record{}, summary{Type: "rest", Agents: []string{"110153  requestor /"}}},
}

func TestAuditEvent(t *testing.T) {
	for _, c := range auditEventCases {
		t.Run(c.name, func(t *testing.T) {
			c.r.Time = time.Date(2026, 6, 1, 9, 30, 0, 123_000_000, time.FixedZone("CEST", 2*3600))
			raw := c.r.AuditEvent(testBase + "/")
			if _, _, err := validate.Check(raw, "AuditEvent"); err != nil {
				t.Fatalf("not a valid AuditEvent: %v\n%s", err, raw)
			}
			if diff := cmp.Diff(c.want, summarize(t, raw)); diff != "" {
				t.Errorf("AuditEvent (-want +got):\n%s\n%s", diff, raw)
			}
			var ev struct{ ID, Recorded string }
			json.Unmarshal(raw, &ev)
			if ev.ID != c.r.ID || ev.Recorded != "2026-06-01T07:30:00.123Z" {
				t.Errorf("id %q recorded %q", ev.ID, ev.Recorded)
			}
		})
	}
}

func TestAuditEventOmitsAnInvalidID(t *testing.T) {
	raw := Record{ID: "not an id", Kind: KindFHIR}.AuditEvent("")
	if bytes.Contains(raw, []byte(`"id"`)) {
		t.Errorf("an invalid id was rendered: %s", raw)
	}
}

func TestTheValidatorRefusesABrokenAuditEvent(t *testing.T) {
	// The AuditEvent test means something only if the validator checks
	// what it renders: a bad outcome code must fail.
	raw := Record{Kind: KindFHIR, Status: 200}.AuditEvent(testBase)
	bad := bytes.Replace(raw, []byte(`"outcome":"0"`), []byte(`"outcome":"3"`), 1)
	if bytes.Equal(raw, bad) {
		t.Fatalf("no outcome in %s", raw)
	}
	if _, _, err := validate.Check(bad, "AuditEvent"); err == nil {
		t.Error("the validator accepted outcome 3")
	}
}

func TestBundle(t *testing.T) {
	l := fixture(t)
	recs, _, err := l.Query(Filter{})
	if err != nil {
		t.Fatal(err)
	}
	raw := Bundle(testBase, recs)
	if _, _, err := validate.Check(raw, "Bundle"); err != nil {
		t.Fatalf("not a valid Bundle: %v\n%s", err, raw)
	}
	var b struct {
		Type  string
		Entry []struct {
			FullURL  string
			Resource struct{ ResourceType, ID string }
		}
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	if b.Type != "collection" || len(b.Entry) != len(recs) {
		t.Fatalf("type %q, %d entries, want collection and %d", b.Type, len(b.Entry), len(recs))
	}
	for i, e := range b.Entry {
		if e.Resource.ResourceType != "AuditEvent" || e.Resource.ID != recs[i].ID || e.FullURL != testBase+"/AuditEvent/"+recs[i].ID {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	if _, _, err := validate.Check(Bundle("", nil), "Bundle"); err != nil {
		t.Errorf("empty bundle: %v", err)
	}
}
