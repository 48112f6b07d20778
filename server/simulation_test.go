package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"smartd/authz"
	"smartd/server"
)

// The apps of the launch simulation tests: simApp opts in; simDefaults
// opts in with per-app defaults; simOff has defaults but did not opt in.
const (
	simApp      = "sim-app"
	simDefaults = "sim-defaults"
	simOff      = "sim-off"
	simScopes   = "launch openid fhirUser offline_access patient/*.rs"
)

// newSimWorld starts a server with the sample data, sandbox mode as
// given (dr.morgan as the sandbox user), and the simulation test apps
// registered through the admin API.
func newSimWorld(t *testing.T, sandbox bool) *fhirWorld {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: "http://" + ts.Listener.Addr().String(),
		AdminToken: testAdminToken, Sandbox: sandbox, SandboxUser: "dr.morgan", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	w := &fhirWorld{t: t, ts: ts, base: ts.URL + "/fhir"}
	registerSimApp(t, ts, simApp, `,"allow_simulation":true`)
	registerSimApp(t, ts, simDefaults, `,"allow_simulation":true,"simulation":{"skip_login":true,"skip_consent":true,"access_token_lifetime":10}`)
	registerSimApp(t, ts, simOff, `,"simulation":{"invalid_scope":true}`)
	return w
}

func registerSimApp(t *testing.T, ts *httptest.Server, id, extra string) {
	t.Helper()
	app := `{"client_id":"` + id + `","client_name":"` + id + `","redirect_uris":["http://localhost:8000/callback"],
		"initiate_login_uri":"http://localhost:8000/launch","token_endpoint_auth_method":"none",
		"grant_types":["authorization_code","refresh_token"],"scope":"launch launch/patient openid fhirUser offline_access patient/*.rs user/*.rs"` + extra + `}`
	if code, body := adminDo(t, ts, testAdminToken, "POST", "/apps", app); code != http.StatusCreated {
		t.Fatalf("register %s: %d %s", id, code, body)
	}
}

// createLaunch posts a launch request to the launch-context API and
// returns the status and the body.
func createLaunch(t *testing.T, ts *httptest.Server, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/launch/api/launches", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("launch API answered %d %s", resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// simLaunch creates an EHR launch of simApp for dr.morgan and patientA
// with this simulate member ("" for none) and returns its id.
func simLaunch(t *testing.T, w *fhirWorld, simulate string) string {
	t.Helper()
	body := `{"client_id":"` + simApp + `","user":"dr.morgan","patient":"` + patientA + `"`
	if simulate != "" {
		body += `,"simulate":` + simulate
	}
	code, out := createLaunch(t, w.ts, body+"}")
	if code != http.StatusCreated {
		t.Fatalf("create launch: %d %v", code, out)
	}
	return out["launch"].(string)
}

// simResult is where a browser's authorization ended: the last response
// and page, the pages it went through ("login", "consent"), and the
// redirect to the app, if it got one.
type simResult struct {
	resp *http.Response
	page string
	seen []string
	to   *url.URL
}

// authorizeThrough drives the browser from resp, signing in as dr.morgan
// and allowing on the consent page when they come, until the server
// answers anything else.
func (l *launch) authorizeThrough(resp *http.Response, page string) simResult {
	l.t.Helper()
	var res simResult
	for range 4 {
		switch {
		case resp.StatusCode == http.StatusOK && strings.Contains(page, `action="/auth/login"`):
			res.seen = append(res.seen, "login")
			resp, page = l.submit(page, "/auth/login", url.Values{"username": {"dr.morgan"}, "password": {"morgan-demo-2026"}})
			continue
		case resp.StatusCode == http.StatusOK && strings.Contains(page, `action="/auth/consent"`):
			res.seen = append(res.seen, "consent")
			resp, page = l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
			continue
		}
		break
	}
	res.resp, res.page = resp, page
	if to, err := url.Parse(resp.Header.Get("Location")); err == nil && resp.StatusCode == http.StatusFound && to.Host == "localhost:8000" {
		res.to = to
	}
	return res
}

// exchange redeems the code of a redirect to the app, whatever its state.
func (l *launch) exchange(res simResult) (*oauth2.Token, error) {
	l.t.Helper()
	if res.to == nil || res.to.Query().Get("code") == "" {
		l.t.Fatalf("no code for the app: %d %q\n%s", res.resp.StatusCode, res.resp.Header.Get("Location"), res.page)
	}
	return l.conf.Exchange(context.Background(), res.to.Query().Get("code"), oauth2.VerifierOption(l.verifier))
}

// retrieveError is the token endpoint's refusal: its error code and status.
func retrieveError(t *testing.T, err error) (string, int) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("token request: %v, want a refusal", err)
	}
	return re.ErrorCode, re.Response.StatusCode
}

