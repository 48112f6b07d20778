package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConsoleRoles: the shared sign-in sends each role to its pages, and
// each page admits only its roles.
func TestConsoleRoles(t *testing.T) {
	ts := launchServer(t)
	anon := newCBrowser(t, ts)
	for _, path := range []string{"/apps/", "/apps/new", "/admin/grants", "/admin/users"} {
		want := "/login?" + url.Values{"next": {path}}.Encode()
		if p := anon.get(path); p.status != http.StatusSeeOther || p.location() != want {
			t.Errorf("anonymous GET %s: %d to %q, want 303 to %q", path, p.status, p.location(), want)
		}
	}
	tests := []struct {
		user, password, home string
		status               map[string]int
	}{
		{"dev", "dev-demo-2026", "/apps/", map[string]int{"/apps/": 200, "/apps/new": 200, "/admin/grants": 403, "/admin/users": 403}},
		{"admin", "admin-demo-2026", "/admin/grants", map[string]int{"/apps/": 200, "/apps/new": 200, "/admin/grants": 200, "/admin/users": 200}},
		{"dr.morgan", "morgan-demo-2026", "/ehr/", map[string]int{"/apps/": 403, "/admin/grants": 403, "/admin/users": 403, "/ehr/": 200}},
		{"jose", "jose-demo-2026", "", map[string]int{"/apps/": 403, "/admin/grants": 403}},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			b := newCBrowser(t, ts)
			p := b.signIn(tc.user, tc.password)
			if p.status != http.StatusSeeOther || tc.home != "" && p.location() != tc.home {
				t.Fatalf("sign-in: %d to %q, want 303 to %q\n%s", p.status, p.location(), tc.home, p.body)
			}
			got := map[string]int{}
			for path := range tc.status {
				got[path] = b.get(path).status
			}
			if diff := cmp.Diff(tc.status, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
		})
	}
}

// registerForm is a filled registration form.
func registerForm(csrf, name, typ, redirects string, grants ...string) url.Values {
	return url.Values{"csrf_token": {csrf}, "name": {name}, "client_type": {typ}, "redirect_uris": {redirects},
		"grant_types": grants, "launch_url": {""}, "scope": {""}, "logo_uri": {""}}
}

