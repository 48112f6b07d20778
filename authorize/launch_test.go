package authorize

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smartd/authz/grants"
	"smartd/launch"
)

const ehrScopes = "launch launch/patient launch/encounter openid fhirUser user/*.rs"

// ehrLaunch is dr.ann's launch of the test app on pat-2 with an
// encounter and a document in view, in an embedded frame.
func ehrLaunch(id string) launch.Context {
	return launch.Context{
		ID: id, ClientID: testClient, Username: "dr.ann", FHIRUser: "Practitioner/pr-1",
		Patient: "pat-2", Encounter: "enc-x", Intent: "reconcile-medications",
		FHIRContext: []launch.FHIRContextItem{{Reference: "DocumentReference/doc-1", Role: "http://example.org/role/in-view"}},
	}
}

// TestEHRLaunchRefusals: a launch id that cannot be used, or a launch
// without the launch scope or a launch source, is refused before any page.
func TestEHRLaunchRefusals(t *testing.T) {
	tests := []struct {
		name, id, scopes string
		noLaunches       bool
		wantCode, desc   string
	}{
		{"unknown", "nope", ehrScopes, false, "invalid_request", "unknown"},
		{"expired", "old", ehrScopes, false, "invalid_request", "expired"},
		{"used", "used", ehrScopes, false, "invalid_request", "already used"},
		{"other app", "other", ehrScopes, false, "invalid_request", "another app"},
		{"no launch scope", "ok", "launch/patient openid user/*.rs", false, "invalid_scope", "launch scope"},
		{"no launch source", "ok", ehrScopes, true, "invalid_request", "EHR launch is not available"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) {
				if tt.noLaunches {
					o.Launches = nil
				}
			})
			e.launches.add(ehrLaunch("ok"))
			old := ehrLaunch("old")
			old.Expires = time.Now().Add(-time.Second)
			e.launches.add(old)
			e.launches.add(ehrLaunch("used"))
			if _, err := e.launches.Consume("used", testClient); err != nil {
				t.Fatal(err)
			}
			other := ehrLaunch("other")
			other.ClientID = "app-2"
			e.launches.add(other)
			resp, _ := e.browser().start(tt.scopes, "launch", tt.id)
			wantError(t, resp, tt.wantCode, tt.desc)
		})
	}
}

// TestEHRLaunch: the context comes from the launch, with no picker; the
// launch is peeked at every step (a wrong password and the back button
// do not use it up) and consumed when the code is issued, once.
func TestEHRLaunch(t *testing.T) {
	e := newEnv(t)
	e.launches.add(ehrLaunch("l1"))
	b := e.browser()
	_, body := b.start(ehrScopes, "launch", "l1")
	if page(body) != LoginPath {
		t.Fatalf("got %q, want the login page", page(body))
	}
	_, body = b.submit(body, LoginPath, url.Values{"username": {"dr.ann"}, "password": {"wrong-password"}})
	_, body = b.start(ehrScopes, "launch", "l1") // the back button: a fresh start
	_, body = b.login(body, "dr.ann")
	if page(body) != ConsentPath || !strings.Contains(body, "records of pat-2") {
		t.Fatalf("got %q, want the consent page for pat-2:\n%s", page(body), body)
	}
	if peeks, consumes := e.launches.counts(); peeks < 4 || consumes != 0 {
		t.Errorf("before the code: %d peeks, %d consumes; want every step peeked and none consumed", peeks, consumes)
	}
	g := b.redeem(b.allow(body))
	want := grants.LaunchContext{
		Patient: "pat-2", Encounter: "enc-x", Intent: "reconcile-medications",
		FHIRContext: []byte(`[{"reference":"DocumentReference/doc-1","role":"http://example.org/role/in-view"}]`),
	}
	if diff := cmp.Diff(want, g.Context); diff != "" {
		t.Errorf("launch context (-want +got):\n%s", diff)
	}
	if g.User != "Practitioner/pr-1" || g.Scope != ehrScopes {
		t.Errorf("grant by %q for %q, want Practitioner/pr-1 for %q", g.User, g.Scope, ehrScopes)
	}
	if _, consumes := e.launches.counts(); consumes != 1 {
		t.Errorf("%d consumes, want 1", consumes)
	}
	// An app that did not ask for launch/encounter gets no encounter
	// (context is optional where it is optional).
	e.launches.add(ehrLaunch("l2"))
	b2 := e.browser()
	_, body = b2.start("launch openid fhirUser user/*.rs", "launch", "l2")
	_, body = b2.login(body, "dr.ann")
	if g := b2.redeem(b2.allow(body)); g.Context.Patient != "pat-2" || g.Context.Encounter != "" {
		t.Errorf("without launch/encounter: patient %q, encounter %q; want pat-2 and none", g.Context.Patient, g.Context.Encounter)
	}
	resp, _ := b.start(ehrScopes, "launch", "l1")
	wantError(t, resp, "invalid_request", "already used")
}

