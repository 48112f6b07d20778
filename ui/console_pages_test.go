package ui

import (
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

var consoleNav = ConsoleNav{User: "Demo Developer", Role: "developer", LogoutAction: "/logout", CSRF: "tok",
	Links: []ConsoleLink{{Label: "My apps", URL: "/apps/", Current: true}, {Label: "Register an app", URL: "/apps/new"}}}

func appFormPage() AppFormPage {
	return AppFormPage{
		Nav: consoleNav, Action: "/apps/new", CSRF: "tok", CancelURL: "/apps/", DefaultScopes: "launch openid",
		Form: AppForm{Name: "Growth Chart", ClientType: "public", GrantTypes: []string{"authorization_code"},
			RedirectURIs: "http://app.example/cb\nhttps://ok.example/cb", Scope: "launch openid"},
		Errors: FieldErrors{
			AppFieldRedirectURIs: {`"http://app.example/cb" must be https`},
			AppFieldScope:        {"scope is required"},
			"":                   {"owner is too long"},
		},
	}
}

func registryAppPage() RegistryAppPage {
	return RegistryAppPage{
		Nav: consoleNav, Notice: "App registered.", Name: "Billing", ClientID: "c-1", Type: "confidential-symmetric",
		Owner: "dev", Scope: "launch openid", RedirectURIs: []string{"https://b.example/cb"}, GrantTypes: []string{"authorization_code"},
		Created: "2026-03-01 12:00:00", Updated: "2026-03-01 12:00:00", Secret: "s3cr3t",
		EditURL: "/apps/c-1/edit", DeleteURL: "/apps/c-1/delete", RotateAction: "/apps/c-1/secret", CSRF: "tok",
		Activity: []ActivityRow{
			{Time: "2026-03-01 12:01:00", What: "token", Status: "401", Outcome: "denied", Reason: "invalid_client: the client assertion's aud is not the token URL"},
			{Time: "2026-03-01 12:00:30", What: "read Patient/1", User: "Practitioner/1", Patient: "1", Status: "200", Outcome: "success", Scope: "patient/*.rs"},
		},
		OlderURL: "/apps/c-1?cursor=x#activity",
	}
}

func adminGrantsPage() AdminGrantsPage {
	return AdminGrantsPage{
		Nav: consoleNav, Action: "/admin/grants", CSRF: "tok", User: "jose",
		Users: []Option{{"jose", "jose (patient)"}, {"dev", "dev (developer)"}}, Apps: []Option{{"demo-public", "Demo (demo-public)"}},
		Grants: []AdminGrantRow{{ID: "g1", App: "Demo", AppURL: "/admin/grants?client_id=demo-public", User: "jose", UserURL: "/admin/grants?user=jose",
			Patient: "smart-patient-1", Scope: "patient/*.rs", Created: "2026-03-01", Access: "offline", Refresh: "1, until 2026-06-01", RevokeAction: "/admin/grants/g1/revoke"}},
		Tokens: []ActivityRow{{Time: "2026-03-01", What: "demo-public: token", Outcome: "success", Status: "200", Scope: "patient/*.rs"}},
	}
}

func adminUserPage() AdminUserPage {
	return AdminUserPage{
		Nav: consoleNav, Username: "nina", ProfileAction: "/admin/users/nina", Roles: []string{"clinician", "developer"},
		Form: UserForm{Username: "nina", Role: "clinician", FHIRUser: "Patient/1"}, Errors: FieldErrors{"fhir_user": {"a clinician links to Practitioner/id"}},
		PasswordErrors: FieldErrors{"password": {"use at least 8 characters"}},
		StatusAction:   "/admin/users/nina/status", PasswordAction: "/admin/users/nina/password", DeleteURL: "/admin/users/nina/delete",
		GrantsURL: "/admin/grants?user=nina", CSRF: "tok",
	}
}

// consoleCases are the console pages every shared check runs over.
var consoleCases = []struct {
	name, wantTitle, wantH1 string
	c                       templ.Component
	postForms               int // the sign-out form included
}{
	{"apps", "My apps · smartd", "My apps", RegistryApps(RegistryAppsPage{Nav: consoleNav, NewURL: "/apps/new",
		Apps: []RegistryAppRow{{URL: "/apps/c-1", Name: "Billing", ClientID: "c-1", Type: "public", Updated: "2026-03-01"}}}), 1},
	{"apps/all", "All apps · smartd", "All apps", RegistryApps(RegistryAppsPage{Nav: consoleNav, All: true, NewURL: "/apps/new"}), 1},
	{"register", "Register an app · smartd", "Register an app", AppFormRegister(appFormPage()), 2},
	{"edit", "Edit Billing · smartd", "Edit Billing", AppFormRegister(AppFormPage{Nav: consoleNav, ClientID: "c-1", Form: AppForm{Name: "Billing"}, Action: "/apps/c-1/edit", CSRF: "t", CancelURL: "/apps/c-1"}), 2},
	{"app", "Billing · smartd", "Billing", RegistryApp(registryAppPage()), 2},
	{"app/evil", evil + " · smartd", evil, RegistryApp(RegistryAppPage{Nav: ConsoleNav{User: evil, LogoutAction: "/logout", CSRF: evil}, Name: evil, ClientID: evil,
		Activity: []ActivityRow{{What: evil, Reason: evil}}, EditURL: "/e", DeleteURL: "/d", CSRF: evil}), 1},
	{"confirm", "Delete Billing? · smartd", "Delete Billing?", Confirm(ConfirmPage{Nav: consoleNav, Title: "Delete Billing?", Message: "Gone for good.", Button: "Delete app", Action: "/apps/c-1/delete", CSRF: "t", CancelURL: "/apps/c-1"}), 2},
	{"error", "Not Found · smartd", "Not Found", ConsoleError(ConsoleErrorPage{Nav: consoleNav, Status: 404, Message: "No such app.", BackURL: "/apps/"}), 1},
	{"error/signed-out", "Admins only · smartd", "Admins only", ConsoleError(ConsoleErrorPage{Title: "Admins only", Status: 403}), 0},
	{"grants", "Tokens issued to jose · smartd", "Tokens issued to jose", AdminGrants(adminGrantsPage()), 2},
	{"grants/empty", "Active grants and tokens · smartd", "Active grants and tokens", AdminGrants(AdminGrantsPage{Nav: consoleNav, Action: "/admin/grants"}), 1},
	{"users", "Users · smartd", "Users", AdminUsers(AdminUsersPage{Nav: consoleNav, Action: "/admin/users", CSRF: "t", Roles: []string{"clinician"},
		Users:  []AdminUserRow{{URL: "/admin/users/jose", Username: "jose", Role: "patient", GrantsURL: "/admin/grants?user=jose", Disabled: true}},
		Errors: FieldErrors{"username": {"taken"}, "password": {"too short"}}}), 2},
	{"user", "nina · smartd", "nina", AdminUser(adminUserPage()), 4},
	{"user/self", "admin · smartd", "admin", AdminUser(AdminUserPage{Nav: consoleNav, Username: "admin", Self: true, ProfileAction: "/p", PasswordAction: "/w", CSRF: "t", GrantsURL: "/g"}), 3},
}

func TestConsolePagesShell(t *testing.T) {
	for _, tc := range consoleCases {
		t.Run(tc.name, func(t *testing.T) {
			raw, doc := render(t, tc.c)
			if lang, _ := attr(all(doc, "html")[0], "lang"); lang != "en" {
				t.Errorf("lang = %q, want en", lang)
			}
			if got := texts(all(all(doc, "head")[0], "title")); !cmp.Equal(got, []string{tc.wantTitle}) {
				t.Errorf("title = %q, want %q", got, tc.wantTitle)
			}
			if got := texts(all(doc, "h1")); !cmp.Equal(got, []string{tc.wantH1}) {
				t.Errorf("h1 = %q, want [%q]", got, tc.wantH1)
			}
			if got := byAttr(doc, "a", "href", "#main"); len(got) != 1 {
				t.Errorf("skip links = %d, want 1", len(got))
			}
			if n := len(all(doc, "script")); n != 0 || strings.Contains(raw, "<script>alert") {
				t.Errorf("%d script elements, or unescaped input", n)
			}
			checkNoExternalAssets(t, doc)
			checkLabels(t, doc)
			checkEHRForms(t, doc, tc.postForms)
			checkTables(t, doc)
			checkDescribedBy(t, doc)
		})
	}
}

// checkDescribedBy requires every aria-describedby to name elements that
// exist, and every invalid field to be described.
func checkDescribedBy(t *testing.T, doc *html.Node) {
	t.Helper()
	ids := map[string]bool{}
	for d := range doc.Descendants() {
		if id, ok := attr(d, "id"); ok {
			ids[id] = true
		}
	}
	for d := range doc.Descendants() {
		if d.Type != html.ElementNode {
			continue
		}
		desc, has := attr(d, "aria-describedby")
		for _, id := range strings.Fields(desc) {
			if !ids[id] {
				t.Errorf("<%s name=%q> aria-describedby names missing %q", d.Data, nameOf(d), id)
			}
		}
		if inv, _ := attr(d, "aria-invalid"); inv == "true" && !has {
			t.Errorf("<%s name=%q> is invalid but describes no problem", d.Data, nameOf(d))
		}
	}
}

// TestAppFormShowsProblemsByTheirFields: each problem sits under its
// field, which is marked invalid and points at it; the values come back.
func TestAppFormShowsProblemsByTheirFields(t *testing.T) {
	_, doc := render(t, AppFormRegister(appFormPage()))
	field := func(name string) *html.Node {
		for d := range doc.Descendants() {
			if n, _ := attr(d, "name"); n == name && (d.Data == "input" || d.Data == "textarea") {
				return d
			}
		}
		t.Fatalf("no field %s", name)
		return nil
	}
	for name, want := range map[string]string{"redirect_uris": `"http://app.example/cb" must be https`, "scope": "scope is required"} {
		f := field(name)
		if inv, _ := attr(f, "aria-invalid"); inv != "true" {
			t.Errorf("%s not marked invalid", name)
		}
		if desc, _ := attr(f, "aria-describedby"); !strings.Contains(desc, name+"-error") {
			t.Errorf("%s describedby %q", name, desc)
		}
		errs := byAttr(doc, "ul", "id", name+"-error")
		if len(errs) != 1 || text(errs[0]) != want {
			t.Errorf("%s problems %q, want %q", name, texts(errs), want)
		}
	}
	if _, ok := attr(field("name"), "aria-invalid"); ok {
		t.Error("a valid field is marked invalid")
	}
	if got := text(field("redirect_uris")); got != "http://app.example/cb https://ok.example/cb" {
		t.Errorf("redirect URIs refilled as %q", got)
	}
	summary := byAttr(doc, "div", "id", "form-problems")
	if len(summary) != 1 || !strings.Contains(text(summary[0]), "owner is too long") {
		t.Errorf("summary %q", texts(summary))
	}
	checked := map[string]bool{}
	for _, in := range all(doc, "input") {
		if _, ok := attr(in, "checked"); ok {
			v, _ := attr(in, "value")
			checked[v] = true
		}
	}
	if !cmp.Equal(checked, map[string]bool{"public": true, "authorization_code": true}) {
		t.Errorf("checked %v", checked)
	}
	if enc := byAttr(doc, "form", "enctype", "multipart/form-data"); len(enc) != 1 {
		t.Error("the form cannot upload a PEM file")
	}
}

// TestRegistryAppPage: the secret is shown when given, refusals are
// marked, and the current section is announced.
func TestRegistryAppPage(t *testing.T) {
	_, doc := render(t, RegistryApp(registryAppPage()))
	if got := texts(byAttr(doc, "p", "id", "client-secret")); !cmp.Equal(got, []string{"s3cr3t"}) {
		t.Errorf("secret %q", got)
	}
	if got := texts(byAttr(doc, "tr", "class", "failed")); len(got) != 1 || !strings.Contains(got[0], "invalid_client") {
		t.Errorf("failed rows %q", got)
	}
	if got := texts(byAttr(doc, "a", "aria-current", "page")); !cmp.Equal(got, []string{"My apps"}) {
		t.Errorf("current section %q", got)
	}
	p := registryAppPage()
	p.Secret, p.RotateAction = "", ""
	_, doc = render(t, RegistryApp(p))
	if n := len(byAttr(doc, "p", "id", "client-secret")); n != 0 {
		t.Error("secret shown without one")
	}
	if n := len(all(doc, "form")); n != 1 {
		t.Errorf("%d forms without a secret to rotate, want the sign-out only", n)
	}
}
