package audit

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"smartd/fhirproxy/validate"
)

// FuzzAuditEvent checks that every record renders as a valid AuditEvent.
func FuzzAuditEvent(f *testing.F) {
	for _, c := range auditEventCases {
		r := c.r
		f.Add(r.ID, string(r.Kind), r.ClientID, r.User, r.Patient, r.Interaction, r.ResourceType, r.ResourceID,
			r.Query, r.Status, string(r.Outcome), r.Reason, r.Scope, r.RemoteAddr, testBase)
	}
	f.Fuzz(func(t *testing.T, id, kind, client, user, patient, interaction, typ, rid, query string, status int,
		outcome, reason, scope, remote, base string) {
		r := Record{ID: id, Time: time.Unix(1_780_000_000, 0), Kind: Kind(kind), ClientID: client, User: user, Patient: patient,
			Interaction: interaction, ResourceType: typ, ResourceID: rid, Query: query, Status: status,
			Outcome: Outcome(outcome), Reason: reason, Scope: scope, RemoteAddr: remote}
		raw := r.AuditEvent(base)
		if _, _, err := validate.Check(raw, "AuditEvent"); err != nil {
			t.Fatalf("%+v: not a valid AuditEvent: %v\n%s", r, err, raw)
		}
		if _, _, err := validate.Check(Bundle(base, []Record{r}), "Bundle"); err != nil {
			t.Fatalf("%+v: not a valid Bundle: %v", r, err)
		}
	})
}

// FuzzQuery checks that any filter either is refused with ErrBadFilter or
// ErrBadCursor, or returns only records that match it.
func FuzzQuery(f *testing.F) {
	f.Add("", "", "", "", "", "", "", 0, "")
	f.Add("growth", "Practitioner/p1", "A", "fhir", "denied", "Patient", "1h", 3, "")
	f.Add("backend", "", "", "auth", "success", "", "2026-06-01T09:05:00Z", 1, "1898b5d9ef714a0000000000000003e9")
	f.Add("", "", "", "", "", "", "", -1, "nope")
	l := fixture(f)
	f.Fuzz(func(t *testing.T, client, user, patient, kind, outcome, typ, since string, limit int, cursor string) {
		s, err := ParseTime(since, queryStart.Add(time.Hour))
		if err != nil {
			if !errors.Is(err, ErrBadFilter) {
				t.Fatalf("ParseTime(%q): %v", since, err)
			}
			return
		}
		flt := Filter{Since: s, ClientID: client, User: user, Patient: patient, Kind: Kind(kind), Outcome: Outcome(outcome),
			ResourceType: typ, Limit: limit, Cursor: cursor}
		recs, next, err := l.Query(flt)
		if err != nil {
			if !errors.Is(err, ErrBadFilter) && !errors.Is(err, ErrBadCursor) {
				t.Fatalf("Query(%+v): %v", flt, err)
			}
			return
		}
		if err := flt.check(); err != nil {
			t.Fatal(err)
		}
		if len(recs) > flt.Limit || next != "" && len(recs) == 0 {
			t.Fatalf("Query(%+v): %d records, next %q", flt, len(recs), next)
		}
		for _, r := range recs {
			if !matches(&flt, &r) || r.Time.Before(s) {
				b, _ := json.Marshal(r)
				t.Fatalf("Query(%+v) returned %s", flt, b)
			}
		}
	})
}

// matches is Filter's field test, written again over a Record.
func matches(f *Filter, r *Record) bool {
	return (f.ClientID == "" || r.ClientID == f.ClientID) &&
		(f.User == "" || r.User == f.User) &&
		(f.Patient == "" || r.Patient == f.Patient) &&
		(f.ResourceType == "" || r.ResourceType == f.ResourceType) &&
		(f.Kind == "" || r.Kind == f.Kind) &&
		(f.Outcome == "" || r.Outcome == f.Outcome)
}