// TestEHRLaunchUser: only the user who launched may continue; another
// signed-in user is asked to sign in again.
func TestEHRLaunchUser(t *testing.T) {
	e := newEnv(t)
	e.launches.add(ehrLaunch("l1"))
	b := e.browser()
	_, body := b.start(ehrScopes, "launch", "l1")
	resp, body := b.login(body, "dr.bob")
	if resp.StatusCode != http.StatusOK || page(body) != LoginPath || alertText(body) != otherUser {
		t.Fatalf("dr.bob gets %d on %q with %q, want the login page asking for the launching user", resp.StatusCode, page(body), alertText(body))
	}
	resp, _ = b.start(ehrScopes, "launch", "l1", "prompt", "none")
	wantError(t, resp, "login_required", "")
	_, body = b.login(body, "dr.ann")
	if page(body) != ConsentPath {
		t.Fatalf("dr.ann gets %q, want the consent page", page(body))
	}
	if g := b.redeem(b.allow(body)); g.User != "Practitioner/pr-1" {
		t.Errorf("granted to %q", g.User)
	}
}

// TestEHRLaunchContextOptional: a launch without a patient gives none,
// launch/patient or not, and shows no picker; a launch without a user
// lets a patient user through only to their own record.
func TestEHRLaunchContextOptional(t *testing.T) {
	t.Run("no patient", func(t *testing.T) {
		e := newEnv(t)
		e.launches.add(launch.Context{ID: "l1", ClientID: testClient, Username: "dr.ann", NeedPatientBanner: true})
		b := e.browser()
		_, body := b.start(ehrScopes, "launch", "l1")
		_, body = b.login(body, "dr.ann")
		if page(body) != ConsentPath {
			t.Fatalf("got %q, want the consent page", page(body))
		}
		g := b.redeem(b.allow(body))
		if diff := cmp.Diff(grants.LaunchContext{NeedPatientBanner: true}, g.Context); diff != "" {
			t.Errorf("context (-want +got):\n%s", diff)
		}
	})
	t.Run("someone else's record", func(t *testing.T) {
		e := newEnv(t)
		l := ehrLaunch("l1")
		l.Username = ""
		e.launches.add(l)
		b := e.browser()
		_, body := b.start(ehrScopes, "launch", "l1")
		resp, _ := b.login(body, "pat")
		wantError(t, resp, "access_denied", "may not open")
		if _, consumes := e.launches.counts(); consumes != 0 {
			t.Errorf("a refused launch was consumed")
		}
	})
}

// TestEHRLaunchFraming: the pages of an EHR launch may be framed by our
// own origin (the EHR view embeds the app); standalone pages may not.
func TestEHRLaunchFraming(t *testing.T) {
	e := newEnv(t)
	e.launches.add(ehrLaunch("l1"))
	tests := []struct {
		name  string
		extra []string
		want  string
	}{
		{"EHR launch", []string{"launch", "l1"}, "frame-ancestors 'self'"},
		{"standalone", nil, "frame-ancestors 'none'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			resp, body := b.start(ehrScopes, tt.extra...)
			if got := resp.Header.Get("Content-Security-Policy"); page(body) != LoginPath || got != tt.want {
				t.Errorf("login page CSP %q, want %q", got, tt.want)
			}
			resp, body = b.login(body, "dr.ann")
			if got := resp.Header.Get("Content-Security-Policy"); page(body) == "" || got != tt.want {
				t.Errorf("%s page CSP %q, want %q", page(body), got, tt.want)
			}
		})
	}
}
