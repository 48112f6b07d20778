package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestEHRLaunch: a clinician signs in to the EHR view, opens a chart and
// clicks Launch; the app is opened with iss and launch, authorizes with
// the launch (no login, no picker: the session and the context are
// there), and its token carries the chart's patient and reaches only that
// patient. The launch id works once.
func TestEHRLaunch(t *testing.T) {
	w := newFHIRWorld(t)
	app := `{"client_id":"ehr-app","client_name":"EHR app","redirect_uris":["http://localhost:8000/callback"],
		"initiate_login_uri":"http://localhost:8000/launch","token_endpoint_auth_method":"none",
		"grant_types":["authorization_code"],"scope":"launch openid fhirUser patient/*.rs"}`
	if code, body := adminDo(t, w.ts, testAdminToken, "POST", "/apps", app); code != http.StatusCreated {
		t.Fatalf("register: %d %s", code, body)
	}
	l := newLaunch(t, w.ts)
	l.conf.ClientID = "ehr-app"
	_, page := l.do(http.MethodGet, w.ts.URL+"/ehr/login", nil)
	resp, page := l.submit(page, "/ehr/login", url.Values{"username": {"dr.morgan"}, "password": {"morgan-demo-2026"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("EHR sign-in: %d", resp.StatusCode)
	}
	_, chart := l.do(http.MethodGet, w.ts.URL+"/ehr/patients/"+patientA, nil)
	if !strings.Contains(chart, "EHR app") {
		t.Fatalf("the chart has no Launch button for the app:\n%s", chart)
	}
	resp, _ = l.submit(chart, "/patients/"+patientA+"/launch", url.Values{"client_id": {"ehr-app"}, "mode": {"tab"}})
	to, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || to.Host != "localhost:8000" || to.Path != "/launch" {
		t.Fatalf("Launch: %d to %q, want 303 to the app's launch URL", resp.StatusCode, resp.Header.Get("Location"))
	}
	if iss := to.Query().Get("iss"); iss != w.base {
		t.Errorf("iss %q, want exactly the FHIR base %q", iss, w.base)
	}
	launchID := to.Query().Get("launch")
	resp, page = l.start("launch openid fhirUser patient/*.rs", oauth2.SetAuthURLParam("launch", launchID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "/auth/consent") {
		t.Fatalf("authorize with the launch: %d, want the consent page straight away:\n%s", resp.StatusCode, page)
	}
	resp, _ = l.submit(page, "/auth/consent", url.Values{"decision": {"allow"}})
	tok := l.finish(resp)
	if tok.Extra("patient") != patientA || tok.Extra("need_patient_banner") != true || !strings.HasSuffix(tok.Extra("smart_style_url").(string), "/ehr/smart-style.json") {
		t.Errorf("token context: patient %v, need_patient_banner %v, smart_style_url %v", tok.Extra("patient"), tok.Extra("need_patient_banner"), tok.Extra("smart_style_url"))
	}
	if r := w.get(tok.AccessToken, "/Patient/"+patientA); r.status != 200 {
		t.Errorf("the launch patient with the token: %d", r.status)
	}
	if r := w.get(tok.AccessToken, "/Patient/"+patientB); r.status != 404 {
		t.Errorf("another patient with the token: %d, want 404", r.status)
	}
	if style := w.get("", w.ts.URL+"/ehr/smart-style.json"); style.status != 200 || style.body["color_background"] == nil {
		t.Errorf("smart_style_url: %d %s", style.status, style.raw)
	}
	resp, _ = l.start("launch openid fhirUser patient/*.rs", oauth2.SetAuthURLParam("launch", launchID))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || loc.Query().Get("error") != "invalid_request" {
		t.Errorf("a used launch: %d to %q, want invalid_request", resp.StatusCode, resp.Header.Get("Location"))
	}
}
