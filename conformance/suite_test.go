package conformance

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// run runs the suite against cfg and returns the report.
func run(t *testing.T, cfg Config) *Report {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s.Run(context.Background())
}

// ids returns the IDs of the results with status st.
func ids(rep *Report, st Status) []string {
	var out []string
	for _, r := range rep.Results {
		if r.Status == st {
			out = append(out, r.ID())
		}
	}
	return out
}

func reportText(rep *Report) string {
	var b strings.Builder
	rep.WriteText(&b, false)
	return b.String()
}

// TestCleanFakePasses: against a server that does everything right every
// check passes (TLS is skipped on loopback, and setup makes no backend
// client or user when they are configured), and every check of Checks
// runs once, in order.
func TestCleanFakePasses(t *testing.T) {
	f := newFake(t)
	rep := run(t, f.config())
	if got := ids(rep, Fail); len(got) > 0 {
		t.Errorf("failed: %q\n%s", got, reportText(rep))
	}
	want := []string{ckTLS.ID(), ckSetupBackend.ID(), ckSetupUser.ID()}
	if diff := cmp.Diff(want, ids(rep, Skip)); diff != "" {
		t.Errorf("skipped (-want +got):\n%s\n%s", diff, reportText(rep))
	}
	var ran, all []string
	for _, r := range rep.Results {
		ran = append(ran, r.ID())
	}
	for _, c := range Checks() {
		all = append(all, c.ID())
	}
	if diff := cmp.Diff(all, ran); diff != "" {
		t.Errorf("checks run (-Checks +ran):\n%s", diff)
	}
}

// breakages are the ways the fake can misbehave and the checks that
// must catch each one, and no others.
// adminOnly marks the breakages that show only when setup registers
// everything (the settings are the FHIR base and the admin token).
var breakages = []struct {
	brk       string
	want      []Check
	adminOnly bool
}{
	{"discovery-text-plain", []Check{ckWellKnown, ckWellKnownAccept}, false},
	{"discovery-obeys-accept", []Check{ckWellKnownAccept}, false},
	{"no-grant-types", []Check{ckRequiredFields, ckCapabilities}, false},
	{"plain-pkce", []Check{ckPKCEMethods, ckPKCEPlain}, false},
	{"relative-registration-endpoint", []Check{ckAbsoluteURLs}, false},
	{"ehr-context-without-ehr-launch", []Check{ckCapabilities}, false},
	{"no-private-key-jwt", []Check{ckCapabilities, ckAsymmetric}, false},
	{"no-scopes-supported", []Check{ckRecommended}, false},
	{"openid-issuer-mismatch", []Check{ckOpenIDConfig}, false},
	{"jwks-without-rsa", []Check{ckJWKS, ckIDToken}, false},
	{"oauth-uris-mismatch", []Check{ckOAuthURIs}, false},
	{"no-cache-control", []Check{ckBackendNoStore, ckLaunchNoStore, ckRefresh}, false},
	{"backend-no-expires-in", []Check{ckBackendToken}, false},
	{"long-lifetime", []Check{ckBackendLifetime}, false},
	{"bad-grant-type-401", []Check{ckBadGrantType}, false},
	{"bad-assertion-type-ok", []Check{ckBadAssertionType}, false},
	{"accept-wrong-aud", []Check{ckWrongAud}, false},
	{"accept-expired", []Check{ckExpired}, false},
	{"accept-far-exp", []Check{ckFarExp}, false},
	{"replay-jti", []Check{ckReplay}, false},
	{"accept-hs256", []Check{ckHS256}, false},
	{"accept-none", []Check{ckAlgNone}, false},
	{"ignore-kid", []Check{ckUnknownKid}, false},
	{"accept-unknown-iss", []Check{ckUnknownIss}, false},
	{"ignore-sub", []Check{ckSubMismatch}, false},
	{"skip-signature", []Check{ckOtherKey}, false},
	{"introspect-no-client-id", []Check{ckIntrospectActive}, false},
	{"introspect-garbage-active", []Check{ckIntrospectGarbage}, false},
	{"revoke-noop", []Check{ckRevokeIntrospect, ckRevokeFHIR}, false},
	{"search-not-bundle", []Check{ckInScope}, false},
	{"no-enforcement", []Check{ckRevokeFHIR, ckOutOfScope, ckNoToken, ckBadToken}, false},
	{"no-code", []Check{ckLaunchCode}, false},
	{"state-dropped", []Check{ckLaunchState}, false},
	{"code-token-type-mac", []Check{ckLaunchToken}, false},
	{"drop-offline-access", []Check{ckLaunchScope}, false},
	{"no-patient", []Check{ckLaunchPatient}, false},
	{"id-token-wrong-aud", []Check{ckIDToken}, false},
	{"id-token-no-nonce", []Check{ckIDToken}, false},
	{"fhiruser-unreadable", []Check{ckFHIRUser}, false},
	{"no-authorize-post", []Check{ckAuthorizePost}, false},
	{"consent-ignored", []Check{ckConsentNarrow}, false},
	{"same-refresh", []Check{ckRefresh}, false},
	{"widen-refresh-scope", []Check{ckRefreshNarrow}, false},
	{"old-refresh-valid", []Check{ckRefreshReuse}, false},
	{"no-verifier-ok", []Check{ckNoVerifier}, false},
	{"wrong-verifier-ok", []Check{ckWrongVerifier}, false},
	{"invalid-code-500", []Check{ckBadCode}, false},
	{"redirect-prefix", []Check{ckRedirectMismatch}, false},
	{"ignore-aud", []Check{ckBadAud}, false},
	{"admin-apps-refused", []Check{ckSetupApps}, false},
	{"admin-backend-refused", []Check{ckSetupBackend, ckSetupUser}, true},
	{"admin-no-users", []Check{ckSetupUser}, true},
	{"admin-delete-fails", []Check{ckCleanup}, false},
	{"launch-url-no-iss", []Check{ckEHRCreate}, false},
	{"launch-refused", []Check{ckEHRCode}, false},
	{"ehr-no-encounter", []Check{ckEHRContext}, false},
	{"style-not-json", []Check{ckEHRStyle}, false},
	{"fhircontext-strings", []Check{ckEHRFHIRContext}, false},
	{"launch-reusable", []Check{ckEHRSingleUse}, false},
	{"launch-any-client", []Check{ckEHROtherApp}, false},
	{"launch-unknown-ok", []Check{ckEHRUnknown}, false},
}

