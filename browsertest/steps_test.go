package browsertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The demo accounts (users.SeedDemo; passwords in the README).
const (
	clinician, clinicianPassword = "dr.morgan", "morgan-demo-2026"
)

// do runs steps in the tab, failing the test with what was being done.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// text returns the visible text of the first element sel matches.
func text(t *testing.T, ctx context.Context, sel string, opts ...chromedp.QueryOption) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), opts...))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// location is the tab's URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// signIn fills and submits a sign-in form (the EHR's or the
// authorization server's: the same fields).
func signIn(t *testing.T, ctx context.Context, user, password string) {
	t.Helper()
	do(t, ctx, "sign in as "+user,
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
	)
}

// openChart signs the clinician in to the EHR view at base and opens a
// patient's chart from the patient list.
func openChart(t *testing.T, ctx context.Context, base, patient string) {
	t.Helper()
	do(t, ctx, "open the EHR", chromedp.Navigate(base+"/ehr/login"))
	signIn(t, ctx, clinician, clinicianPassword)
	clickPatient(t, ctx, patient)
}

// clickPatient opens a patient's chart from the patient list.
func clickPatient(t *testing.T, ctx context.Context, patient string) {
	t.Helper()
	link := `main a[href$="/ehr/patients/` + patient + `"]`
	do(t, ctx, "open the chart of "+patient,
		chromedp.WaitVisible(chromedp.CSS(link)),
		chromedp.Click(chromedp.CSS(link)),
		chromedp.WaitVisible(chromedp.CSS(".banner-name")),
	)
}

// launchButton is the chart's Launch button for an app, mode "embedded"
// or "tab".
func launchButton(clientID, mode string) chromedp.CSS {
	return chromedp.CSS(`form:has(input[name=client_id][value="` + clientID + `"]) button[value=` + mode + `]`)
}

// appFrame is the iframe of an app embedded in the EHR.
const appFrame = "iframe.app-frame"

// inFrame waits until sel is visible in the document of the app frame
// and returns the frame's node, to query from (chromedp.FromNode). The
// frame's document changes as the app navigates, so the frame is looked
// up again until the selector matches in the current one.
func inFrame(t *testing.T, ctx context.Context, sel string) *chromedp.Node {
	t.Helper()
	for {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(appFrame)))
		if err != nil {
			t.Fatalf("the app frame: %v", err)
		}
		try, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		err = chromedp.Do(try, chromedp.WaitVisible(chromedp.CSS(sel), chromedp.FromNode(nodes[0])))
		cancel()
		switch {
		case err == nil:
			return nodes[0]
		case ctx.Err() != nil:
			t.Fatalf("%s in the app frame: %v", sel, ctx.Err())
		case !errors.Is(err, context.DeadlineExceeded):
			t.Fatalf("%s in the app frame: %v", sel, err)
		}
	}
}
