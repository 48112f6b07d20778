package authorize

import (
	"net/http"
	"net/url"
	"testing"
)

// TestPromptNone: prompt=none never shows a page (OpenID Connect Core
// §3.1.2.6): it answers the error, or a code when nothing is needed.
func TestPromptNone(t *testing.T) {
	const scopes = "launch/patient openid patient/*.rs"
	t.Run("login_required", func(t *testing.T) {
		e := newEnv(t)
		resp, _ := e.browser().start(scopes, "prompt", "none")
		wantError(t, resp, "login_required", "signed in")
	})
	t.Run("consent_required", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		consentPage(t, b, scopes)
		resp, _ := b.start(scopes, "prompt", "none")
		wantError(t, resp, "consent_required", "not approved")
	})
	t.Run("interaction_required for the picker", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		_, body := b.start(scopes)
		b.login(body, "dr.ann")
		if err := e.users.RememberConsent("dr.ann", testClient, scopes); err != nil {
			t.Fatal(err)
		}
		resp, _ := b.start(scopes, "prompt", "none")
		wantError(t, resp, "interaction_required", "choose a patient")
	})
	t.Run("none with login", func(t *testing.T) {
		e := newEnv(t)
		resp, _ := e.browser().start(scopes, "prompt", "none login")
		wantError(t, resp, "invalid_request", "prompt=none")
	})
	t.Run("success with a remembered consent", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		body := consentPage(t, b, scopes)
		resp, _ := b.submit(body, ConsentPath, url.Values{"decision": {"allow"}, "remember": {"1"}})
		b.redeem(resp)
		resp, _ = b.start(scopes, "prompt", "none")
		if g := b.redeem(resp); g.Scope != scopes || g.Context.Patient != "pat-1" {
			t.Errorf("grant %q for %q, want %q for pat-1", g.Scope, g.Context.Patient, scopes)
		}
	})
}

// TestRememberConsent: a remembered decision skips the consent page for
// requests within it, and only those; nothing is remembered unless the
// box is ticked.
func TestRememberConsent(t *testing.T) {
	const narrowed = "launch/patient openid " + labs
	tests := []struct {
		name, later, prompt string
		wantPage            string // "" for a redirect with a code
	}{
		{"same request", "launch/patient openid patient/Observation.rs", "", ConsentPath},
		{"within the narrowed grant", "launch/patient " + labs, "", ""},
		{"the same narrowed scopes", narrowed, "", ""},
		{"another category", "launch/patient " + vitals, "", ConsentPath},
		{"an extra scope", narrowed + " offline_access", "", ConsentPath},
		{"prompt=consent", narrowed, "consent", ConsentPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			b := e.browser()
			body := consentPage(t, b, "launch/patient openid patient/Observation.rs")
			set := untick(t, body, nil, others("Observation", "laboratory"))
			set.Set("remember", "1")
			resp, _ := b.submit(body, ConsentPath, set)
			if g := b.redeem(resp); g.Scope != narrowed {
				t.Fatalf("granted %q, want %q", g.Scope, narrowed)
			}
			if got, _ := e.users.RememberedConsent("pat", testClient); got != narrowed {
				t.Fatalf("remembered %q, want %q", got, narrowed)
			}
			var extra []string
			if tt.prompt != "" {
				extra = []string{"prompt", tt.prompt}
			}
			resp, body = b.start(tt.later, extra...)
			if tt.wantPage != "" {
				if resp.StatusCode != http.StatusOK || page(body) != tt.wantPage {
					t.Errorf("got %d on %q, want %q", resp.StatusCode, page(body), tt.wantPage)
				}
				return
			}
			if g := b.redeem(resp); g.Scope != tt.later {
				t.Errorf("granted %q without a page, want %q", g.Scope, tt.later)
			}
		})
	}
	t.Run("box unticked", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		b.redeem(b.allow(consentPage(t, b, "launch/patient openid patient/*.rs")))
		if got, _ := e.users.RememberedConsent("pat", testClient); got != "" {
			t.Errorf("remembered %q without the box", got)
		}
		if _, body := b.start("launch/patient openid patient/*.rs"); page(body) != ConsentPath {
			t.Errorf("second request shows %q, want the consent page", page(body))
		}
	})
}