// TestEachBreakageFailsItsChecks: a server broken in one way fails
// exactly the checks of that rule, and no others.
func TestEachBreakageFailsItsChecks(t *testing.T) {
	for _, tt := range breakages {
		t.Run(tt.brk, func(t *testing.T) {
			f := newFake(t, tt.brk)
			cfg := f.config()
			if tt.adminOnly {
				cfg = f.adminOnly()
			}
			rep := run(t, cfg)
			var want []string
			for _, c := range Checks() {
				for _, w := range tt.want {
					if w == c {
						want = append(want, c.ID())
					}
				}
			}
			if diff := cmp.Diff(want, ids(rep, Fail)); diff != "" {
				t.Errorf("failed checks (-want +got):\n%s\n%s", diff, reportText(rep))
			}
		})
	}
}

// TestEveryCheckCanFail: every check but TLS (which needs a non-loopback
// http server) fails for at least one breakage.
func TestEveryCheckCanFail(t *testing.T) {
	caught := map[Check]bool{}
	for _, b := range breakages {
		for _, c := range b.want {
			caught[c] = true
		}
	}
	for _, c := range Checks() {
		if !caught[c] && c != ckTLS {
			t.Errorf("no breakage makes %q fail", c.ID())
		}
	}
}

// TestAdminOnlyFakePasses: with only the FHIR base and the admin token,
// setup registers a backend client, two apps and a user, every check
// passes but TLS, and cleanup leaves the fake's apps and users as they
// were.
func TestAdminOnlyFakePasses(t *testing.T) {
	f := newFake(t)
	rep := run(t, f.adminOnly())
	if got := ids(rep, Fail); len(got) > 0 {
		t.Errorf("failed: %q\n%s", got, reportText(rep))
	}
	if diff := cmp.Diff([]string{ckTLS.ID()}, ids(rep, Skip)); diff != "" {
		t.Errorf("skipped (-want +got):\n%s\n%s", diff, reportText(rep))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.apps) != 1 || f.apps[fakeApp] == "" || len(f.backends) != 1 || len(f.users) != 1 || f.users[fakeUser] == "" {
		t.Errorf("left behind: apps %v, backends %d, users %v", f.apps, len(f.backends), f.users)
	}
}