// TestLaunchSimulation: for each option, an EHR launch created through
// the launch-context API with that simulate member makes the server
// misbehave exactly as the option promises, as the app sees it, and the
// audit trail says it was simulated.
func TestLaunchSimulation(t *testing.T) {
	w := newSimWorld(t, true)
	tests := []struct {
		name     string
		simulate string
		// reason is the audit reason the simulation must leave on a
		// record of the app ("" for none; skip login's is on the sign-in
		// record, see TestLaunchSimulationDefaults); check asserts what
		// the app sees.
		reason string
		check  func(t *testing.T, l *launch, res simResult)
	}{
		{"invalid client", `{"invalid_client":true}`, "simulated: invalid client", func(t *testing.T, l *launch, res simResult) {
			real := newLaunch(t, w.ts)
			real.conf.ClientID = "no-such-app"
			realResp, realPage := real.start(simScopes)
			if res.to != nil || res.resp.StatusCode != realResp.StatusCode || res.resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("got %d (redirect %v), want the unknown client's %d error page", res.resp.StatusCode, res.to, realResp.StatusCode)
			}
			for _, want := range []string{"This app&#39;s sign-in request is not valid", "invalid_client: client_id"} {
				if !strings.Contains(res.page, want) || !strings.Contains(realPage, want) {
					t.Errorf("%q is not on both error pages:\n%s\n---\n%s", want, res.page, realPage)
				}
			}
		}},
		{"invalid scope", `{"invalid_scope":true}`, "simulated: invalid scope", func(t *testing.T, l *launch, res simResult) {
			if res.to == nil || res.to.Query().Get("error") != "invalid_scope" || res.to.Query().Get("state") != l.state || res.to.Query().Has("code") {
				t.Errorf("got %d to %v, want a redirect with invalid_scope and the app's state", res.resp.StatusCode, res.to)
			}
		}},
		{"invalid state", `{"invalid_state":true}`, "simulated: invalid state", func(t *testing.T, l *launch, res simResult) {
			got := res.to.Query().Get("state")
			if res.to.Query().Get("code") == "" || got == "" || got == l.state {
				t.Errorf("redirect %v: want a code with a state other than %q", res.to, l.state)
			}
		}},
		{"token error server_error", `{"token_error":"server_error"}`, "simulated: token endpoint error", func(t *testing.T, l *launch, res simResult) {
			_, err := l.exchange(res)
			if code, status := retrieveError(t, err); code != "server_error" || status != http.StatusInternalServerError {
				t.Errorf("token endpoint: %s %d, want server_error 500", code, status)
			}
		}},
		{"token error invalid_grant", `{"token_error":"invalid_grant"}`, "simulated: token endpoint error", func(t *testing.T, l *launch, res simResult) {
			_, err := l.exchange(res)
			if code, status := retrieveError(t, err); code != "invalid_grant" || status != http.StatusBadRequest {
				t.Errorf("token endpoint: %s %d, want invalid_grant 400", code, status)
			}
		}},
		{"expired access token", `{"access_token_lifetime":0}`, "simulated: access token lifetime 0s", func(t *testing.T, l *launch, res simResult) {
			tok, err := l.exchange(res)
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Extra("expires_in"); got != float64(0) {
				t.Errorf("expires_in %v, want 0", got)
			}
			if r := w.get(tok.AccessToken, "/Patient/"+patientA); r.status != http.StatusUnauthorized || !strings.Contains(r.challenge, "invalid_token") {
				t.Errorf("FHIR read with the token: %d %q, want 401 invalid_token", r.status, r.challenge)
			}
		}},
		{"soon-expiring access token", `{"access_token_lifetime":10}`, "simulated: access token lifetime 10s", func(t *testing.T, l *launch, res simResult) {
			tok, err := l.exchange(res)
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Extra("expires_in"); got != float64(10) {
				t.Errorf("expires_in %v, want 10", got)
			}
			if r := w.get(tok.AccessToken, "/Patient/"+patientA); r.status != http.StatusOK {
				t.Errorf("FHIR read within the 10 s: %d", r.status)
			}
		}},
		{"refresh token revoked", `{"refresh_revoked":true}`, "simulated: refresh token revoked", func(t *testing.T, l *launch, res simResult) {
			tok, err := l.exchange(res)
			if err != nil {
				t.Fatal(err)
			}
			if tok.RefreshToken == "" {
				t.Fatal("no refresh token")
			}
			_, err = l.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if code, status := retrieveError(t, err); code != "invalid_grant" || status != http.StatusBadRequest {
				t.Errorf("refresh: %s %d, want invalid_grant 400", code, status)
			}
		}},
		{"FHIR 401 after 2 requests", `{"fhir_401_after":2}`, "", func(t *testing.T, l *launch, res simResult) {
			tok, err := l.exchange(res)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for range 4 {
				got = append(got, w.get(tok.AccessToken, "/Patient/"+patientA).status)
			}
			if !slices.Equal(got, []int{200, 200, 401, 401}) {
				t.Errorf("statuses %v, want 200 200 401 401", got)
			}
			if r := w.get(tok.AccessToken, "/Patient/"+patientA); !strings.Contains(r.challenge, `error="invalid_token"`) {
				t.Errorf("challenge %q, want invalid_token", r.challenge)
			}
		}},
		{"skip consent", `{"skip_consent":true}`, "simulated: skip consent", func(t *testing.T, l *launch, res simResult) {
			if !slices.Equal(res.seen, []string{"login"}) || res.to.Query().Get("state") != l.state {
				t.Fatalf("pages %v, redirect %v: want the login page only, then the code", res.seen, res.to)
			}
			tok, err := l.exchange(res)
			if err != nil || tok.Extra("scope") != simScopes || tok.Extra("patient") != patientA {
				t.Errorf("token %v, %v: want the requested scope with the launch patient", tok, err)
			}
		}},
		{"skip login", `{"skip_login":true}`, "", func(t *testing.T, l *launch, res simResult) {
			if !slices.Equal(res.seen, []string{"consent"}) {
				t.Fatalf("pages %v, want the consent page only", res.seen)
			}
			if _, err := l.exchange(res); err != nil {
				t.Error(err)
			}
		}},
		{"no simulation", `{}`, "", func(t *testing.T, l *launch, res simResult) {
			if !slices.Equal(res.seen, []string{"login", "consent"}) || res.to.Query().Get("state") != l.state {
				t.Fatalf("pages %v, redirect %v: want the usual launch", res.seen, res.to)
			}
			tok, err := l.exchange(res)
			if err != nil || tok.Extra("expires_in") != authz.DefaultUserAccessTokenLifetime.Seconds() {
				t.Errorf("token %v, %v: want the usual hour", tok, err)
			}
		}},
	}
	var reasons []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := simLaunch(t, w, tc.simulate)
			l := newLaunch(t, w.ts)
			l.conf.ClientID = simApp
			resp, page := l.start(simScopes, oauth2.SetAuthURLParam("launch", id))
			tc.check(t, l, l.authorizeThrough(resp, page))
		})
		if tc.reason != "" {
			reasons = append(reasons, tc.reason)
		}
	}

	t.Run("audit", func(t *testing.T) {
		has := func(recs []map[string]any, reason string) bool {
			return slices.ContainsFunc(recs, func(r map[string]any) bool { return r["reason"] == reason })
		}
		recs := w.auditRecords("kind=auth&client_id="+simApp+"&limit=1000", func(r []map[string]any) bool {
			return !slices.ContainsFunc(reasons, func(want string) bool { return !has(r, want) })
		})
		for _, want := range reasons {
			if !has(recs, want) {
				t.Errorf("no auth record with reason %q", want)
			}
		}
		if !has(recs, "simulation: token endpoint error (server_error)") {
			t.Error("no launch record noting the simulation")
		}
		for _, r := range recs {
			if r["reason"] == "simulated: token endpoint error" && (r["interaction"] != "token" || r["outcome"] == "success") {
				t.Errorf("token error record: %v", r)
			}
		}
		fhir := w.auditRecords("kind=fhir&outcome=denied", func(r []map[string]any) bool {
			return has(r, "simulated: FHIR 401 after 2 requests with this access token")
		})
		if !has(fhir, "simulated: FHIR 401 after 2 requests with this access token") {
			t.Errorf("no FHIR record of the simulated 401: %v", fhir)
		}
	})
}

