package browsertest

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"smartd/sampleapp"
)

// screenshotsEnv names the folder the README's screenshots are written
// to, relative to the repository root; unset, TestScreenshots skips.
const screenshotsEnv = "SMARTD_SCREENSHOTS"

// TestScreenshots takes the README's screenshots of the main pages, at
// WindowWidth×WindowHeight, as PNG files:
//
//	SMARTD_SCREENSHOTS=docs/screenshots go test ./browsertest -run Screenshots
func TestScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		t.Skip("set " + screenshotsEnv + "=docs/screenshots to take the README's screenshots")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(repoRoot(t), dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// On smartd's default address when it is free, so the pages show the
	// URLs a reader will see.
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		ln = nil
	}
	ts := serveSmartd(t, ln)
	shoot := func(ctx context.Context, name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s.png: %d KiB", name, len(png)>>10)
	}
	viewport := chromedp.EmulateViewport(WindowWidth, WindowHeight)

	// The clinician: the patient list, a chart, the sample app embedded.
	ehr := newTab(t)
	do(t, ehr, "set the viewport", viewport)
	do(t, ehr, "open the EHR", chromedp.Navigate(ts.URL+"/ehr/login"))
	signIn(t, ehr, clinician, clinicianPassword)
	do(t, ehr, "the patient list", chromedp.WaitVisible(chromedp.CSS("main table")))
	shoot(ehr, "ehr-patients")
	clickPatient(t, ehr, "smart-patient-1")
	shoot(ehr, "ehr-chart")
	do(t, ehr, "launch the sample app", chromedp.Click(launchButton(sampleapp.ClientID, "embedded")))
	frame := inFrame(t, ehr, "button[name=decision][value=allow]")
	do(t, ehr, "allow", chromedp.Click(chromedp.CSS("button[name=decision][value=allow]"), chromedp.FromNode(frame)))
	inFrame(t, ehr, "#patient-name")
	shoot(ehr, "ehr-embedded-sample-app")

	// A standalone launch: the picker, consent and the app's page.
	app := newTab(t)
	do(t, app, "open the sample app", viewport, chromedp.Navigate(ts.URL+sampleapp.HomePath), chromedp.WaitVisible(chromedp.ID("sign-in")))
	shoot(app, "sample-app-start")
	do(t, app, "start", chromedp.Click(chromedp.ID("sign-in")))
	signIn(t, app, clinician, clinicianPassword)
	do(t, app, "the patient picker", chromedp.WaitVisible(chromedp.CSS(`button[name=patient]`)))
	shoot(app, "patient-picker")
	do(t, app, "pick a patient",
		chromedp.Click(chromedp.CSS(`button[name=patient][value="smart-patient-2"]`)),
		chromedp.WaitVisible(chromedp.CSS("button[name=decision][value=allow]")),
	)
	shoot(app, "consent")
	do(t, app, "allow", chromedp.Click(chromedp.CSS("button[name=decision][value=allow]")), chromedp.WaitVisible(chromedp.ID("patient-name")))
	shoot(app, "sample-app")

	// The error page of a redirect_uri that is not registered.
	q := url.Values{"response_type": {"code"}, "client_id": {sampleapp.ClientID}, "redirect_uri": {"https://evil.example/cb"},
		"scope": {sampleapp.StandaloneScope}, "state": {"s1"}, "aud": {ts.URL + "/fhir"}}
	do(t, app, "a bad redirect_uri", chromedp.Navigate(ts.URL+"/auth/authorize?"+q.Encode()), chromedp.WaitVisible(chromedp.CSS("main h1")))
	shoot(app, "error-redirect-uri")
}

// repoRoot is the folder of go.mod above the working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
