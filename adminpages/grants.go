package adminpages

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"smartd/audit"
	"smartd/authz/grants"
	"smartd/ui"
)

// tokenHistory is how many of a user's token requests the grants page shows.
const tokenHistory = 20

// grants serves GET /admin/grants?user=&client_id=: the active grants,
// filtered, and for one user their recent authorizations and token
// requests.
func (h *Handler) grants(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	p := ui.AdminGrantsPage{Nav: h.nav(v, h.opts.BasePath+GrantsPath), Action: h.opts.BasePath + GrantsPath,
		User: q.Get("user"), ClientID: q.Get("client_id"), CSRF: v.sess.CSRFToken}
	if q.Get("revoked") != "" {
		p.Notice = "Grant revoked: its refresh tokens no longer work, and its access tokens stop at their next use."
	}
	accounts, err := h.opts.Users.List()
	if err != nil {
		h.serverError(w, r, v, "list the users", err)
		return
	}
	apps, err := h.opts.Apps.List()
	if err != nil {
		h.serverError(w, r, v, "list the apps", err)
		return
	}
	byFHIRUser := map[string]string{}
	var subject string // the chosen user's grant subject
	known := false
	for _, u := range accounts {
		p.Users = append(p.Users, ui.Option{Value: u.Username, Label: u.Username + " (" + string(u.Role) + ")"})
		if u.FHIRUser != "" {
			byFHIRUser[u.FHIRUser] = u.Username
		}
		if u.Username == p.User {
			subject, known = u.FHIRUser, true
		}
	}
	appNames := map[string]string{}
	for _, a := range apps {
		label := a.ClientID
		if a.Name != "" {
			label = a.Name + " (" + a.ClientID + ")"
			appNames[a.ClientID] = a.Name
		}
		p.Apps = append(p.Apps, ui.Option{Value: a.ClientID, Label: label})
	}
	if p.User != "" && !known {
		h.errorPage(w, r, v, http.StatusNotFound, "No such user", "There is no account named "+p.User+".")
		return
	}
	// An account linked to no resource is the subject of no grant.
	if p.User == "" || subject != "" {
		active, err := h.opts.Grants.ListActive(grants.ActiveFilter{ClientID: p.ClientID, User: subject})
		if err != nil {
			h.serverError(w, r, v, "list the grants", err)
			return
		}
		for _, g := range active {
			p.Grants = append(p.Grants, h.grantRow(g, byFHIRUser, appNames))
		}
	}
	if p.User != "" {
		p.Tokens = h.tokenRequests(r, p.User, subject)
	}
	h.render(w, r, http.StatusOK, ui.AdminGrants(p))
}

// grantRow is one active grant on the page.
func (h *Handler) grantRow(g grants.ActiveGrant, byFHIRUser, appNames map[string]string) ui.AdminGrantRow {
	username := byFHIRUser[g.User]
	row := ui.AdminGrantRow{
		ID: g.ID, App: g.ClientID, AppURL: h.grantsURL("", g.ClientID), User: g.User,
		Patient: g.Context.Patient, Scope: g.Scope, Created: when(g.Created), Access: "online",
		Refresh: "none", RevokeAction: h.opts.BasePath + GrantsPath + "/" + g.ID + "/revoke",
	}
	if name := appNames[g.ClientID]; name != "" {
		row.App = name
	}
	if username != "" {
		row.User, row.UserURL = username, h.grantsURL(username, "")
	}
	if row.User == "" {
		row.User = "(no user)"
	}
	if g.Offline {
		row.Access = "offline"
	}
	if g.RefreshTokens > 0 {
		row.Refresh = fmt.Sprintf("%d, until %s", g.RefreshTokens, when(g.RefreshExpires))
	}
	return row
}

// tokenRequests are the newest authorization and token records of a
// user: token records name the grant's subject (the fhirUser), sign-ins
// the username.
func (h *Handler) tokenRequests(r *http.Request, username, subject string) []ui.ActivityRow {
	if h.opts.Audit == nil {
		return nil
	}
	who := subject
	if who == "" {
		who = username
	}
	recs, _, err := h.opts.Audit.Query(audit.Filter{User: who, Kind: audit.KindAuth, Limit: tokenHistory})
	if err != nil {
		h.opts.Log.ErrorContext(r.Context(), "adminpages: read the token requests", "user", username, "err", err)
		return nil
	}
	out := make([]ui.ActivityRow, 0, len(recs))
	for _, rec := range recs {
		row := ui.ActivityRow{Time: when(rec.Time), What: rec.Interaction, Outcome: string(rec.Outcome), Reason: rec.Reason, Scope: rec.Scope}
		if rec.ClientID != "" {
			row.What = rec.ClientID + ": " + rec.Interaction
		}
		if rec.Status != 0 {
			row.Status = strconv.Itoa(rec.Status)
		}
		out = append(out, row)
	}
	return out
}

// revoke serves POST /admin/grants/{id}/revoke (csrf_token, and the
// filter to go back to: user, client_id).
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	v, ok := h.visitor(w, r)
	if !ok || !h.checkForm(w, r, v) {
		return
	}
	id := r.PathValue("id")
	err := h.opts.Grants.Revoke(id)
	switch {
	case errors.Is(err, grants.ErrNotFound):
		h.errorPage(w, r, v, http.StatusNotFound, "No such grant", "This grant does not exist or has already ended.")
		return
	case err != nil:
		h.serverError(w, r, v, "revoke the grant", err)
		return
	}
	h.opts.Log.InfoContext(r.Context(), "grant revoked", "grant", id, "by", v.u.Username)
	h.record(r, v, "grant-revoked", "", "grant "+id+" revoked")
	back := h.grantsURL(r.PostFormValue("user"), r.PostFormValue("client_id"))
	sep := "?"
	if len(back) > len(h.opts.BasePath+GrantsPath) {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"revoked=1", http.StatusSeeOther)
}