// TestLaunchSimulationDefaults: an app's own defaults apply to its
// standalone launches: skip login signs in the sandbox user, skip
// consent approves, and the access token lives the app's 10 seconds.
func TestLaunchSimulationDefaults(t *testing.T) {
	w := newSimWorld(t, true)
	l := newLaunch(t, w.ts)
	l.conf.ClientID = simDefaults
	res := l.authorizeThrough(l.start("openid fhirUser user/*.rs"))
	if len(res.seen) != 0 || res.to == nil || res.to.Query().Get("state") != l.state {
		t.Fatalf("pages %v, got %d to %v: want the code at once", res.seen, res.resp.StatusCode, res.to)
	}
	tok, err := l.exchange(res)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("expires_in") != float64(10) {
		t.Errorf("expires_in %v, want the app's 10", tok.Extra("expires_in"))
	}
	if r := w.get(tok.AccessToken, "/Practitioner/smart-practitioner-1"); r.status != http.StatusOK {
		t.Errorf("the sandbox user's own record: %d", r.status)
	}
	logins := w.auditRecords("kind=auth&user=dr.morgan", func(r []map[string]any) bool { return len(r) > 0 })
	if len(logins) == 0 || logins[0]["interaction"] != "login" || logins[0]["reason"] != "simulated: skip login" {
		t.Errorf("sign-in records: %v", logins)
	}
}