// TestRegisterAppThroughForm registers a public and a confidential app,
// sees the secret once, uses it at the token endpoint, rotates it, edits
// and deletes, and finds a refused token request on the app's page.
func TestRegisterAppThroughForm(t *testing.T) {
	ts := launchServer(t)
	dev := newCBrowser(t, ts)
	dev.signIn("dev", "dev-demo-2026")
	csrf := dev.csrf("/apps/new")

	p := dev.post("/apps/new", registerForm(csrf, "Growth Chart", "public", "https://growth.example/cb", "authorization_code"))
	publicID := byID(p.doc, "client-id")
	if p.status != http.StatusOK || publicID == "" || byID(p.doc, "client-secret") != "" {
		t.Fatalf("public app: %d, client_id %q, secret %q\n%s", p.status, publicID, byID(p.doc, "client-secret"), p.body)
	}
	if !strings.Contains(p.body, "launch/patient openid fhirUser offline_access patient/*.rs") {
		t.Error("the default scopes were not applied")
	}

	p = dev.post("/apps/new", registerForm(csrf, "Billing", "confidential-symmetric", "https://billing.example/cb\r\n\r\nhttp://localhost:9000/cb", "authorization_code", "refresh_token"))
	id, secret := byID(p.doc, "client-id"), byID(p.doc, "client-secret")
	if p.status != http.StatusOK || id == "" || len(secret) < 40 {
		t.Fatalf("confidential app: %d, client_id %q, secret %q\n%s", p.status, id, secret, p.body)
	}
	if again := dev.get("/apps/" + id); again.status != http.StatusOK || byID(again.doc, "client-secret") != "" || strings.Contains(again.body, secret) {
		t.Errorf("app page again: %d, shows the secret: %v", again.status, strings.Contains(again.body, secret))
	}
	bogusCode := url.Values{"grant_type": {"authorization_code"}, "code": {"no-such-code"}, "redirect_uri": {"https://billing.example/cb"}}
	// The right secret authenticates the client: the code is what fails.
	if code, e := tokenStatus(t, ts, bogusCode, id, secret); code != http.StatusBadRequest || e != "invalid_grant" {
		t.Errorf("token with the secret: %d %s, want 400 invalid_grant", code, e)
	}
	if code, e := tokenStatus(t, ts, bogusCode, id, "wrong-secret"); code != http.StatusUnauthorized || e != "invalid_client" {
		t.Errorf("token with a wrong secret: %d %s, want 401 invalid_client", code, e)
	}

	// The refused request is on the app's page, with its reason.
	eventually(t, "the refused token request on the app page", func() bool {
		page := dev.get("/apps/" + id)
		return strings.Contains(page.body, "invalid_client") && strings.Contains(page.body, "invalid_grant")
	})

	p = dev.post("/apps/"+id+"/secret", url.Values{"csrf_token": {csrf}})
	rotated := byID(p.doc, "client-secret")
	if p.status != http.StatusOK || rotated == "" || rotated == secret {
		t.Fatalf("rotate: %d, secret %q", p.status, rotated)
	}
	if code, e := tokenStatus(t, ts, bogusCode, id, secret); e != "invalid_client" {
		t.Errorf("old secret after rotation: %d %s, want invalid_client", code, e)
	}
	if code, e := tokenStatus(t, ts, bogusCode, id, rotated); e != "invalid_grant" {
		t.Errorf("new secret: %d %s, want invalid_grant", code, e)
	}

	edit := dev.get("/apps/" + id + "/edit")
	if got := textareaValue(edit.doc, "redirect_uris"); got != "https://billing.example/cb http://localhost:9000/cb" {
		t.Errorf("edit form redirect URIs %q", got)
	}
	form := registerForm(csrf, "Billing Pro", "confidential-symmetric", "https://billing.example/cb", "authorization_code")
	if p := dev.post("/apps/"+id+"/edit", form); p.status != http.StatusSeeOther || p.location() != "/apps/"+id+"?saved=1" {
		t.Fatalf("edit: %d to %q\n%s", p.status, p.location(), p.body)
	}
	if p := dev.get("/apps/" + id + "?saved=1"); !strings.Contains(p.body, "Billing Pro") || !strings.Contains(p.body, "Changes saved.") {
		t.Error("edited name not shown")
	}
	if code, e := tokenStatus(t, ts, bogusCode, id, rotated); e != "invalid_grant" {
		t.Errorf("secret after an edit: %d %s, want invalid_grant (kept)", code, e)
	}

	list := dev.get("/apps/")
	for _, want := range []string{"Growth Chart", "Billing Pro", publicID, id} {
		if !strings.Contains(list.body, want) {
			t.Errorf("My apps does not list %q", want)
		}
	}
	if strings.Contains(list.body, "demo-public") {
		t.Error("My apps lists an app the developer does not own")
	}

	if p := dev.get("/apps/" + id + "/delete"); p.status != http.StatusOK || !strings.Contains(p.body, "Delete Billing Pro?") {
		t.Fatalf("delete confirmation: %d", p.status)
	}
	if p := dev.post("/apps/"+id+"/delete", url.Values{"csrf_token": {csrf}}); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/apps/?deleted=") {
		t.Fatalf("delete: %d to %q", p.status, p.location())
	}
	if p := dev.get("/apps/" + id); p.status != http.StatusNotFound {
		t.Errorf("deleted app's page: %d, want 404", p.status)
	}
	if code, e := tokenStatus(t, ts, bogusCode, id, rotated); e != "invalid_client" {
		t.Errorf("deleted app at the token endpoint: %d %s", code, e)
	}
}

// TestRegisterAppValidation: the registry's problems come back next to
// their fields, with the form as typed.
func TestRegisterAppValidation(t *testing.T) {
	ts := launchServer(t)
	dev := newCBrowser(t, ts)
	dev.signIn("dev", "dev-demo-2026")
	csrf := dev.csrf("/apps/new")
	tests := []struct {
		name  string
		form  url.Values
		files map[string]string
		// want maps each field's error element id to a substring of its text.
		want map[string]string
	}{
		{"http redirect on a public host", registerForm(csrf, "Bad", "public", "http://app.example/cb", "authorization_code"),
			nil, map[string]string{"redirect_uris-error": "http://app.example/cb"}},
		{"no redirect URI", registerForm(csrf, "Bad", "public", "", "authorization_code"),
			nil, map[string]string{"redirect_uris-error": "at least one redirect URI"}},
		{"backend without keys", registerForm(csrf, "Bad", "confidential-asymmetric", "", "client_credentials"),
			nil, map[string]string{"jwks-error": "public keys"}},
		{"client credentials for a public app", registerForm(csrf, "Bad", "public", "", "client_credentials"),
			nil, map[string]string{"grant_types-error": "client_credentials"}},
		{"no client type", registerForm(csrf, "Bad", "", "https://a.example/cb", "authorization_code"),
			nil, map[string]string{"client_type-error": "Choose a client type."}},
		{"a PEM that is not a key", registerForm(csrf, "Bad", "confidential-asymmetric", "", "client_credentials"),
			map[string]string{"pem_file": "not a key"}, map[string]string{"pem-error": "PEM"}},
		{"bad launch and logo URLs", func() url.Values {
			f := registerForm(csrf, "Bad", "public", "https://a.example/cb", "authorization_code")
			f.Set("launch_url", "ftp://a.example/launch")
			f.Set("logo_uri", "not a url")
			return f
		}(), nil, map[string]string{"launch_url-error": "ftp://a.example/launch", "logo_uri-error": "not a url"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p cpage
			if tc.files != nil {
				p = dev.postMultipart("/apps/new", tc.form, tc.files)
			} else {
				p = dev.post("/apps/new", tc.form)
			}
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", p.status, p.body)
			}
			for id, want := range tc.want {
				if got := byID(p.doc, id); !strings.Contains(got, want) {
					t.Errorf("#%s = %q, want it to mention %q", id, got, want)
				}
			}
			if byID(p.doc, "form-problems") == "" {
				t.Error("no summary of the problems")
			}
			if got := textareaValue(p.doc, "redirect_uris"); got != strings.Join(strings.Fields(tc.form.Get("redirect_uris")), " ") {
				t.Errorf("redirect URIs not refilled: %q", got)
			}
			if got := inputValue(p.doc, "name"); got != "Bad" {
				t.Errorf("name not refilled: %q", got)
			}
		})
	}
}

