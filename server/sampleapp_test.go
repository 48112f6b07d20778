package server_test

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/apps/registry"
	"smartd/sampleapp"
	"smartd/server"
)

// sampleBrowser is a browser with a cookie jar that follows every
// redirect: the sample app runs on the server itself, so a launch goes
// from the EHR to the app, to the authorization server and back without
// leaving it.
func sampleBrowser(t *testing.T, l *launch) *launch {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	l.client = &http.Client{Jar: jar}
	return l
}

// ehrSignIn signs dr.morgan in to the EHR view and returns the chart of
// patient.
func ehrSignIn(t *testing.T, l *launch, patient string) string {
	t.Helper()
	_, page := l.do(http.MethodGet, l.ts.URL+"/ehr/login", nil)
	if resp, _ := l.submit(page, "/ehr/login", url.Values{"username": {"dr.morgan"}, "password": {"morgan-demo-2026"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("EHR sign-in: %d", resp.StatusCode)
	}
	_, chart := l.do(http.MethodGet, l.ts.URL+"/ehr/patients/"+patient, nil)
	if !strings.Contains(chart, sampleapp.Name) {
		t.Fatalf("the chart has no Launch button for the sample app:\n%s", chart)
	}
	return chart
}

var iframeSrc = regexp.MustCompile(`<iframe[^>]*\ssrc="([^"]+)"`)

// TestSampleAppEHRLaunch: a clinician launches the sample app from a
// chart, in a new tab and embedded; the app discovers the server,
// authorizes with the launch and PKCE, exchanges the code and shows the
// chart's patient and vital signs, with its own banner only in the tab.
func TestSampleAppEHRLaunch(t *testing.T) {
	ts := launchServer(t)
	tests := []struct {
		mode   string
		banner bool
	}{
		{"tab", true},
		{"embedded", false},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			l := sampleBrowser(t, newLaunch(t, ts))
			chart := ehrSignIn(t, l, "smart-patient-1")
			resp, page := l.submit(chart, "/patients/smart-patient-1/launch", url.Values{"client_id": {sampleapp.ClientID}, "mode": {tt.mode}})
			if tt.mode == "embedded" {
				m := iframeSrc.FindStringSubmatch(page)
				if m == nil {
					t.Fatalf("no app frame in the embedded launch page:\n%s", page)
				}
				resp, page = l.do(http.MethodGet, html.UnescapeString(m[1]), nil)
			}
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/auth/authorize" || !strings.Contains(page, "/auth/consent") {
				t.Fatalf("launch: %d at %s, want the consent page:\n%s", resp.StatusCode, resp.Request.URL, page)
			}
			q := resp.Request.URL.Query()
			if q.Get("client_id") != sampleapp.ClientID || q.Get("aud") != ts.URL+"/fhir" || q.Get("code_challenge_method") != "S256" ||
				q.Get("scope") != sampleapp.EHRScope || q.Get("launch") == "" || q.Get("redirect_uri") != ts.URL+"/sample-app/callback" {
				t.Errorf("authorization request %s", resp.Request.URL.RawQuery)
			}
			resp, page = l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/sample-app/callback" {
				t.Fatalf("consent: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
			}
			for _, want := range []string{
				`id="patient-name">José Antonio Ñúñez<`, `id="patient-gender">male<`, `id="patient-birthdate">1971-03-14<`,
				`Body weight</th><td class="num">93.6</td><td>kg</td><td><time datetime="2025-01-21T08:55:00-05:00">2025-01-21</time>`,
				`Blood pressure</th>`, `id="granted-scope">` + sampleapp.EHRScope + `<`, `id="launch-kind">EHR launch<`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("the result page lacks %s", want)
				}
			}
			if got := strings.Contains(page, `id="app-banner"`); got != tt.banner {
				t.Errorf("app's own banner shown: %v, want %v", got, tt.banner)
			}
			// The code and state are used up: reloading the callback is refused.
			if resp, page := l.do(http.MethodGet, resp.Request.URL.String(), nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Invalid state") {
				t.Errorf("callback replayed: %d\n%s", resp.StatusCode, page)
			}
		})
	}
}

