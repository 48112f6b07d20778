package conformance

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

const specIntrospection = "SMART App Launch 2.2, token-introspection.html; RFC 7662 §2"

var (
	ckIntrospectActive = Check{GroupIntrospection, "an active token introspects as active",
		specIntrospection + ": active, scope, client_id, exp"}
	ckIntrospectGarbage = Check{GroupIntrospection, "an unknown token introspects as inactive",
		specIntrospection + ": {\"active\": false} for an invalid token, status 200"}
)

var introspectionChecks = []Check{ckIntrospectActive, ckIntrospectGarbage}

var (
	ckRevokeIntrospect = Check{GroupRevocation, "a revoked access token introspects as inactive",
		"RFC 7009 §2; RFC 7662 §2.2"}
	ckRevokeFHIR = Check{GroupRevocation, "the FHIR server refuses a revoked access token",
		"RFC 7009 §2; RFC 6750 §3.1; ONC (g)(10) token revocation (401, 403 or 404)"}
)

var revocationChecks = []Check{ckRevokeIntrospect, ckRevokeFHIR}

// introspect posts token to the introspection endpoint, authorised by
// the caller's bearer token: an endpoint that enforces access control
// MUST accept a backend service's token (token-introspection.html,
// "Authorization to use the introspection endpoint").
func (r *runner) introspect(token, caller string) (map[string]any, *response, error) {
	resp, err := r.postForm(r.disc.introspect, url.Values{"token": {token}}, bearer(caller)...)
	if err != nil {
		return nil, nil, err
	}
	if resp.Status != 200 {
		return nil, resp, fmt.Errorf("introspection got %s, want 200", resp.describe())
	}
	m, err := resp.object()
	return m, resp, err
}

// introspection runs the introspection scenario on the backend token.
func (r *runner) introspection() {
	switch {
	case r.disc == nil || r.disc.introspect == "":
		r.skipAll(introspectionChecks, "no introspection_endpoint is advertised")
		return
	case r.cfg.backendMissing() != "":
		r.skipAll(introspectionChecks, r.cfg.backendMissing())
		return
	case r.status[ckBackendToken.ID()] != Pass:
		r.skipAll(introspectionChecks, "needs a backend token (\""+ckBackendToken.Name+"\" did not pass)")
		return
	}
	r.do(ckIntrospectActive, func(st *step) error {
		m, _, err := r.introspect(r.bs.token, r.bs.token)
		if err != nil {
			return err
		}
		var p []string
		if m["active"] != true {
			return fmt.Errorf("active is %v, want true", m["active"])
		}
		if id, _ := str(m, "client_id"); id != r.cfg.ClientID {
			p = append(p, fmt.Sprintf("client_id is %q, want %q", id, r.cfg.ClientID))
		}
		if sc, _ := str(m, "scope"); !sameScopes(sc, r.bs.scope) {
			p = append(p, fmt.Sprintf("scope is %q, the token response said %q", sc, r.bs.scope))
		}
		if exp, ok := number(m, "exp"); !ok {
			p = append(p, "exp is missing")
		} else if int64(exp) < r.cfg.Now().Unix()-600 {
			p = append(p, fmt.Sprintf("exp %d is in the past", int64(exp)))
		}
		return joinProblems(p)
	})
	r.do(ckIntrospectGarbage, func(st *step) error {
		m, _, err := r.introspect("conformance-not-a-token-"+newJTI()[:16], r.bs.token)
		if err != nil {
			return err
		}
		if m["active"] != false {
			return fmt.Errorf("active is %v, want false", m["active"])
		}
		if len(m) > 1 {
			st.note("the inactive response has members besides active (RFC 7662 §2.2: SHOULD NOT)")
		}
		return nil
	})
}

// revocation revokes a second backend token and checks that it is dead.
func (r *runner) revocation() {
	switch {
	case r.disc == nil || r.disc.revoke == "":
		r.skipAll(revocationChecks, "no revocation_endpoint is advertised")
		return
	case r.cfg.backendMissing() != "":
		r.skipAll(revocationChecks, r.cfg.backendMissing())
		return
	case r.status[ckBackendToken.ID()] != Pass:
		r.skipAll(revocationChecks, "needs a backend token (\""+ckBackendToken.Name+"\" did not pass)")
		return
	}
	var victim string
	r.do(ckRevokeIntrospect, func(st *step) error {
		resp, err := r.clientCredentials(r.newAssertion())
		if err != nil {
			return err
		}
		m, err := tokenResponse(resp)
		if err != nil {
			return fmt.Errorf("getting a token to revoke: %v", err)
		}
		token, _ := str(m, "access_token")
		jws, err := r.newAssertion().sign()
		if err != nil {
			return err
		}
		resp, err = r.postForm(r.disc.revoke, url.Values{"token": {token}, "token_type_hint": {"access_token"},
			"client_assertion_type": {jwtBearer}, "client_assertion": {jws}})
		if err != nil {
			return err
		}
		if resp.Status != 200 {
			return fmt.Errorf("revocation got %s, want 200 (RFC 7009 §2.2)", resp.describe())
		}
		victim = token
		if r.disc.introspect == "" {
			return skipf("revoked, but no introspection_endpoint to confirm it")
		}
		im, _, err := r.introspect(token, r.bs.token)
		if err != nil {
			return err
		}
		if im["active"] != false {
			return fmt.Errorf("after revocation the token introspects with active %v, want false", im["active"])
		}
		return nil
	})
	r.do(ckRevokeFHIR, func(st *step) error {
		if victim == "" {
			return skipf("no token was revoked")
		}
		resp, err := r.get(r.searchURL(r.cfg.InScopeType), append(bearer(victim), "Accept", "application/fhir+json")...)
		if err != nil {
			return err
		}
		if resp.Status != 401 && resp.Status != 403 && resp.Status != 404 {
			return fmt.Errorf("a search with the revoked token got %d, want 401 (or 403, 404)", resp.Status)
		}
		return nil
	})
}

// sameScopes reports whether two space-separated scope lists hold the
// same scopes, in any order.
func sameScopes(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
