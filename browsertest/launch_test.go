package browsertest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"smartd/sampleapp"
)

// TestEHRLaunch: a clinician signs in to the EHR, opens a patient, clicks
// Launch for the sample app, which opens embedded in the chart (the
// chart's primary button), approves the consent page inside the frame
// (same origin, so the frame's document is queried and clicked like the
// page's) and sees the patient's name in the app. The app shows no
// banner of its own: the EHR's is around it (need_patient_banner is
// false).
func TestEHRLaunch(t *testing.T) {
	ctx := newTab(t)
	ts := startSmartd(t)
	openChart(t, ctx, ts.URL, "smart-patient-1")
	do(t, ctx, "launch the sample app", chromedp.Click(launchButton(sampleapp.ClientID, "embedded")))

	frame := inFrame(t, ctx, "button[name=decision][value=allow]")
	if got := text(t, ctx, "main", chromedp.FromNode(frame)); !strings.Contains(got, sampleapp.Name) {
		t.Errorf("the consent page does not name the app:\n%s", got)
	}
	do(t, ctx, "allow", chromedp.Click(chromedp.CSS("button[name=decision][value=allow]"), chromedp.FromNode(frame)))

	frame = inFrame(t, ctx, "#patient-name")
	if got := text(t, ctx, "#patient-name", chromedp.FromNode(frame)); got != "José Antonio Ñúñez" {
		t.Errorf("the app shows patient %q, want José Antonio Ñúñez", got)
	}
	if got := text(t, ctx, "#launch-kind", chromedp.FromNode(frame)); got != "EHR launch" {
		t.Errorf("launch kind %q", got)
	}
	if got := text(t, ctx, "#vitals tbody", chromedp.FromNode(frame)); !strings.Contains(got, "Body weight") || !strings.Contains(got, "93.6") {
		t.Errorf("the app's vital signs lack the latest weight:\n%s", got)
	}
	banners, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#app-banner"), chromedp.FromNode(frame), chromedp.AtLeast(0)))
	if err != nil || len(banners) != 0 {
		t.Errorf("the embedded app shows its own banner (%d, %v); the EHR's is around it", len(banners), err)
	}
	if got := text(t, ctx, ".banner-name"); !strings.Contains(got, "Ñúñez") {
		t.Errorf("the EHR's banner around the app reads %q", got)
	}
}

// TestStandaloneLaunchWithPicker: the clinician starts the sample app on
// its own, signs in at the authorization server, picks a patient, allows
// and sees that patient in the app, with the app's own banner.
func TestStandaloneLaunchWithPicker(t *testing.T) {
	ctx := newTab(t)
	ts := startSmartd(t)
	do(t, ctx, "open the sample app",
		chromedp.Navigate(ts.URL+sampleapp.HomePath),
		chromedp.Click(chromedp.ID("sign-in")),
	)
	signIn(t, ctx, clinician, clinicianPassword)
	pick := `button[name=patient][value="smart-patient-2"]`
	do(t, ctx, "pick smart-patient-2", chromedp.WaitVisible(chromedp.CSS(pick)))
	if got := text(t, ctx, pick); !strings.Contains(got, "O'Connor") {
		t.Errorf("the picker's button for smart-patient-2 reads %q", got)
	}
	do(t, ctx, "pick smart-patient-2 and allow",
		chromedp.Click(chromedp.CSS(pick)),
		chromedp.WaitVisible(chromedp.CSS("button[name=decision][value=allow]")),
		chromedp.Click(chromedp.CSS("button[name=decision][value=allow]")),
		chromedp.WaitVisible(chromedp.ID("patient-name")),
	)
	if got := text(t, ctx, "#patient-name"); got != "Aoife Grace O'Connor" {
		t.Errorf("the app shows patient %q, want Aoife Grace O'Connor", got)
	}
	if got := text(t, ctx, "#app-banner .banner-name"); got != "Aoife Grace O'Connor" {
		t.Errorf("the app's banner reads %q", got)
	}
	if got := text(t, ctx, "#granted-scope"); got != sampleapp.StandaloneScope {
		t.Errorf("granted scope %q", got)
	}
	if u, _ := url.Parse(location(t, ctx)); u.Path != sampleapp.CallbackPath {
		t.Errorf("the app's page is at %s", u)
	}
}

// TestBadRedirectURI: an authorization request whose redirect_uri is not
// registered shows the error page and does not redirect (RFC 6749
// §4.1.2.1), so the browser stays on smartd.
func TestBadRedirectURI(t *testing.T) {
	ctx := newTab(t)
	ts := startSmartd(t)
	q := url.Values{
		"response_type": {"code"}, "client_id": {sampleapp.ClientID}, "redirect_uri": {"https://evil.example/cb"},
		"scope": {sampleapp.StandaloneScope}, "state": {"s1"}, "aud": {ts.URL + "/fhir"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(ts.URL+"/auth/authorize?"+q.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 400 {
		t.Errorf("status %d, want 400", resp.Status)
	}
	if u, _ := url.Parse(location(t, ctx)); u.Host != strings.TrimPrefix(ts.URL, "http://") || u.Path != "/auth/authorize" {
		t.Errorf("the browser went to %s", u)
	}
	page := text(t, ctx, "main")
	for _, want := range []string{"Bad Request", "redirect_uri"} {
		if !strings.Contains(page, want) {
			t.Errorf("the error page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "Sign in") {
		t.Errorf("the error page offers a sign-in:\n%s", page)
	}
}

// TestEHRLaunchNewTab: the chart's "New tab" button opens the app in a
// second tab, where it shows its own patient banner
// (need_patient_banner is true).
func TestEHRLaunchNewTab(t *testing.T) {
	ctx := newTab(t)
	ts := startSmartd(t)
	openChart(t, ctx, ts.URL, "smart-patient-1")
	opened := chromedp.WaitNewTarget(ctx, func(*target.Info) bool { return true })
	do(t, ctx, "launch the sample app in a new tab", chromedp.Click(launchButton(sampleapp.ClientID, "tab")))
	var id target.ID
	select {
	case id = <-opened:
	case <-ctx.Done():
		t.Fatal("no new tab opened")
	}
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	defer cancel()
	do(t, tab, "allow in the new tab",
		chromedp.WaitVisible(chromedp.CSS("button[name=decision][value=allow]")),
		chromedp.Click(chromedp.CSS("button[name=decision][value=allow]")),
		chromedp.WaitVisible(chromedp.ID("patient-name")),
	)
	if got := text(t, tab, "#app-banner .banner-name"); got != "José Antonio Ñúñez" {
		t.Errorf("the app's banner in the new tab reads %q", got)
	}
}