// TestCleanupAfterCancel: a run cancelled after setup still removes
// what setup made.
func TestCleanupAfterCancel(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(f.adminOnly())
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.cfg
	cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Path == "/admin/api/users" && req.Method == http.MethodPost {
			defer cancel() // the user is made, then the run is stopped
		}
		return http.DefaultTransport.RoundTrip(req)
	})}
	s.cfg = cfg
	rep := s.Run(ctx)
	var cleanup Result
	for _, r := range rep.Results {
		if r.ID() == ckCleanup.ID() {
			cleanup = r
		}
	}
	if cleanup.Status != Pass || len(cleanup.Exchanges) != 4 {
		t.Errorf("cleanup: %s %q, %d exchanges", cleanup.Status, cleanup.Reason, len(cleanup.Exchanges))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.apps) != 1 || len(f.backends) != 1 || len(f.users) != 1 {
		t.Errorf("left behind: apps %v, backends %d, users %v", f.apps, len(f.backends), f.users)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestTLSFakePasses: over https the TLS check passes too.
func TestTLSFakePasses(t *testing.T) {
	f := startFake(t, true, nil)
	rep := run(t, f.adminOnly())
	if p, fails, skips := rep.Counts(); fails+skips > 0 || p != len(Checks()) {
		t.Errorf("%d passed, %d failed, %d skipped\n%s", p, fails, skips, reportText(rep))
	}
}

// TestSkipsWhatIsNotConfigured: with only the FHIR base, discovery and
// the token-less FHIR checks run, and the rest is skipped naming the
// missing settings.
func TestSkipsWhatIsNotConfigured(t *testing.T) {
	f := newFake(t)
	rep := run(t, Config{FHIRBase: f.base})
	for _, r := range rep.Results {
		ran := r.Group == GroupDiscovery || r.ID() == ckNoToken.ID() || r.ID() == ckBadToken.ID()
		switch {
		case ran && r.ID() != ckTLS.ID() && r.Status != Pass:
			t.Errorf("%s: %s %s", r.ID(), r.Status, r.Reason)
		case !ran && (r.Status != Skip || !strings.Contains(r.Reason, "--")):
			t.Errorf("%s: %s %q, want skipped naming the flags", r.ID(), r.Status, r.Reason)
		}
	}
}

// TestWrongPassword: a refused login fails the launch with what the login
// page said, and the checks that need the launch are skipped.
func TestWrongPassword(t *testing.T) {
	f := newFake(t)
	cfg := f.config()
	cfg.Password = "not-the-password"
	rep := run(t, cfg)
	if diff := cmp.Diff([]string{ckLaunchCode.ID()}, ids(rep, Fail)); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
	for _, r := range rep.Results {
		if r.ID() == ckLaunchCode.ID() && !strings.Contains(r.Reason, "the login was refused") || r.ID() == ckLaunchCode.ID() && !strings.Contains(r.Reason, "Wrong name or secret") {
			t.Errorf("reason: %q", r.Reason)
		}
		if r.ID() == ckRefreshReuse.ID() && r.Status != Skip {
			t.Errorf("%s ran without a launch: %s", r.ID(), r.Status)
		}
	}
}

// TestCancelledRunSkips: a cancelled context skips what is left.
func TestCancelledRunSkips(t *testing.T) {
	f := newFake(t)
	s, err := New(f.config())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := s.Run(ctx)
	if p, fails, skips := rep.Counts(); p+fails != 0 || skips != len(Checks()) {
		t.Errorf("%d passed, %d failed, %d skipped", p, fails, skips)
	}
	if !strings.Contains(rep.Results[0].Reason, "stopped") {
		t.Errorf("reason: %q", rep.Results[0].Reason)
	}
}

// TestExchangesRecorded: a result carries its own requests, redacted.
func TestExchangesRecorded(t *testing.T) {
	f := newFake(t, "replay-jti")
	rep := run(t, f.config())
	for _, r := range rep.Results {
		if r.ID() != ckReplay.ID() {
			continue
		}
		if len(r.Exchanges) != 2 || r.Exchanges[0].Status != 200 || r.Exchanges[1].Status != 200 {
			t.Fatalf("exchanges: %+v", r.Exchanges)
		}
		if !strings.Contains(r.Exchanges[1].Request, "client_assertion="+url.QueryEscape(redacted)) ||
			strings.Contains(r.Exchanges[1].Response, `"access_token":"ey`) {
			t.Errorf("not redacted:\n%s\n%s", r.Exchanges[1].Request, r.Exchanges[1].Response)
		}
		return
	}
	t.Fatal("no replay result")
}
