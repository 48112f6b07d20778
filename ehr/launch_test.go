package ehr_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"smartd/launch"
)

// launchPath is the launch endpoint of smart-patient-1's chart.
const launchPath = basePath + "/ehr/patients/smart-patient-1/launch"

// launchTarget parses a launch redirect or frame source and checks the
// app's own query and iss; it returns the launch id.
func (e *env) launchTarget(t *testing.T, target string) string {
	t.Helper()
	if !strings.HasPrefix(target, "https://app.example/launch?tenant=a%2Fb&") {
		t.Fatalf("target %q does not start with the app's launch URL and its own query", target)
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if len(q["iss"]) != 1 || q.Get("iss") != e.fhirBase {
		t.Errorf("iss %q, want exactly %q", q["iss"], e.fhirBase)
	}
	if len(q["launch"]) != 1 || q.Get("launch") == "" {
		t.Fatalf("launch %q", q["launch"])
	}
	return q.Get("launch")
}

func TestLaunchNewTab(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	enc := e.encounters("smart-patient-1")[0]
	chart := b.get(basePath + "/ehr/patients/smart-patient-1?encounter=" + enc)
	form := url.Values{"csrf_token": {csrf(chart.doc)}, "client_id": {launchApp}, "encounter": {enc}, "mode": {"tab"}}
	p := b.post(launchPath, form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", p.status, p.body)
	}
	id := e.launchTarget(t, p.location())
	got, err := e.launches.Peek(id, launchApp)
	if err != nil {
		t.Fatalf("Peek: %v", err)
	}
	want := launch.Context{
		ID: id, ClientID: launchApp, Username: "dr.morgan", FHIRUser: "Practitioner/smart-practitioner-1",
		Patient: "smart-patient-1", Encounter: enc, NeedPatientBanner: true,
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(launch.Context{}, "Created", "Expires")); diff != "" {
		t.Errorf("launch context (-want +got):\n%s", diff)
	}
	if _, err := e.launches.Peek(id, backendApp); err != launch.ErrOtherApp {
		t.Errorf("Peek by another app: %v", err)
	}

	// Each click is a new launch; without an encounter, none in context.
	delete(form, "encounter")
	p = b.post(launchPath, form)
	id2 := e.launchTarget(t, p.location())
	if id2 == id {
		t.Error("two launches share an id")
	}
	if c, _ := e.launches.Peek(id2, launchApp); c.Encounter != "" || c.Patient != "smart-patient-1" {
		t.Errorf("second launch: patient %q encounter %q", c.Patient, c.Encounter)
	}
}

func TestLaunchEmbedded(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	chart := b.get(basePath + "/ehr/patients/smart-patient-1")
	p := b.post(launchPath, url.Values{"csrf_token": {csrf(chart.doc)}, "client_id": {launchApp}, "mode": {"embedded"}})
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	if p.header.Get("X-Frame-Options") != "SAMEORIGIN" || p.header.Get("Content-Security-Policy") != "frame-ancestors 'self'" {
		t.Errorf("framing headers %q, %q", p.header.Get("X-Frame-Options"), p.header.Get("Content-Security-Policy"))
	}
	frames := elems(p.doc, "iframe")
	if len(frames) != 1 {
		t.Fatalf("%d iframes", len(frames))
	}
	id := e.launchTarget(t, attr(frames[0], "src"))
	c, err := e.launches.Peek(id, launchApp)
	if err != nil {
		t.Fatal(err)
	}
	if c.NeedPatientBanner || c.Patient != "smart-patient-1" || c.Username != "dr.morgan" {
		t.Errorf("embedded launch: banner %v, patient %q, user %q", c.NeedPatientBanner, c.Patient, c.Username)
	}
	if b := byClass(p.doc, "section", "banner"); len(b) != 1 || !strings.Contains(text(b[0]), "José Antonio Ñúñez") {
		t.Errorf("no patient banner around the app: %q", texts(b))
	}
	if attr(frames[0], "title") != "Growth Chart" {
		t.Errorf("frame title %q", attr(frames[0], "title"))
	}
}

func TestLaunchRefused(t *testing.T) {
	e := newEnv(t)
	b := e.clinician()
	chart := b.get(basePath + "/ehr/patients/smart-patient-1")
	token := csrf(chart.doc)
	other := e.encounters("smart-patient-2")[0]
	tests := []struct {
		name   string
		path   string
		form   url.Values
		hdr    []string
		status int
	}{
		{"no token", launchPath, url.Values{"client_id": {launchApp}}, nil, http.StatusForbidden},
		{"wrong token", launchPath, url.Values{"csrf_token": {"x" + token}, "client_id": {launchApp}}, nil, http.StatusForbidden},
		{"cross-site", launchPath, url.Values{"csrf_token": {token}, "client_id": {launchApp}}, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"unknown app", launchPath, url.Values{"csrf_token": {token}, "client_id": {"nope"}}, nil, http.StatusNotFound},
		{"app without launch URL", launchPath, url.Values{"csrf_token": {token}, "client_id": {backendApp}}, nil, http.StatusBadRequest},
		{"another patient's encounter", launchPath, url.Values{"csrf_token": {token}, "client_id": {launchApp}, "encounter": {other}}, nil, http.StatusBadRequest},
		{"unknown patient", basePath + "/ehr/patients/nobody/launch", url.Values{"csrf_token": {token}, "client_id": {launchApp}}, nil, http.StatusNotFound},
		{"GET", launchPath, nil, nil, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodPost
			if tc.form == nil {
				method = http.MethodGet
			}
			p := b.do(method, tc.path, tc.form, tc.hdr...)
			if p.status != tc.status {
				t.Errorf("status %d, want %d", p.status, tc.status)
			}
		})
	}
	if n := e.launches.Len(); n != 0 {
		t.Errorf("%d launches issued by refused requests", n)
	}
}

func TestLaunchSignedOut(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	p := b.post(launchPath, url.Values{"client_id": {launchApp}, "mode": {"tab"}})
	want := basePath + "/ehr/login?" + url.Values{"next": {basePath + "/ehr/patients/smart-patient-1"}}.Encode()
	if p.status != http.StatusSeeOther || p.location() != want {
		t.Errorf("%d to %q, want 303 to %q", p.status, p.location(), want)
	}
	// A patient signed in elsewhere is not a clinician: the same.
	pb := e.browser()
	pb.signIn("jose", "password-jose")
	if p := pb.post(launchPath, url.Values{"client_id": {launchApp}}); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), basePath+"/ehr/login?") {
		t.Errorf("patient user: %d to %q", p.status, p.location())
	}
	if n := e.launches.Len(); n != 0 {
		t.Errorf("%d launches issued", n)
	}
}