// TestRegisterBackendWithPEM: a key pair app registered with an uploaded
// PEM public key gets it as an inline JWKS.
func TestRegisterBackendWithPEM(t *testing.T) {
	ts := launchServer(t)
	dev := newCBrowser(t, ts)
	dev.signIn("dev", "dev-demo-2026")
	csrf := dev.csrf("/apps/new")
	p := dev.postMultipart("/apps/new", registerForm(csrf, "Nightly export", "confidential-asymmetric", "", "client_credentials"),
		map[string]string{"pem_file": testPublicKeyPEM(t)})
	if p.status != http.StatusOK || byID(p.doc, "client-id") == "" {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	for _, want := range []string{"an inline JWKS", "system/*.rs", "client_credentials"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("app page lacks %q", want)
		}
	}
}

// TestConsoleIsolationAndCSRF: a developer cannot see or change another
// developer's app, and the forms refuse a missing token or another site.
func TestConsoleIsolationAndCSRF(t *testing.T) {
	ts := launchServer(t)
	admin := newCBrowser(t, ts)
	admin.signIn("admin", "admin-demo-2026")
	acsrf := admin.csrf("/admin/users")
	if p := admin.post("/admin/users", url.Values{"csrf_token": {acsrf}, "username": {"dana"}, "role": {"developer"}, "password": {"dana-password-1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add dana: %d\n%s", p.status, p.body)
	}
	dev := newCBrowser(t, ts)
	dev.signIn("dev", "dev-demo-2026")
	csrf := dev.csrf("/apps/new")
	p := dev.post("/apps/new", registerForm(csrf, "Mine", "public", "https://mine.example/cb", "authorization_code"))
	id := byID(p.doc, "client-id")
	if id == "" {
		t.Fatalf("register: %d\n%s", p.status, p.body)
	}
	dana := newCBrowser(t, ts)
	if p := dana.signIn("dana", "dana-password-1"); p.status != http.StatusSeeOther {
		t.Fatalf("dana signs in: %d", p.status)
	}
	dcsrf := dana.csrf("/apps/")
	for _, path := range []string{"/apps/" + id, "/apps/" + id + "/edit", "/apps/" + id + "/delete", "/apps/demo-public"} {
		if p := dana.get(path); p.status != http.StatusNotFound {
			t.Errorf("another developer GET %s: %d, want 404", path, p.status)
		}
	}
	for _, path := range []string{"/apps/" + id + "/delete", "/apps/" + id + "/secret", "/apps/" + id + "/edit"} {
		if p := dana.post(path, url.Values{"csrf_token": {dcsrf}}); p.status != http.StatusNotFound {
			t.Errorf("another developer POST %s: %d, want 404", path, p.status)
		}
	}
	if strings.Contains(dana.get("/apps/").body, id) {
		t.Error("another developer's list shows the app")
	}
	if p := admin.get("/apps/" + id); p.status != http.StatusOK || !strings.Contains(p.body, "dev") {
		t.Errorf("admin sees the app: %d", p.status)
	}
	if !strings.Contains(admin.get("/apps/").body, id) {
		t.Error("the admin's list lacks the app")
	}

	form := registerForm("", "CSRF", "public", "https://csrf.example/cb", "authorization_code")
	if p := dev.post("/apps/new", form); p.status != http.StatusForbidden {
		t.Errorf("no token: %d, want 403", p.status)
	}
	form.Set("csrf_token", dcsrf) // another session's token
	if p := dev.post("/apps/new", form); p.status != http.StatusForbidden {
		t.Errorf("another session's token: %d, want 403", p.status)
	}
	form.Set("csrf_token", csrf)
	if p := dev.post("/apps/new", form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); p.status != http.StatusForbidden {
		t.Errorf("cross-site: %d, want 403", p.status)
	}
	if p := dev.post("/apps/"+id+"/delete", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("delete without a token: %d, want 403", p.status)
	}
	if p := dev.get("/apps/" + id); p.status != http.StatusOK {
		t.Errorf("the app after refused forms: %d", p.status)
	}
}
