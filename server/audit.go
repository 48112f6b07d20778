package server

import (
	"net/http"
	"path/filepath"

	"smartd/audit"
	"smartd/authorize"
	"smartd/fhirproxy"
	"smartd/sessions"
)

// openAudit opens the audit trail in its own file beside the store.
func (s *Server) openAudit() error {
	var err error
	s.audit, err = audit.Open(filepath.Join(s.cfg.DataDir, audit.FileName), audit.Options{
		Retention: s.cfg.AuditRetention, Now: s.cfg.Now, Log: s.log,
	})
	return err
}

// auditFHIR records one FHIR request (fhirproxy.Options.Audit).
func (s *Server) auditFHIR(r *http.Request, ev fhirproxy.Event) {
	rec := audit.Record{
		Kind: audit.KindFHIR, Interaction: string(ev.Interaction), ResourceType: ev.Type, ResourceID: ev.ID,
		Query: r.URL.RawQuery, Status: ev.Status, Reason: ev.Reason,
		RemoteAddr: sessions.ClientIP(r), RequestID: RequestID(r.Context()),
	}
	if a := ev.Access; a != nil {
		rec.ClientID, rec.User, rec.Patient = a.ClientID, a.Subject, a.Patient
		if ev.Status >= 400 {
			rec.Scope = a.Scope // what the refused token held; a success needs no repeat of it
		}
	} else if ev.Status != http.StatusUnauthorized {
		rec.User = "admin" // the trusted path
	}
	if ev.Status < 400 {
		rec.Reason = ""
	}
	s.audit.Record(rec)
}

// auditAuth records a sign-in or sign-out, at the authorize endpoint or
// the web pages (authorize.Options.Audit, signin.Options.Audit).
func (s *Server) auditAuth(e authorize.AuthEvent) {
	outcome := audit.OutcomeSuccess
	if e.Outcome != authorize.OutcomeSuccess {
		outcome = audit.OutcomeDenied
	}
	s.audit.Record(audit.Record{
		Time: e.Time, Kind: audit.KindAuth, Interaction: e.Action, User: e.Username,
		Outcome: outcome, Reason: e.Reason, RemoteAddr: e.IP,
	})
}
