package authorize

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPatientPicker: a clinician searches by name, picks a patient and
// gets that patient in context.
func TestPatientPicker(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	_, body := b.start("launch/patient openid patient/*.rs")
	_, body = b.login(body, "dr.ann")
	if page(body) != PickPatientPath {
		t.Fatalf("a clinician sees %q, want the patient picker", page(body))
	}
	if diff := cmp.Diff([]string{"pat-1", "pat-2", "pat-3"}, buttonValues(t, body, "patient")); diff != "" {
		t.Errorf("picker before a search (-want +got):\n%s", diff)
	}
	q := url.Values{"name": {"robin"}}
	for k, v := range formFields(t, body, PickPatientPath) {
		if k != "csrf_token" {
			q[k] = v
		}
	}
	resp, body := b.do(http.MethodGet, e.srv.URL+PickPatientPath+"?"+q.Encode(), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d", resp.StatusCode)
	}
	if diff := cmp.Diff([]string{"pat-2", "pat-3"}, buttonValues(t, body, "patient")); diff != "" {
		t.Errorf("search by name (-want +got):\n%s", diff)
	}
	_, body = b.submit(body, PickPatientPath, url.Values{"patient": {"pat-3"}})
	if page(body) != ConsentPath {
		t.Fatalf("after the pick: %q, want the consent page", page(body))
	}
	g := b.redeem(b.allow(body))
	if g.Context.Patient != "pat-3" || !g.Context.NeedPatientBanner || g.Context.Encounter != "" || g.User != "Practitioner/pr-1" {
		t.Errorf("grant %+v, want pat-3 with a banner, no encounter, by Practitioner/pr-1", g)
	}
}

// TestPatientUserOwnRecord: a patient user skips the picker and cannot
// choose, by any form field, another patient.
func TestPatientUserOwnRecord(t *testing.T) {
	const scopes = "launch/patient openid patient/*.rs"
	t.Run("skips the picker", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		g := b.redeem(b.allow(consentPage(t, b, scopes)))
		if g.Context.Patient != "pat-1" {
			t.Errorf("patient %q, want pat-1", g.Context.Patient)
		}
	})
	t.Run("forged context field", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		body := consentPage(t, b, scopes)
		resp, _ := b.submit(body, ConsentPath, url.Values{"decision": {"allow"}, patientField: {"pat-2"}})
		if g := b.redeem(resp); g.Context.Patient != "pat-1" {
			t.Errorf("patient %q, want the user's own pat-1", g.Context.Patient)
		}
	})
	t.Run("posted pick", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		form := formFields(t, consentPage(t, b, scopes), ConsentPath)
		form.Set("patient", "pat-2")
		resp, _ := b.do(http.MethodPost, e.srv.URL+PickPatientPath, form)
		wantError(t, resp, "access_denied", "may not open")
	})
	t.Run("picker search", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		body := consentPage(t, b, scopes)
		q := formFields(t, body, ConsentPath)
		q.Del("csrf_token")
		if resp, _ := b.do(http.MethodGet, e.srv.URL+PickPatientPath+"?"+q.Encode(), nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a patient user's picker search: %d, want 403", resp.StatusCode)
		}
	})
}

// TestClinicianPickRefusals: a clinician's pick must be a patient id.
func TestClinicianPickRefusals(t *testing.T) {
	for _, id := range []string{"", "pat-1,pat-2", "Patient/pat-1", "a b"} {
		e := newEnv(t)
		b := e.browser()
		_, body := b.start("launch/patient openid patient/*.rs")
		_, body = b.login(body, "dr.ann")
		resp, _ := b.submit(body, PickPatientPath, url.Values{"patient": {id}})
		wantError(t, resp, "access_denied", "may not open")
	}
}

// TestPickersNeedCSRF: the pickers' POST forms need the session's token.
func TestPickersNeedCSRF(t *testing.T) {
	tests := []struct {
		name, user, scopes, action string
		set                        url.Values
	}{
		{"patient picker", "dr.ann", "launch/patient openid patient/*.rs", PickPatientPath, url.Values{"patient": {"pat-1"}}},
		{"encounter picker", "pat", encounterScopes, PickEncounterPath, url.Values{"encounter": {"enc-1"}}},
	}
	for _, tt := range tests {
		for _, token := range []string{"", "forged"} {
			t.Run(tt.name+" "+token, func(t *testing.T) {
				e := newEnv(t)
				b := e.browser()
				_, body := b.start(tt.scopes)
				_, body = b.login(body, tt.user)
				tt.set.Set("csrf_token", token)
				if resp, _ := b.submit(body, tt.action, tt.set); resp.StatusCode != http.StatusForbidden {
					t.Errorf("got %d, want 403", resp.StatusCode)
				}
			})
		}
	}
}
