package adminpages

import (
	"net"
	"net/http"

	"smartd/audit"
)

// record sends the audit record of a change v made (action, e.g.
// "user-disabled"), described in words, to Options.Record; clientID names
// the app concerned, if any, so that the app's page lists it.
func (h *Handler) record(r *http.Request, v visitor, action, clientID, what string) {
	if h.opts.Record == nil {
		return
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	h.opts.Record(audit.Record{Kind: audit.KindAuth, Interaction: action, User: v.u.Username, ClientID: clientID,
		Status: http.StatusOK, Outcome: audit.OutcomeSuccess, Reason: what, RemoteAddr: ip})
}
