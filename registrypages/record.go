package registrypages

import (
	"net/http"

	"smartd/audit"
	"smartd/sessions"
)

// record sends the audit record of a change v made to Options.Record (see
// audit.Change).
func (h *Handler) record(r *http.Request, v visitor, action, clientID, what string) {
	if h.opts.Record != nil {
		h.opts.Record(audit.Change(v.u.Username, action, clientID, what, sessions.ClientIP(r)))
	}
}
