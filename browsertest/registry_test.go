package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The demo developer account (users.SeedDemo).
const developer, developerPassword = "dev", "dev-demo-2026"

// TestRegisterApp: a developer opens the registration form, signs in,
// registers a public app through the form and sees its client_id, which
// the registry then knows (the chart of a clinician shows its Launch
// button).
func TestRegisterApp(t *testing.T) {
	ctx := newTab(t)
	ts := startSmartd(t)
	// The form asks for a sign-in first, and comes back after it.
	do(t, ctx, "open the registration form", chromedp.Navigate(ts.URL+"/apps/new"))
	signIn(t, ctx, developer, developerPassword)
	do(t, ctx, "fill in the registration form",
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Growth Chart"),
		chromedp.Click(chromedp.ID("client_type-public")),
	)
	tick(t, ctx, "#grant_types-authorization_code")
	do(t, ctx, "fill in the URLs and scopes",
		chromedp.SendKeys(chromedp.ID("redirect_uris"), "https://growth.example/callback"),
		chromedp.SendKeys(chromedp.ID("launch_url"), "https://growth.example/launch"),
		chromedp.SendKeys(chromedp.ID("scope"), "launch openid fhirUser patient/*.rs"),
		chromedp.Click(chromedp.CSS("form.app-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("client-id")),
	)
	id := strings.TrimSpace(text(t, ctx, "#client-id"))
	if id == "" {
		t.Fatal("the app's page shows no client_id")
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "Growth Chart") {
		t.Errorf("the app's page does not name the app:\n%s", page)
	}

	// The new app has a launch URL, so a clinician's chart offers it.
	clinicianTab := newTab(t)
	openChart(t, clinicianTab, ts.URL, "smart-patient-1")
	do(t, clinicianTab, "the new app's Launch button", chromedp.WaitVisible(launchButton(id, "embedded")))
}

// tick checks the checkbox sel, clicking it only when it is not checked
// yet.
func tick(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	checked, err := chromedp.Run(ctx, chromedp.JavascriptAttribute[bool](chromedp.CSS(sel), "checked"))
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	if !checked {
		do(t, ctx, "tick "+sel, chromedp.Click(chromedp.CSS(sel)))
	}
}
