package server_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// TestAdminRevokesAGrant: a real standalone launch's grant is listed by
// user and by app; revoking it ends the refresh token at once and the
// access token on the FHIR API.
func TestAdminRevokesAGrant(t *testing.T) {
	ts := launchServer(t)
	l := newLaunch(t, ts)
	_, page := l.start("launch/patient openid fhirUser offline_access patient/*.rs")
	_, page = l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
	resp, _ := l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
	tok := l.finish(resp)
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	fhirStatus := func() int {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/fhir/Patient/smart-patient-1", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := fhirStatus(); got != http.StatusOK {
		t.Fatalf("FHIR read before revoking: %d", got)
	}

	admin := newCBrowser(t, ts)
	admin.signIn("admin", "admin-demo-2026")
	for _, path := range []string{"/admin/grants", "/admin/grants?user=jose", "/admin/grants?client_id=demo-public"} {
		p := admin.get(path)
		if p.status != http.StatusOK || !strings.Contains(p.body, "/revoke") || !strings.Contains(p.body, "smart-patient-1") {
			t.Errorf("GET %s: %d, no grant of jose listed\n%s", path, p.status, p.body)
		}
	}
	if p := admin.get("/admin/grants?user=dr.morgan"); strings.Contains(p.body, "/revoke") {
		t.Error("dr.morgan's page lists jose's grant")
	}
	// The token issued to jose is in the trail, under his page.
	eventually(t, "jose's token request on the admin page", func() bool {
		p := admin.get("/admin/grants?user=jose")
		return strings.Contains(p.body, "demo-public: token") && strings.Contains(p.body, "Recent token requests")
	})

	p := admin.get("/admin/grants?user=jose")
	action := ""
	for n := range p.doc.Descendants() {
		if n.Data == "form" && strings.HasSuffix(attr(n, "action"), "/revoke") {
			action = attr(n, "action")
		}
	}
	if action == "" {
		t.Fatal("no Revoke form")
	}
	csrf := csrfOf(p.doc)
	p = admin.post(action, url.Values{"csrf_token": {csrf}, "user": {"jose"}, "client_id": {""}})
	if p.status != http.StatusSeeOther || p.location() != "/admin/grants?user=jose&revoked=1" {
		t.Fatalf("revoke: %d to %q\n%s", p.status, p.location(), p.body)
	}
	if p := admin.get(p.location()); strings.Contains(p.body, "/revoke") || !strings.Contains(p.body, "Grant revoked") {
		t.Error("the revoked grant is still listed, or no confirmation")
	}
	if status, _, code := l.refresh(tok.RefreshToken); status != http.StatusBadRequest || code != "invalid_grant" {
		t.Errorf("refresh after revoking: %d %s, want 400 invalid_grant", status, code)
	}
	if got := fhirStatus(); got != http.StatusUnauthorized {
		t.Errorf("FHIR read after revoking: %d, want 401", got)
	}
	if p := admin.post(action, url.Values{"csrf_token": {csrf}}); p.status != http.StatusSeeOther {
		t.Errorf("revoking again: %d, want 303", p.status)
	}
	if p := admin.post("/admin/grants/no-such-grant/revoke", url.Values{"csrf_token": {csrf}}); p.status != http.StatusNotFound {
		t.Errorf("revoking an unknown grant: %d, want 404", p.status)
	}
}

