package conformance

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

const specBackend = "SMART App Launch 2.2, backend-services.html"

// jwtBearer is the client_assertion_type of RFC 7523 §2.2.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

var (
	ckBackendToken = Check{GroupBackendServices, "a valid assertion gets an access token",
		specBackend + ", \"Issue access token\": access_token, token_type bearer, expires_in, scope"}
	ckBackendNoStore = Check{GroupBackendServices, "the token response is not cacheable",
		"SMART App Launch 2.2, app-launch.html, \"Response\": Cache-Control: no-store and Pragma: no-cache; RFC 6749 §5.1"}
	ckBackendLifetime = Check{GroupBackendServices, "the access token lives at most 5 minutes",
		specBackend + ", \"Issue access token\": expires_in SHOULD be no more than 300"}
	ckBadGrantType = Check{GroupBackendServices, "an unknown grant_type is refused",
		"RFC 6749 §5.2 (unsupported_grant_type, 400); Inferno backend services"}
	ckBadAssertionType = Check{GroupBackendServices, "an unknown client_assertion_type is refused",
		"RFC 7521 §4.2; RFC 7523 §2.2"}
	ckWrongAud = Check{GroupBackendServices, "an assertion for another aud is refused",
		specBackend + ", \"Authentication JWT\": aud is the token endpoint; RFC 7523 §3"}
	ckExpired = Check{GroupBackendServices, "an expired assertion is refused",
		"RFC 7523 §3 (exp); " + specBackend}
	ckFarExp = Check{GroupBackendServices, "an assertion expiring more than 5 minutes ahead is refused",
		specBackend + ", \"Authentication JWT\": exp no more than five minutes in the future"}
	ckReplay = Check{GroupBackendServices, "a replayed jti is refused",
		specBackend + ", \"Signature Verification\": a jti used before is refused; RFC 7523 §3"}
	ckHS256 = Check{GroupBackendServices, "an HS256 assertion keyed with the public key is refused",
		"SMART App Launch 2.2, client-confidential-asymmetric.html (RS384 or ES384); RFC 8725 §2.1"}
	ckAlgNone = Check{GroupBackendServices, "an unsigned assertion (alg none) is refused",
		"RFC 8725 §3.1; RFC 7523 §3 (the JWT MUST be signed)"}
	ckUnknownKid = Check{GroupBackendServices, "an assertion with an unknown kid is refused",
		"SMART App Launch 2.2, client-confidential-asymmetric.html, \"Signature Verification\""}
	ckUnknownIss = Check{GroupBackendServices, "an assertion from an unknown client is refused",
		"RFC 7523 §3 (iss, sub); Inferno ONC bulk data (iss not_a_valid_iss gets 400 or 401)"}
	ckSubMismatch = Check{GroupBackendServices, "an assertion whose sub is not its iss is refused",
		specBackend + ", \"Authentication JWT\": iss and sub are both the client_id"}
	ckOtherKey = Check{GroupBackendServices, "an assertion signed with another key is refused",
		"SMART App Launch 2.2, client-confidential-asymmetric.html, \"Signature Verification\""}
)

var backendChecks = []Check{ckBackendToken, ckBackendNoStore, ckBackendLifetime, ckBadGrantType, ckBadAssertionType,
	ckWrongAud, ckExpired, ckFarExp, ckReplay, ckHS256, ckAlgNone, ckUnknownKid, ckUnknownIss, ckSubMismatch, ckOtherKey}

// backendState is what the backend scenario got: its token and scope.
type backendState struct {
	token, scope string
	resp         *response
}

// assertionRefused are the statuses and codes a refused client
// assertion gets (RFC 6749 §5.2; RFC 7521 §4.2.1 says invalid_client for
// a bad client assertion).
var assertionRefused = []int{400, 401}

