package launch_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"smartd/apps/registry"
	"smartd/ehr"
	"smartd/fhirproxy"
	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/launch"
	"smartd/testdata/bundles"
	"smartd/users"
)

const (
	adminToken = "admin-token-of-the-tests-0123456789"
	fhirBase   = "https://ehr.example/sandbox/fhir"
	apiPath    = "/sandbox" + launch.APIPath
)

// apiEnv is the API over a real store with the sample patients, a real
// registry and real accounts.
type apiEnv struct {
	api      *launch.API
	launches *launch.Store
	enc1     string // an encounter of smart-patient-1
	enc2     string // an encounter of smart-patient-2
}

func newAPIEnv(t testing.TB) *apiEnv {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "smartd.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fhir, err := fhirproxy.New(st, fhirBase, fhirproxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range bundles.Names() {
		body, _ := fs.ReadFile(bundles.FS, name)
		if _, _, err := fhir.Submit(body); err != nil {
			t.Fatalf("loading %s: %v", name, err)
		}
	}
	apps, err := registry.Open(st.DB(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*registry.App{
		{ClientID: "growth", Name: "Growth Chart", RedirectURIs: []string{"https://app.example/cb"}, LaunchURL: "https://app.example/launch?v=2",
			Scope: "launch patient/*.rs", GrantTypes: []string{registry.GrantAuthorizationCode}, AuthMethod: registry.AuthNone},
		{ClientID: "nolaunch", Name: "No launch URL", RedirectURIs: []string{"https://app.example/cb"},
			Scope: "patient/*.rs", GrantTypes: []string{registry.GrantAuthorizationCode}, AuthMethod: registry.AuthNone},
	} {
		if _, _, err := apps.Create(a); err != nil {
			t.Fatal(err)
		}
	}
	us, err := users.Open(st.DB(), users.Options{Params: users.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*users.User{
		{Username: "dr.morgan", Role: users.Clinician, FHIRUser: "Practitioner/smart-practitioner-1"},
		{Username: "jose", Role: users.Patient, FHIRUser: "Patient/smart-patient-1"},
		{Username: "root", Role: users.Admin},
		{Username: "dr.gone", Role: users.Clinician, FHIRUser: "Practitioner/smart-practitioner-2", Disabled: true},
	} {
		if _, err := us.Create(u, "password-"+u.Username); err != nil {
			t.Fatal(err)
		}
	}
	e := &apiEnv{launches: launch.New(launch.Options{})}
	e.api, err = launch.NewAPI(launch.APIOptions{
		BasePath: "/sandbox", FHIRBase: fhirBase, Store: e.launches, Apps: apps, Users: us,
		Resources: ehr.NewRecords(st), Authenticate: launch.BearerToken(adminToken),
	})
	if err != nil {
		t.Fatal(err)
	}
	first := func(patient string) string {
		q, _ := search.Parse("Encounter", url.Values{"patient": {patient}}, true)
		res, err := st.Search(q, nil)
		if err != nil || len(res.Matches) == 0 {
			t.Fatalf("encounters of %s: %v", patient, err)
		}
		return res.Matches[0].ID
	}
	e.enc1, e.enc2 = first("smart-patient-1"), first("smart-patient-2")
	return e
}

// post sends body to the API with the admin token (or auth, if given).
func (e *apiEnv) post(path, body string, auth ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if len(auth) > 0 {
		req.Header.Set("Authorization", auth[0])
	}
	rec := httptest.NewRecorder()
	e.api.ServeHTTP(rec, req)
	return rec
}

func TestAPIAuthentication(t *testing.T) {
	e := newAPIEnv(t)
	body := `{"client_id":"growth","patient":"smart-patient-1"}`
	for _, auth := range []string{"", "Bearer", "Bearer wrong-token-0123456789", "Basic " + adminToken, "bearer  " + adminToken + "x"} {
		rec := e.post(apiPath, body, auth)
		if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: %d, WWW-Authenticate %q", auth, rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
		var got map[string]string
		json.Unmarshal(rec.Body.Bytes(), &got)
		if got["error"] != "invalid_token" {
			t.Errorf("Authorization %q: body %s", auth, rec.Body)
		}
	}
	if e.launches.Len() != 0 {
		t.Errorf("%d launches issued without the token", e.launches.Len())
	}
	if rec := e.post(apiPath, body, "bearer "+adminToken); rec.Code != http.StatusCreated {
		t.Errorf("scheme in lower case: %d", rec.Code)
	}
	// Unknown endpoints: 401 without the token, 404 with it.
	if rec := e.post("/sandbox/launch/api/other", body, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("unknown path without token: %d", rec.Code)
	}
	if rec := e.post("/sandbox/launch/api/other", body); rec.Code != http.StatusNotFound {
		t.Errorf("unknown path: %d", rec.Code)
	}
}

// apiRefusals are requests the API refuses, with status and error code.
var apiRefusals = []struct {
	name, body string
	status     int
	code       string
	desc       string // a part of error_description
}{
	{"not JSON", `client_id=growth`, 400, "invalid_request", "not a launch request"},
	{"unknown field", `{"client_id":"growth","patient_id":"smart-patient-1"}`, 400, "invalid_request", "unknown field"},
	{"two values", `{"client_id":"growth"} {}`, 400, "invalid_request", "more than one"},
	{"trailing brace", `{"client_id":"growth"} }`, 400, "invalid_request", "more than one"},
	{"no client", `{"patient":"smart-patient-1"}`, 400, "invalid_request", "client_id is required"},
	{"unknown app", `{"client_id":"nope"}`, 404, "not_found", `no app has client_id "nope"`},
	{"app without launch URL", `{"client_id":"nolaunch"}`, 400, "invalid_request", "no launch URL"},
	{"unknown patient", `{"client_id":"growth","patient":"nobody"}`, 404, "not_found", "Patient/nobody"},
	{"malformed patient", `{"client_id":"growth","patient":"a/b"}`, 400, "invalid_request", "not a FHIR id"},
	{"encounter without patient", `{"client_id":"growth","encounter":"ENC1"}`, 400, "invalid_request", "needs its patient"},
	{"unknown encounter", `{"client_id":"growth","patient":"smart-patient-1","encounter":"nope"}`, 404, "not_found", "Encounter/nope"},
	{"another patient's encounter", `{"client_id":"growth","patient":"smart-patient-1","encounter":"ENC2"}`, 400, "invalid_request", "is not an encounter of Patient/smart-patient-1"},
	{"unknown user", `{"client_id":"growth","user":"nobody"}`, 404, "not_found", `no user "nobody"`},
	{"disabled user", `{"client_id":"growth","user":"dr.gone"}`, 400, "invalid_request", "disabled"},
	{"admin user", `{"client_id":"growth","user":"root"}`, 400, "invalid_request", "opens no records"},
	{"patient user, other patient", `{"client_id":"growth","user":"jose","patient":"smart-patient-2"}`, 400, "invalid_request", "may not open Patient/smart-patient-2"},
	{"fhirContext unknown resource", `{"client_id":"growth","fhirContext":[{"reference":"DocumentReference/nope"}]}`, 404, "not_found", "fhirContext[0]: there is no DocumentReference/nope"},
	{"fhirContext absolute reference", `{"client_id":"growth","fhirContext":[{"reference":"https://x/fhir/Patient/1"}]}`, 400, "invalid_request", "not a relative reference"},
	{"fhirContext empty item", `{"client_id":"growth","fhirContext":[{"role":"launch"}]}`, 400, "invalid_request", "needs a reference or a canonical"},
	{"fhirContext patient with launch role", `{"client_id":"growth","fhirContext":[{"reference":"Patient/smart-patient-1"}]}`, 400, "invalid_request", "needs a role other than launch"},
	{"fhirContext type mismatch", `{"client_id":"growth","fhirContext":[{"reference":"Patient/smart-patient-1","type":"Observation","role":"https://x.example/r"}]}`, 400, "invalid_request", "differs"},
	{"fhirContext relative role", `{"client_id":"growth","fhirContext":[{"canonical":"https://x.example/Questionnaire/q","role":"source"}]}`, 400, "invalid_request", "role"},
	{"fhirContext relative canonical", `{"client_id":"growth","fhirContext":[{"canonical":"Questionnaire/q"}]}`, 400, "invalid_request", "not an absolute URL"},
	{"long intent", `{"client_id":"growth","intent":"` + strings.Repeat("x", 300) + `"}`, 400, "invalid_request", "intent"},
}

// withEncounters puts the env's encounter ids into a body.
func (e *apiEnv) withEncounters(body string) string {
	return strings.NewReplacer("ENC1", e.enc1, "ENC2", e.enc2).Replace(body)
}

func TestAPIRefusals(t *testing.T) {
	e := newAPIEnv(t)
	for _, tc := range apiRefusals {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.post(apiPath, e.withEncounters(tc.body))
			var got map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if rec.Code != tc.status || got["error"] != tc.code || !strings.Contains(got["error_description"], tc.desc) {
				t.Errorf("%d %v; want %d %s with %q", rec.Code, got, tc.status, tc.code, tc.desc)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("error not marked no-store")
			}
		})
	}
	if e.launches.Len() != 0 {
		t.Errorf("%d launches issued by refused requests", e.launches.Len())
	}
}

func TestAPICreate(t *testing.T) {
	e := newAPIEnv(t)
	tests := []struct {
		name, body string
		want       launch.Context
	}{
		{"app only", `{"client_id":"growth"}`, launch.Context{ClientID: "growth", NeedPatientBanner: true}},
		{"full", `{"client_id":"growth","user":"dr.morgan","patient":"smart-patient-1","encounter":"ENC1",
			"fhirContext":[{"reference":"Encounter/ENC1","role":"https://example.org/roles/previous"},{"canonical":"https://example.org/Questionnaire/phq9|1.0","type":"Questionnaire"}],
			"need_patient_banner":false,"intent":"reconcile-medications"}`,
			launch.Context{ClientID: "growth", Username: "dr.morgan", FHIRUser: "Practitioner/smart-practitioner-1",
				Patient: "smart-patient-1", Encounter: "ENC1", NeedPatientBanner: false, Intent: "reconcile-medications",
				FHIRContext: []launch.FHIRContextItem{
					{Reference: "Encounter/ENC1", Role: "https://example.org/roles/previous"},
					{Canonical: "https://example.org/Questionnaire/phq9|1.0", Type: "Questionnaire"},
				}}},
		{"patient user, own record", `{"client_id":"growth","user":"jose","patient":"smart-patient-1"}`,
			launch.Context{ClientID: "growth", Username: "jose", FHIRUser: "Patient/smart-patient-1", Patient: "smart-patient-1", NeedPatientBanner: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			rec := e.post(apiPath, e.withEncounters(tc.body))
			if rec.Code != http.StatusCreated {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", rec.Header())
			}
			var got launch.APIResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			wantURL := "https://app.example/launch?v=2&iss=" + url.QueryEscape(fhirBase) + "&launch=" + got.Launch
			if got.LaunchURL != wantURL {
				t.Errorf("launch_url %q\nwant       %q", got.LaunchURL, wantURL)
			}
			if d := got.ExpiresAt.Sub(start); d < launch.Lifetime-time.Minute || d > launch.Lifetime+time.Minute {
				t.Errorf("expires_at %v is not about %v from now", got.ExpiresAt, launch.Lifetime)
			}
			c, err := e.launches.Peek(got.Launch, "growth")
			if err != nil {
				t.Fatalf("Peek: %v", err)
			}
			want := tc.want
			want.ID = got.Launch
			want.Encounter = e.withEncounters(want.Encounter)
			for i := range want.FHIRContext {
				want.FHIRContext[i].Reference = e.withEncounters(want.FHIRContext[i].Reference)
			}
			if diff := cmp.Diff(want, c, cmpopts.IgnoreFields(launch.Context{}, "Created", "Expires")); diff != "" {
				t.Errorf("context (-want +got):\n%s", diff)
			}
			if !c.Expires.Equal(got.ExpiresAt) {
				t.Errorf("expires %v, response says %v", c.Expires, got.ExpiresAt)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	check := launch.BearerToken("s3cret-token-0123456789")
	tests := []struct {
		header string
		want   bool
	}{
		{"Bearer s3cret-token-0123456789", true},
		{"BEARER s3cret-token-0123456789", true},
		{"Bearer  s3cret-token-0123456789 ", true},
		{"Bearer s3cret-token-012345678", false},
		{"Bearer s3cret-token-0123456789x", false},
		{"Basic s3cret-token-0123456789", false},
		{"s3cret-token-0123456789", false},
		{"Bearer ", false},
		{"", false},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set("Authorization", tc.header)
		if got := check(req); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.header, got, tc.want)
		}
	}
	empty := launch.BearerToken("")
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.Header.Set("Authorization", "Bearer ")
	if empty(req) {
		t.Error("an empty configured token accepts an empty bearer")
	}
}

// FuzzAPI posts arbitrary bodies: the API never fails with a server
// error, answers JSON, and a 201 always names a launch the store holds.
func FuzzAPI(f *testing.F) {
	for _, tc := range apiRefusals {
		f.Add(tc.body)
	}
	f.Add(`{"client_id":"growth","user":"dr.morgan","patient":"smart-patient-1"}`)
	f.Add(`{"client_id":"growth","fhirContext":[{"canonical":"https://example.org/Q/1","role":"launch"}]}`)
	e := newAPIEnv(f)
	f.Fuzz(func(t *testing.T, body string) {
		rec := e.post(apiPath, e.withEncounters(body))
		if rec.Code >= 500 {
			t.Fatalf("%q: %d %s", body, rec.Code, rec.Body)
		}
		var got map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%q: body %q is not JSON", body, rec.Body)
		}
		if rec.Code == http.StatusCreated {
			id, _ := got["launch"].(string)
			var req launch.APIRequest
			json.Unmarshal([]byte(e.withEncounters(body)), &req)
			if _, err := e.launches.Peek(id, req.ClientID); err != nil {
				t.Fatalf("%q: created launch %q does not resolve: %v", body, id, err)
			}
		}
	})
}