// TestAdminManagesUsers adds, refuses, disables, enables, resets and
// deletes an account through the admin pages.
func TestAdminManagesUsers(t *testing.T) {
	ts, srv := launchServerWith(t)
	admin := newCBrowser(t, ts)
	admin.signIn("admin", "admin-demo-2026")
	csrf := admin.csrf("/admin/users")

	bad := url.Values{"csrf_token": {csrf}, "username": {"Nina"}, "display_name": {"Nina"}, "role": {"clinician"},
		"fhir_user": {"Patient/smart-patient-2"}, "password": {"short"}}
	p := admin.post("/admin/users", bad)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid account: %d\n%s", p.status, p.body)
	}
	for id, want := range map[string]string{"username-error": "lowercase", "password-error": "at least 8"} {
		if got := byID(p.doc, id); !strings.Contains(got, want) {
			t.Errorf("#%s = %q, want %q", id, got, want)
		}
	}
	if inputValue(p.doc, "username") != "Nina" || inputValue(p.doc, "password") != "" {
		t.Error("the form is not refilled as typed, or the password came back")
	}
	bad.Set("username", "nina")
	bad.Set("password", "nina-password-1")
	if p := admin.post("/admin/users", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(byID(p.doc, "fhir_user-error"), "Practitioner") {
		t.Errorf("clinician linked to a Patient: %d %q", p.status, byID(p.doc, "fhir_user-error"))
	}
	bad.Set("fhir_user", "Practitioner/smart-practitioner-2")
	if p := admin.post("/admin/users", bad); p.status != http.StatusSeeOther || p.location() != "/admin/users/nina?done=added" {
		t.Fatalf("add nina: %d to %q\n%s", p.status, p.location(), p.body)
	}
	if p := admin.post("/admin/users", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(byID(p.doc, "username-error"), "already exists") {
		t.Errorf("add nina twice: %d", p.status)
	}
	if !strings.Contains(admin.get("/admin/users").body, "/admin/users/nina") {
		t.Error("the list lacks nina")
	}

	nina := newCBrowser(t, ts)
	if p := nina.signIn("nina", "nina-password-1"); p.status != http.StatusSeeOther || nina.get("/ehr/").status != http.StatusOK {
		t.Fatalf("nina signs in: %d", p.status)
	}
	if p := admin.post("/admin/users/nina/status", url.Values{"csrf_token": {csrf}, "disabled": {"true"}}); p.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.status)
	}
	if p := nina.get("/ehr/"); p.status != http.StatusSeeOther {
		t.Errorf("disabled nina's session: %d, want 303 to sign in", p.status)
	}
	if p := newCBrowser(t, ts).signIn("nina", "nina-password-1"); p.status != http.StatusOK {
		t.Errorf("disabled nina signs in: %d, want the form again", p.status)
	}
	admin.post("/admin/users/nina/status", url.Values{"csrf_token": {csrf}, "disabled": {"false"}})
	if p := newCBrowser(t, ts).signIn("nina", "nina-password-1"); p.status != http.StatusSeeOther {
		t.Errorf("enabled nina signs in: %d", p.status)
	}

	if p := admin.post("/admin/users/nina/password", url.Values{"csrf_token": {csrf}, "password": {"nina"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("a bad password: %d, want 422", p.status)
	}
	if p := admin.post("/admin/users/nina/password", url.Values{"csrf_token": {csrf}, "password": {"nina-password-2"}}); p.status != http.StatusSeeOther {
		t.Fatalf("reset: %d", p.status)
	}
	if p := newCBrowser(t, ts).signIn("nina", "nina-password-1"); p.status != http.StatusOK {
		t.Errorf("old password after a reset: %d", p.status)
	}
	if p := newCBrowser(t, ts).signIn("nina", "nina-password-2"); p.status != http.StatusSeeOther {
		t.Errorf("new password: %d", p.status)
	}

	profile := url.Values{"csrf_token": {csrf}, "display_name": {"Dr. Nina Berg"}, "role": {"clinician"}, "fhir_user": {"Practitioner/smart-practitioner-2"}}
	if p := admin.post("/admin/users/nina", profile); p.status != http.StatusSeeOther || !strings.Contains(admin.get("/admin/users").body, "Dr. Nina Berg") {
		t.Errorf("profile: %d", p.status)
	}
	self := url.Values{"csrf_token": {csrf}, "display_name": {"Me"}, "role": {"developer"}}
	if p := admin.post("/admin/users/admin", self); p.status != http.StatusUnprocessableEntity || !strings.Contains(byID(p.doc, "role-error"), "own account") {
		t.Errorf("demoting oneself: %d", p.status)
	}
	if p := admin.post("/admin/users/admin/delete", url.Values{"csrf_token": {csrf}}); p.status != http.StatusBadRequest {
		t.Errorf("deleting oneself: %d, want 400", p.status)
	}

	if p := admin.get("/admin/users/nina/delete"); p.status != http.StatusOK || !strings.Contains(p.body, "Delete nina?") {
		t.Fatalf("delete confirmation: %d", p.status)
	}
	if p := admin.post("/admin/users/nina/delete", url.Values{"csrf_token": {csrf}}); p.status != http.StatusSeeOther || p.location() != "/admin/users?deleted=nina" {
		t.Fatalf("delete: %d to %q", p.status, p.location())
	}
	if p := newCBrowser(t, ts).signIn("nina", "nina-password-2"); p.status != http.StatusOK {
		t.Errorf("deleted nina signs in: %d", p.status)
	}
	if p := admin.get("/admin/users/nina"); p.status != http.StatusNotFound {
		t.Errorf("deleted nina's page: %d", p.status)
	}
	dev := newCBrowser(t, ts)
	dev.signIn("dev", "dev-demo-2026")
	if p := dev.post("/admin/users", url.Values{"csrf_token": {dev.csrf("/apps/")}, "username": {"x"}}); p.status != http.StatusForbidden {
		t.Errorf("a developer adds a user: %d, want 403", p.status)
	}
	// Each change is in the audit trail, by whom.
	token, err := os.ReadFile(srv.AdminTokenFile())
	if err != nil {
		t.Fatal(err)
	}
	var recs []string
	for range 50 {
		_, body := adminDo(t, ts, strings.TrimSpace(string(token)), "GET", "/audit?kind=auth&user=admin", "")
		recs = recs[:0]
		for _, action := range []string{"user-added", "user-disabled", "user-enabled"} {
			if strings.Contains(body, `"interaction": "`+action+`"`) {
				recs = append(recs, action)
			}
		}
		if len(recs) == 3 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(recs) != 3 {
		t.Errorf("admin changes in the audit trail: %v, want user-added, user-disabled and user-enabled", recs)
	}
}