// backend runs the Backend Services scenario.
func (r *runner) backend() {
	if miss := r.cfg.backendMissing(); miss != "" {
		r.skipAll(backendChecks, miss)
		return
	}
	if r.disc == nil || r.disc.token == "" {
		r.skipAll(backendChecks, "no token_endpoint was discovered")
		return
	}
	r.do(ckBackendToken, func(st *step) error {
		resp, err := r.clientCredentials(r.newAssertion())
		if err != nil {
			return err
		}
		r.bs = &backendState{resp: resp}
		m, err := tokenResponse(resp)
		if err != nil {
			return err
		}
		r.bs.token, _ = str(m, "access_token")
		r.bs.scope, _ = str(m, "scope")
		st.note("granted %q", r.bs.scope)
		return nil
	})
	r.do(ckBackendNoStore, func(st *step) error {
		if r.bs == nil {
			return skipf("no token response to look at")
		}
		return noStore(r.bs.resp)
	})
	r.do(ckBackendLifetime, func(st *step) error {
		if err := r.needs(ckBackendToken); err != nil {
			return err
		}
		m, _ := r.bs.resp.object()
		if exp, _ := number(m, "expires_in"); exp > 300 {
			return fmt.Errorf("expires_in is %v s (SHOULD be at most 300)", exp)
		}
		return nil
	})
	r.do(ckBadGrantType, func(st *step) error {
		jws, err := r.newAssertion().sign()
		if err != nil {
			return err
		}
		resp, err := r.postForm(r.disc.token, url.Values{"grant_type": {"not_a_grant_type"}, "scope": {r.cfg.BackendScope},
			"client_assertion_type": {jwtBearer}, "client_assertion": {jws}})
		if err != nil {
			return err
		}
		return refused(resp, []int{400}, "unsupported_grant_type")
	})
	r.do(ckBadAssertionType, func(st *step) error {
		if err := r.needs(ckBackendToken); err != nil {
			return err
		}
		jws, err := r.newAssertion().sign()
		if err != nil {
			return err
		}
		resp, err := r.postForm(r.disc.token, url.Values{"grant_type": {"client_credentials"}, "scope": {r.cfg.BackendScope},
			"client_assertion_type": {"not_an_assertion_type"}, "client_assertion": {jws}})
		if err != nil {
			return err
		}
		return refused(resp, assertionRefused)
	})
	now := r.cfg.Now()
	r.refusal(ckWrongAud, func(a *assertion) { a.claims["aud"] = "https://conformance.invalid/token" })
	r.refusal(ckExpired, func(a *assertion) {
		a.claims["iat"], a.claims["exp"] = now.Add(-10*time.Minute).Unix(), now.Add(-5*time.Minute).Unix()
	})
	r.refusal(ckFarExp, func(a *assertion) { a.claims["exp"] = now.Add(15 * time.Minute).Unix() })
	r.do(ckReplay, func(st *step) error { return r.replay() })
	r.refusal(ckHS256, func(a *assertion) { a.header["alg"], a.hmacSecret = "HS256", r.key.publicPEM })
	r.refusal(ckAlgNone, func(a *assertion) { a.header["alg"], a.none = "none", true })
	r.refusal(ckUnknownKid, func(a *assertion) { a.header["kid"] = "conformance-unknown-kid-" + newJTI()[:12] })
	r.refusal(ckUnknownIss, func(a *assertion) {
		id := "conformance-unknown-client-" + newJTI()[:12]
		a.claims["iss"], a.claims["sub"] = id, id
	})
	r.refusal(ckSubMismatch, func(a *assertion) { a.claims["sub"] = "conformance-someone-else" })
	r.do(ckOtherKey, func(st *step) error {
		if err := r.needs(ckBackendToken); err != nil {
			return err
		}
		other, err := r.key.otherKey()
		if err != nil {
			return err
		}
		a := r.newAssertion()
		a.key = other
		return r.expectRefused(a)
	})
}

// newAssertion is a valid assertion of the configured client for the
// token endpoint.
func (r *runner) newAssertion() *assertion {
	return r.key.newAssertion(r.cfg.ClientID, r.disc.token, r.cfg.Now())
}

