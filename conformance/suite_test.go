package conformance

import (
	"context"
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
// check passes (TLS is skipped on loopback), and every check of Checks
// runs once, in order.
func TestCleanFakePasses(t *testing.T) {
	f := newFake(t)
	rep := run(t, f.config())
	if got := ids(rep, Fail); len(got) > 0 {
		t.Errorf("failed: %q\n%s", got, reportText(rep))
	}
	if diff := cmp.Diff([]string{ckTLS.ID()}, ids(rep, Skip)); diff != "" {
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
var breakages = []struct {
	brk  string
	want []Check
}{
	{"discovery-text-plain", []Check{ckWellKnown, ckWellKnownAccept}},
	{"discovery-obeys-accept", []Check{ckWellKnownAccept}},
	{"no-grant-types", []Check{ckRequiredFields, ckCapabilities}},
	{"plain-pkce", []Check{ckPKCEMethods, ckPKCEPlain}},
	{"relative-registration-endpoint", []Check{ckAbsoluteURLs}},
	{"ehr-context-without-ehr-launch", []Check{ckCapabilities}},
	{"no-private-key-jwt", []Check{ckCapabilities, ckAsymmetric}},
	{"no-scopes-supported", []Check{ckRecommended}},
	{"openid-issuer-mismatch", []Check{ckOpenIDConfig}},
	{"jwks-without-rsa", []Check{ckJWKS, ckIDToken}},
	{"oauth-uris-mismatch", []Check{ckOAuthURIs}},
	{"no-cache-control", []Check{ckBackendNoStore, ckLaunchNoStore, ckRefresh}},
	{"backend-no-expires-in", []Check{ckBackendToken}},
	{"long-lifetime", []Check{ckBackendLifetime}},
	{"bad-grant-type-401", []Check{ckBadGrantType}},
	{"bad-assertion-type-ok", []Check{ckBadAssertionType}},
	{"accept-wrong-aud", []Check{ckWrongAud}},
	{"accept-expired", []Check{ckExpired}},
	{"accept-far-exp", []Check{ckFarExp}},
	{"replay-jti", []Check{ckReplay}},
	{"accept-hs256", []Check{ckHS256}},
	{"accept-none", []Check{ckAlgNone}},
	{"ignore-kid", []Check{ckUnknownKid}},
	{"accept-unknown-iss", []Check{ckUnknownIss}},
	{"ignore-sub", []Check{ckSubMismatch}},
	{"skip-signature", []Check{ckOtherKey}},
	{"introspect-no-client-id", []Check{ckIntrospectActive}},
	{"introspect-garbage-active", []Check{ckIntrospectGarbage}},
	{"revoke-noop", []Check{ckRevokeIntrospect, ckRevokeFHIR}},
	{"search-not-bundle", []Check{ckInScope}},
	{"no-enforcement", []Check{ckRevokeFHIR, ckOutOfScope, ckNoToken, ckBadToken}},
	{"no-code", []Check{ckLaunchCode}},
	{"state-dropped", []Check{ckLaunchState}},
	{"code-token-type-mac", []Check{ckLaunchToken}},
	{"drop-offline-access", []Check{ckLaunchScope}},
	{"no-patient", []Check{ckLaunchPatient}},
	{"id-token-wrong-aud", []Check{ckIDToken}},
	{"id-token-no-nonce", []Check{ckIDToken}},
	{"fhiruser-unreadable", []Check{ckFHIRUser}},
	{"no-authorize-post", []Check{ckAuthorizePost}},
	{"consent-ignored", []Check{ckConsentNarrow}},
	{"same-refresh", []Check{ckRefresh}},
	{"widen-refresh-scope", []Check{ckRefreshNarrow}},
	{"old-refresh-valid", []Check{ckRefreshReuse}},
	{"no-verifier-ok", []Check{ckNoVerifier}},
	{"wrong-verifier-ok", []Check{ckWrongVerifier}},
	{"invalid-code-500", []Check{ckBadCode}},
	{"redirect-prefix", []Check{ckRedirectMismatch}},
	{"ignore-aud", []Check{ckBadAud}},
}

// TestEachBreakageFailsItsChecks: a server broken in one way fails
// exactly the checks of that rule, and no others.
func TestEachBreakageFailsItsChecks(t *testing.T) {
	for _, tt := range breakages {
		t.Run(tt.brk, func(t *testing.T) {
			f := newFake(t, tt.brk)
			rep := run(t, f.config())
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

// TestTLSFakePasses: over https the TLS check passes too.
func TestTLSFakePasses(t *testing.T) {
	f := startFake(t, true, nil)
	rep := run(t, f.config())
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