// TestSampleAppStandalone: jose signs in from the app's start page and
// sees his own record (a patient user gets no picker).
func TestSampleAppStandalone(t *testing.T) {
	ts := launchServer(t)
	l := sampleBrowser(t, newLaunch(t, ts))
	_, page := l.do(http.MethodGet, ts.URL+"/sample-app/", nil)
	if !strings.Contains(page, "Sign in with smartd") || !strings.Contains(page, `action="/sample-app/start"`) {
		t.Fatalf("start page:\n%s", page)
	}
	resp, page := l.do(http.MethodGet, ts.URL+"/sample-app/start", nil)
	if q := resp.Request.URL.Query(); q.Get("scope") != sampleapp.StandaloneScope || q.Get("launch") != "" {
		t.Errorf("authorization request %s", resp.Request.URL.RawQuery)
	}
	_, page = l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
	resp, page = l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
	for _, want := range []string{`id="patient-name">José Antonio Ñúñez<`, `id="app-banner"`, `id="launch-kind">Standalone launch<`, `id="vitals"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the result page lacks %s:\n%s", want, page)
		}
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("result: %d", resp.StatusCode)
	}
}

// TestSampleAppRefusals: a launch from another server, a callback in
// another browser than the one that started the launch (login CSRF), a
// forged state, and a refused consent.
func TestSampleAppRefusals(t *testing.T) {
	ts := launchServer(t)
	t.Run("iss not ours", func(t *testing.T) {
		l := sampleBrowser(t, newLaunch(t, ts))
		l.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		for _, iss := range []string{"https://evil.example/fhir", ts.URL + "/fhir-not", "http://127.0.0.1:1/fhir"} {
			resp, page := l.do(http.MethodGet, ts.URL+"/sample-app/launch?"+url.Values{"iss": {iss}, "launch": {"x"}}.Encode(), nil)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(page, "Launched by an unknown server") {
				t.Errorf("iss %s: %d to %q:\n%s", iss, resp.StatusCode, resp.Header.Get("Location"), page)
			}
		}
	})
	t.Run("state from another browser", func(t *testing.T) {
		attacker := sampleBrowser(t, newLaunch(t, ts))
		attacker.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, _ := attacker.do(http.MethodGet, ts.URL+"/sample-app/start", nil)
		authorizeURL := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.Contains(authorizeURL, "/auth/authorize?") {
			t.Fatalf("start: %d to %q", resp.StatusCode, authorizeURL)
		}
		victim := sampleBrowser(t, newLaunch(t, ts))
		_, page := victim.do(http.MethodGet, authorizeURL, nil)
		_, page = victim.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
		resp, page = victim.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Invalid state") || strings.Contains(page, "patient-name") {
			t.Errorf("callback in another browser: %d\n%s", resp.StatusCode, page)
		}
	})
	t.Run("forged state", func(t *testing.T) {
		l := sampleBrowser(t, newLaunch(t, ts))
		l.do(http.MethodGet, ts.URL+"/sample-app/", nil)
		resp, page := l.do(http.MethodGet, ts.URL+"/sample-app/callback?state=forged&code=forged", nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Invalid state") {
			t.Errorf("forged state: %d\n%s", resp.StatusCode, page)
		}
	})
	t.Run("access denied", func(t *testing.T) {
		l := sampleBrowser(t, newLaunch(t, ts))
		_, page := l.do(http.MethodGet, ts.URL+"/sample-app/start", nil)
		_, page = l.submit(page, "/auth/login", url.Values{"username": {"jose"}, "password": {"jose-demo-2026"}})
		resp, page := l.submit(page, "/auth/consent", url.Values{"decision": {"deny"}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Access was not allowed") || !strings.Contains(page, "access_denied") {
			t.Errorf("denied: %d\n%s", resp.StatusCode, page)
		}
	})
}

// TestSampleAppRegistration: the first start registers the sample app
// below the base URL; a later start on another base URL moves its URLs
// there; a base URL that makes no valid redirect URI leaves it out
// without failing the start; -no-demo-apps leaves it alone.
func TestSampleAppRegistration(t *testing.T) {
	dir := t.TempDir()
	steps := []struct {
		base       string
		noDemoApps bool
		want       string // the base the registration's URLs are below; "" none
	}{
		{"http://127.0.0.1:8080", false, "http://127.0.0.1:8080"},
		{"http://localhost:9090/smart", false, "http://localhost:9090/smart"},
		{"https://ehr.example", true, "http://localhost:9090/smart"},
		{"https://ehr.example", false, "https://ehr.example"},
	}
	for i, st := range steps {
		srv, err := server.New(server.Config{DataDir: dir, BaseURL: st.base, NoSamples: true, NoDemoApps: st.noDemoApps})
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		srv.Close()
		_, apps, done := appIDs(t, dir)
		app, err := apps.Get(sampleapp.ClientID)
		done()
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		want := sampleapp.Registration(st.want)
		if app.LaunchURL != want.LaunchURL || !cmp.Equal(app.RedirectURIs, want.RedirectURIs) || app.Type() != registry.Public || app.Scope != want.Scope {
			t.Errorf("start %d on %s: launch URL %s, redirect URIs %v, type %s, scope %q; want below %s", i, st.base, app.LaunchURL, app.RedirectURIs, app.Type(), app.Scope, st.want)
		}
	}

	// Plain http on a host that is not loopback is no valid redirect URI.
	dir = t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir, BaseURL: "http://ehr.example", NoSamples: true})
	if err != nil {
		t.Fatalf("a base URL the sample app cannot use failed the start: %v", err)
	}
	srv.Close()
	ids, _, done := appIDs(t, dir)
	done()
	if diff := cmp.Diff([]string{"demo-backend", "demo-public"}, ids); diff != "" {
		t.Errorf("apps (-want +got):\n%s", diff)
	}
}