// clientCredentials asks for a backend token with a.
func (r *runner) clientCredentials(a *assertion) (*response, error) {
	jws, err := a.sign()
	if err != nil {
		return nil, err
	}
	return r.postForm(r.disc.token, url.Values{"grant_type": {"client_credentials"}, "scope": {r.cfg.BackendScope},
		"client_assertion_type": {jwtBearer}, "client_assertion": {jws}})
}

// refusal runs a check that a valid assertion, broken by edit, is
// refused. It is skipped unless a valid one was accepted, since a server
// that refuses everything shows nothing by refusing this.
func (r *runner) refusal(c Check, edit func(a *assertion)) {
	r.do(c, func(st *step) error {
		if err := r.needs(ckBackendToken); err != nil {
			return err
		}
		a := r.newAssertion()
		edit(a)
		return r.expectRefused(a)
	})
}

func (r *runner) expectRefused(a *assertion) error {
	resp, err := r.clientCredentials(a)
	if err != nil {
		return err
	}
	if resp.Status == 200 || resp.Status == 201 {
		return fmt.Errorf("the server issued a token (status %d)", resp.Status)
	}
	return refused(resp, assertionRefused, "invalid_client", "invalid_grant")
}

// replay sends one valid assertion twice: the first use succeeds, the
// second is refused.
func (r *runner) replay() error {
	if err := r.needs(ckBackendToken); err != nil {
		return err
	}
	jws, err := r.newAssertion().sign()
	if err != nil {
		return err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {r.cfg.BackendScope},
		"client_assertion_type": {jwtBearer}, "client_assertion": {jws}}
	first, err := r.postForm(r.disc.token, form)
	if err != nil {
		return err
	}
	if first.Status != 200 && first.Status != 201 {
		return skipf("the first use of the assertion was refused too (%s)", first.describe())
	}
	second, err := r.postForm(r.disc.token, form)
	if err != nil {
		return err
	}
	if second.Status == 200 || second.Status == 201 {
		return fmt.Errorf("the same assertion (same jti) got a second token")
	}
	return refused(second, assertionRefused, "invalid_client", "invalid_grant")
}

// tokenResponse checks a successful token response (RFC 6749 §5.1;
// SMART app-launch.html and backend-services.html: access_token,
// token_type bearer, expires_in, scope) and decodes it.
func tokenResponse(resp *response) (map[string]any, error) {
	if resp.Status != 200 && resp.Status != 201 {
		return nil, fmt.Errorf("got %s, want 200", resp.describe())
	}
	m, err := resp.object()
	if err != nil {
		return nil, err
	}
	var p []string
	if s, _ := str(m, "access_token"); s == "" {
		p = append(p, "access_token is missing")
	}
	if s, _ := str(m, "token_type"); !strings.EqualFold(s, "bearer") {
		p = append(p, fmt.Sprintf("token_type is %q, want bearer", s))
	}
	if n, ok := number(m, "expires_in"); !ok || n <= 0 {
		p = append(p, "expires_in is missing or not a positive number")
	}
	if _, ok := str(m, "scope"); !ok {
		p = append(p, "scope is missing")
	}
	return m, joinProblems(p)
}

// noStore checks the headers a token response carries (RFC 6749 §5.1,
// SMART app-launch.html: Cache-Control no-store, Pragma no-cache).
func noStore(resp *response) error {
	var p []string
	if !headerHas(resp.Header.Values("Cache-Control"), "no-store") {
		p = append(p, fmt.Sprintf("Cache-Control is %q, want no-store", resp.Header.Get("Cache-Control")))
	}
	if !headerHas(resp.Header.Values("Pragma"), "no-cache") {
		p = append(p, fmt.Sprintf("Pragma is %q, want no-cache", resp.Header.Get("Pragma")))
	}
	return joinProblems(p)
}

// headerHas reports whether a comma-separated header lists token.
func headerHas(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t, _, _ = strings.Cut(strings.TrimSpace(t), "=")
			if strings.EqualFold(t, token) {
				return true
			}
		}
	}
	return false
}
