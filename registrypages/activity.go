package registrypages

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"smartd/audit"
	"smartd/ui"
)

// activityPage is how many audit records an app's page shows at a time.
const activityPage = 50

// activity fills the app page's activity from the audit trail, from the
// request's cursor on.
func (h *Handler) activity(r *http.Request, p *ui.RegistryAppPage, appURL string) {
	if h.opts.Audit == nil {
		return
	}
	recs, next, err := h.opts.Audit.Query(audit.Filter{ClientID: p.ClientID, Limit: activityPage, Cursor: r.URL.Query().Get("cursor")})
	if errors.Is(err, audit.ErrBadCursor) {
		recs, next, err = h.opts.Audit.Query(audit.Filter{ClientID: p.ClientID, Limit: activityPage})
	}
	if err != nil {
		h.opts.Log.Error("registrypages: read the activity", "client_id", p.ClientID, "err", err)
		p.ActivityError = "The activity could not be read; try again later."
		return
	}
	p.Activity = Rows(recs)
	if next != "" {
		p.OlderURL = appURL + "?" + url.Values{"cursor": {next}}.Encode() + "#activity"
	}
}

// Rows turns audit records into rows of an activity table: the action
// ("token", "read Patient/123"), who, the outcome and the reason.
func Rows(recs []audit.Record) []ui.ActivityRow {
	out := make([]ui.ActivityRow, 0, len(recs))
	for _, rec := range recs {
		row := ui.ActivityRow{
			Time: when(rec.Time), What: what(rec), User: rec.User, Patient: rec.Patient,
			Outcome: string(rec.Outcome), Reason: rec.Reason, Scope: rec.Scope,
		}
		if rec.Status != 0 {
			row.Status = strconv.Itoa(rec.Status)
		}
		out = append(out, row)
	}
	return out
}

// what names a record's action.
func what(rec audit.Record) string {
	s := rec.Interaction
	if rec.Kind != audit.KindFHIR {
		return s
	}
	switch {
	case rec.ResourceType != "" && rec.ResourceID != "":
		s += " " + rec.ResourceType + "/" + rec.ResourceID
	case rec.ResourceType != "":
		s += " " + rec.ResourceType
	}
	if rec.Query != "" {
		s += "?" + rec.Query
	}
	return s
}
