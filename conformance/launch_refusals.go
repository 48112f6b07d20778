package conformance

import (
	"fmt"
)

var (
	ckPKCEPlain = Check{GroupLaunchRefusals, "PKCE plain is refused at authorize",
		"SMART App Launch 2.2, app-launch.html, \"Considerations for PKCE Support\" (MUST NOT support plain)"}
	ckNoVerifier = Check{GroupLaunchRefusals, "a code exchanged without code_verifier is refused",
		"SMART App Launch 2.2, app-launch.html (the server MUST require code_verifier); RFC 7636 §4.6"}
	ckWrongVerifier = Check{GroupLaunchRefusals, "a code exchanged with a wrong code_verifier is refused",
		"RFC 7636 §4.6 (invalid_grant); ONC (g)(10) invalid PKCE"}
	ckBadCode = Check{GroupLaunchRefusals, "an invalid code is refused",
		"RFC 6749 §5.2 (invalid_grant, 400); ONC (g)(10) invalid token request"}
	ckRedirectMismatch = Check{GroupLaunchRefusals, "a mismatched redirect_uri gets an error page, not a redirect",
		"RFC 6749 §4.1.2.1 (MUST NOT redirect to an invalid redirect_uri); SMART App Launch 2.2, app-launch.html"}
	ckBadAud = Check{GroupLaunchRefusals, "an authorize request for another aud issues no code",
		"SMART App Launch 2.2, app-launch.html (aud: the server MUST validate it); ONC (g)(10) invalid aud"}
)

var refusalChecks = []Check{ckPKCEPlain, ckNoVerifier, ckWrongVerifier, ckBadCode, ckRedirectMismatch, ckBadAud}

// refusals runs the launch-refusals scenario. Each check needs the main
// launch to have worked, so that a refusal is a refusal and not a broken
// login.
func (r *runner) refusals() {
	if why := r.launchSkip(); why != "" {
		r.skipAll(refusalChecks, why)
		return
	}
	r.do(ckPKCEPlain, func(st *step) error {
		if err := r.needs(ckLaunchCode); err != nil {
			return err
		}
		a := r.newAuthRequest(r.cfg.LaunchScope)
		a.params.Set("code_challenge", a.verifier)
		a.params.Set("code_challenge_method", "plain")
		return r.expectNoCode(a, "code_challenge_method=plain")
	})
	r.do(ckNoVerifier, func(st *step) error { return r.badExchange("", "invalid_grant", "invalid_request") })
	r.do(ckWrongVerifier, func(st *step) error { return r.badExchange(randomString(), "invalid_grant") })
	r.do(ckBadCode, func(st *step) error {
		if err := r.needs(ckLaunchToken); err != nil {
			return err
		}
		resp, err := r.exchange("conformance-invalid-code-"+randomString(), randomString())
		if err != nil {
			return err
		}
		return refused(resp, []int{400}, "invalid_grant")
	})
	r.do(ckRedirectMismatch, func(st *step) error {
		if err := r.needs(ckLaunchCode); err != nil {
			return err
		}
		a := r.newAuthRequest(r.cfg.LaunchScope)
		bad := mismatchedRedirect(r.cfg.RedirectURI)
		a.params.Set("redirect_uri", bad)
		out, err := r.authorize(a, false, nil)
		if err != nil {
			return err
		}
		if out.callback != nil {
			return fmt.Errorf("the server redirected to %s for the unregistered redirect_uri %s", redactURL(out.callback), bad)
		}
		st.note("%s", out)
		return nil
	})
	r.do(ckBadAud, func(st *step) error {
		if err := r.needs(ckLaunchCode); err != nil {
			return err
		}
		a := r.newAuthRequest(r.cfg.LaunchScope)
		a.params.Set("aud", "https://conformance.invalid/fhir")
		return r.expectNoCode(a, "aud https://conformance.invalid/fhir")
	})
}

// expectNoCode drives a and passes when no code comes back: an error
// redirect or an error page.
func (r *runner) expectNoCode(a *authRequest, what string) error {
	out, err := r.authorize(a, false, nil)
	if err != nil {
		return err
	}
	if out.callback != nil && out.callback.Query().Get("code") != "" {
		return fmt.Errorf("a code was issued for %s", what)
	}
	r.cur.note("%s", out)
	return nil
}

// badExchange runs a launch and redeems its code with verifier (""
// leaves it out), which must be refused.
func (r *runner) badExchange(verifier string, codes ...string) error {
	if err := r.needs(ckLaunchToken); err != nil {
		return err
	}
	a := r.newAuthRequest(r.cfg.LaunchScope)
	out, err := r.authorize(a, false, nil)
	if err != nil {
		return err
	}
	code, err := r.codeFrom(out)
	if err != nil {
		return fmt.Errorf("getting a code: %v", err)
	}
	resp, err := r.exchange(code, verifier)
	if err != nil {
		return err
	}
	if resp.Status == 200 {
		return fmt.Errorf("the server issued a token")
	}
	return refused(resp, []int{400, 401}, codes...)
}