// TestLaunchSimulationRefusals: without -sandbox, or for an app that did
// not opt in, the launch-context API refuses a simulate member with 400
// and the app's defaults are ignored; dynamic registration cannot opt an
// app in.
func TestLaunchSimulationRefusals(t *testing.T) {
	plain, sandbox := newSimWorld(t, false), newSimWorld(t, true)
	for _, tc := range []struct {
		name     string
		w        *fhirWorld
		clientID string
		want     string
	}{
		{"not a sandbox", plain, simApp, "launch simulation needs a server started with -sandbox"},
		{"app not opted in", sandbox, simOff, `app "sim-off" has not opted in to launch simulation`},
		{"invalid options", sandbox, simApp, "access_token_lifetime 301"},
	} {
		t.Run("launch API/"+tc.name, func(t *testing.T) {
			code, out := createLaunch(t, tc.w.ts, `{"client_id":"`+tc.clientID+`","patient":"`+patientA+`","simulate":{"access_token_lifetime":301}}`)
			if desc, _ := out["error_description"].(string); code != http.StatusBadRequest || out["error"] != "invalid_request" || !strings.Contains(desc, tc.want) {
				t.Errorf("got %d %v, want 400 invalid_request saying %q", code, out, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		w        *fhirWorld
		clientID string
	}{
		{"not a sandbox: the app's defaults are ignored", plain, simDefaults},
		{"app not opted in: its defaults are ignored", sandbox, simOff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLaunch(t, tc.w.ts)
			l.conf.ClientID = tc.clientID
			res := l.authorizeThrough(l.start("openid fhirUser user/*.rs"))
			if !slices.Equal(res.seen, []string{"login", "consent"}) || res.to == nil || res.to.Query().Get("state") != l.state {
				t.Fatalf("pages %v, got %d to %v: want the usual launch", res.seen, res.resp.StatusCode, res.to)
			}
			tok, err := l.exchange(res)
			if err != nil || tok.Extra("expires_in") != authz.DefaultUserAccessTokenLifetime.Seconds() {
				t.Errorf("token %v, %v: want the usual hour", tok, err)
			}
		})
	}
	t.Run("dynamic registration cannot opt in", func(t *testing.T) {
		body := `{"client_name":"x","redirect_uris":["http://localhost:8000/callback"],"token_endpoint_auth_method":"none","scope":"openid","allow_simulation":true}`
		resp, err := http.Post(sandbox.ts.URL+"/auth/register", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusBadRequest || out["error"] != "invalid_client_metadata" {
			t.Errorf("got %d %v, want 400 invalid_client_metadata", resp.StatusCode, out)
		}
	})
	t.Run("the admin API shows the opt-in", func(t *testing.T) {
		code, body := adminDo(t, sandbox.ts, testAdminToken, "GET", "/apps/"+simDefaults, "")
		var md map[string]any
		json.Unmarshal([]byte(body), &md)
		if code != http.StatusOK || md["allow_simulation"] != true || md["simulation"] == nil {
			t.Errorf("got %d %s, want allow_simulation and simulation", code, body)
		}
	})
}

// TestLaunchSimulationEHR: the EHR chart offers a Simulate section on the
// Launch form of an opted-in app only, filled with the app's defaults,
// and what is ticked there goes with the launch.
func TestLaunchSimulationEHR(t *testing.T) {
	w := newSimWorld(t, true)
	l := newLaunch(t, w.ts)
	l.conf.ClientID = simApp
	_, page := l.do(http.MethodGet, w.ts.URL+"/ehr/login", nil)
	if resp, _ := l.submit(page, "/ehr/login", url.Values{"username": {"dr.morgan"}, "password": {"morgan-demo-2026"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("EHR sign-in: %d", resp.StatusCode)
	}
	_, chart := l.do(http.MethodGet, w.ts.URL+"/ehr/patients/"+patientA, nil)
	if n := strings.Count(chart, `<details class="simulate">`); n != 2 { // simApp and simDefaults, not simOff
		t.Fatalf("%d Simulate sections, want 2:\n%s", n, chart)
	}
	if !strings.Contains(chart, `name="sim.access_token_lifetime" value="10"`) {
		t.Errorf("simDefaults' form does not show its lifetime of 10 s")
	}
	launchWith := func(set url.Values) simResult {
		form, action := launchForm(t, chart, simApp)
		if form.Get("sim") != "1" {
			t.Fatalf("simApp's Launch form offers no simulation: %v", form)
		}
		for k, v := range set {
			form[k] = v
		}
		form.Set("mode", "tab")
		resp, _ := l.do(http.MethodPost, w.ts.URL+action, form)
		to, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || err != nil {
			t.Fatalf("Launch: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return l.authorizeThrough(l.start(simScopes, oauth2.SetAuthURLParam("launch", to.Query().Get("launch"))))
	}
	res := launchWith(url.Values{"sim.invalid_scope": {"1"}})
	if res.to == nil || res.to.Query().Get("error") != "invalid_scope" || res.to.Query().Get("state") != l.state {
		t.Errorf("with invalid scope ticked: %d to %v, want invalid_scope", res.resp.StatusCode, res.to)
	}
	res = launchWith(url.Values{"sim.skip_consent": {"1"}})
	if len(res.seen) != 0 || res.to == nil || res.to.Query().Get("code") == "" {
		t.Errorf("with skip consent ticked: pages %v, %d to %v, want the code at once (the clinician is signed in)", res.seen, res.resp.StatusCode, res.to)
	}
	form, action := launchForm(t, chart, simApp)
	form.Set("sim.fhir_401_after", "many")
	if resp, page := l.do(http.MethodPost, w.ts.URL+action, form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "whole number") {
		t.Errorf("an invalid number: %d, want 400 saying why", resp.StatusCode)
	}
}

// launchForm returns the fields and action of the chart's Launch form
// for clientID.
func launchForm(t *testing.T, chart, clientID string) (url.Values, string) {
	t.Helper()
	for _, chunk := range strings.Split(chart, "<form")[1:] {
		chunk = "<form" + chunk
		if !strings.Contains(chunk, `name="client_id" value="`+clientID+`"`) {
			continue
		}
		return formFields(t, chunk, "/launch")
	}
	t.Fatalf("no Launch form for %s", clientID)
	return nil, ""
}
