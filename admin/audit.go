package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"smartd/audit"
	"smartd/authz/oauth"
)

// AuditTrail is the query side of the audit trail; *audit.Log implements
// it.
type AuditTrail interface {
	Query(audit.Filter) (records []audit.Record, next string, err error)
}

// AuditPage is the answer to GET /audit: records newest first, and the
// cursor of the next page ("" when there is none).
type AuditPage struct {
	Records []audit.Record `json:"records"`
	Next    string         `json:"next"`
}

// auditParams are the query parameters of GET /audit.
var auditParams = map[string]bool{
	"since": true, "until": true, "client_id": true, "user": true, "patient": true,
	"kind": true, "outcome": true, "type": true, "limit": true, "cursor": true,
}

func (a *API) queryAudit(w http.ResponseWriter, r *http.Request) error {
	if a.audit == nil {
		e := oauth.New("not_found", "this server keeps no audit trail")
		e.Status = http.StatusNotFound
		return e
	}
	f, err := auditFilter(r.URL.Query(), a.now())
	if err != nil {
		return oauth.New(oauth.InvalidRequest, err.Error())
	}
	recs, next, err := a.audit.Query(f)
	switch {
	case errors.Is(err, audit.ErrBadCursor) || errors.Is(err, audit.ErrBadFilter):
		return oauth.New(oauth.InvalidRequest, err.Error())
	case err != nil:
		return oauth.Internal(err)
	}
	return writeJSON(w, http.StatusOK, AuditPage{Records: recs, Next: next})
}

// auditFilter reads the filter of GET /audit: since and until as
// audit.ParseTime takes them, client_id, user, patient, kind, outcome,
// type (the resource type), limit and cursor. Unknown or repeated
// parameters are refused, so that a misspelt filter does not silently
// return everything.
func auditFilter(q url.Values, now time.Time) (audit.Filter, error) {
	var f audit.Filter
	for k, v := range q {
		if !auditParams[k] {
			return f, errors.New("unknown parameter " + strconv.Quote(k) + " (want since, until, client_id, user, patient, kind, outcome, type, limit, cursor)")
		}
		if len(v) > 1 {
			return f, errors.New("parameter " + strconv.Quote(k) + " given twice")
		}
	}
	var err error
	if f.Since, err = audit.ParseTime(q.Get("since"), now); err != nil {
		return f, err
	}
	if f.Until, err = audit.ParseTime(q.Get("until"), now); err != nil {
		return f, err
	}
	if s := q.Get("limit"); s != "" {
		if f.Limit, err = strconv.Atoi(s); err != nil || f.Limit < 1 {
			return f, errors.New("limit must be a positive integer")
		}
	}
	f.ClientID, f.User, f.Patient = q.Get("client_id"), q.Get("user"), q.Get("patient")
	f.Kind, f.Outcome, f.ResourceType = audit.Kind(q.Get("kind")), audit.Outcome(q.Get("outcome")), q.Get("type")
	f.Cursor = q.Get("cursor")
	return f, nil
}
