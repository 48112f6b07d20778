package conformance

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

const specLaunch = "SMART App Launch 2.2, app-launch.html"

var (
	ckLaunchCode = Check{GroupStandaloneLaunch, "the standalone launch returns a code",
		specLaunch + ", \"Obtain authorization code\" (response_type, client_id, redirect_uri, scope, state, aud, PKCE S256)"}
	ckLaunchState = Check{GroupStandaloneLaunch, "state comes back unchanged",
		specLaunch + ", \"Obtain authorization code\"; RFC 6749 §4.1.2"}
	ckLaunchToken = Check{GroupStandaloneLaunch, "the code is exchanged for a token",
		specLaunch + ", \"Obtain access token\": access_token, token_type, expires_in, scope"}
	ckLaunchNoStore = Check{GroupStandaloneLaunch, "the token response is not cacheable",
		specLaunch + ", \"Response\": Cache-Control: no-store and Pragma: no-cache"}
	ckLaunchScope = Check{GroupStandaloneLaunch, "the requested scopes are granted",
		"SMART App Launch 2.2, scopes-and-launch-context.html; ONC (g)(10) standalone patient app (smart_scopes_test)"}
	ckLaunchPatient = Check{GroupStandaloneLaunch, "patient context comes with launch/patient",
		"SMART App Launch 2.2, scopes-and-launch-context.html, \"Standalone apps\" and \"Launch context arrives with your access_token\""}
	ckIDToken = Check{GroupStandaloneLaunch, "the id_token is valid",
		"SMART App Launch 2.2, scopes-and-launch-context.html, \"Scopes for requesting identity data\"; OpenID Connect Core §3.1.3.7"}
	ckFHIRUser = Check{GroupStandaloneLaunch, "the fhirUser resource is readable with the token",
		"SMART App Launch 2.2, scopes-and-launch-context.html (fhirUser); Inferno OpenID Connect group"}
	ckAuthorizePost = Check{GroupStandaloneLaunch, "the authorize endpoint accepts POST",
		specLaunch + ", \"Obtain authorization code\" (authorize-post capability)"}
	ckConsentNarrow = Check{GroupStandaloneLaunch, "a scope unticked at consent is not granted",
		"SMART App Launch 2.2, app-launch.html (scope in the token response may differ from the request); ONC (g)(10) limited access app"}
)

var launchChecks = []Check{ckLaunchCode, ckLaunchState, ckLaunchToken, ckLaunchNoStore, ckLaunchScope,
	ckLaunchPatient, ckIDToken, ckFHIRUser, ckAuthorizePost, ckConsentNarrow}

// launchState is what the main launch got.
type launchState struct {
	state, verifier, nonce string
	callback               *url.URL
	tokenResp              *response
	token                  map[string]any
	access, refresh        string
	granted                string
}

// authRequest is one authorization request and its secrets.
type authRequest struct {
	params                 url.Values
	state, verifier, nonce string
}

// newAuthRequest is a standalone launch request for the public app with
// a fresh state (256 bits), nonce and S256 PKCE pair (RFC 7636 §4.1, §4.2).
func (r *runner) newAuthRequest(scope string) *authRequest {
	a := &authRequest{state: randomString(), verifier: randomString(), nonce: randomString()}
	a.params = url.Values{
		"response_type": {"code"}, "client_id": {r.cfg.PublicClientID}, "redirect_uri": {r.cfg.RedirectURI},
		"scope": {scope}, "state": {a.state}, "aud": {r.cfg.FHIRBase}, "nonce": {a.nonce},
		"code_challenge": {s256(a.verifier)}, "code_challenge_method": {"S256"},
	}
	return a
}

// request is the GET (or, with post, the form POST) of the request.
func (a *authRequest) request(endpoint string, post bool) (*http.Request, error) {
	if post {
		req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(a.params.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "text/html")
		}
		return req, err
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	for k, v := range a.params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err == nil {
		req.Header.Set("Accept", "text/html")
	}
	return req, err
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// s256 is the S256 code challenge of verifier (RFC 7636 §4.2).
func s256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// authorize drives the browser through a, returning where it ended.
func (r *runner) authorize(a *authRequest, post bool, untick func(name, value string) bool) (*outcome, error) {
	req, err := a.request(r.disc.authorize, post)
	if err != nil {
		return nil, err
	}
	return r.browse(req, browse{username: r.cfg.Username, password: r.cfg.Password, untick: untick})
}

// codeFrom returns the code of a launch that reached the app's redirect
// URI, or why there is none.
func (r *runner) codeFrom(out *outcome) (string, error) {
	if out.callback == nil {
		return "", fmt.Errorf("the launch did not come back to the app: %s", out)
	}
	if matchStop(out.callback, r.stops()) != r.cfg.RedirectURI {
		return "", fmt.Errorf("the launch came back to %s, not the requested redirect_uri", redactURL(out.callback))
	}
	q := out.callback.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("the server redirected with error=%s (%s)", e, clip(q.Get("error_description"), 200))
	}
	if q.Get("code") == "" {
		return "", fmt.Errorf("the redirect has no code")
	}
	return q.Get("code"), nil
}

// exchange redeems a code as the public client (app-launch.html, "Obtain
// access token"); verifier "" leaves code_verifier out.
func (r *runner) exchange(code, verifier string) (*response, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {r.cfg.RedirectURI}, "client_id": {r.cfg.PublicClientID}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return r.postForm(r.disc.token, form)
}

// launchSkip says why the interactive scenarios cannot run, "" if they can.
func (r *runner) launchSkip() string {
	if miss := r.cfg.launchMissing(); miss != "" {
		for _, c := range []Check{ckSetupApps, ckSetupUser} {
			if r.status[c.ID()] == Fail {
				return fmt.Sprintf("%s (%q failed)", miss, c.Name)
			}
		}
		return miss
	}
	if r.disc == nil || r.disc.authorize == "" || r.disc.token == "" {
		return "no authorization_endpoint and token_endpoint were discovered"
	}
	return ""
}

// launch runs the standalone launch scenario.
func (r *runner) launch() {
	if why := r.launchSkip(); why != "" {
		r.skipAll(launchChecks, why)
		return
	}
	a := r.newAuthRequest(r.cfg.LaunchScope)
	ls := &launchState{state: a.state, verifier: a.verifier, nonce: a.nonce}
	r.ls = ls
	var code string
	r.do(ckLaunchCode, func(st *step) error {
		out, err := r.authorize(a, false, nil)
		if err != nil {
			return err
		}
		ls.callback = out.callback
		code, err = r.codeFrom(out)
		return err
	})
	r.do(ckLaunchState, func(st *step) error {
		if ls.callback == nil {
			return skipf("the launch did not come back to the app")
		}
		if got := ls.callback.Query().Get("state"); got != ls.state {
			return fmt.Errorf("state is %q, sent %q", got, ls.state)
		}
		return nil
	})
	r.do(ckLaunchToken, func(st *step) error {
		if err := r.needs(ckLaunchCode); err != nil {
			return err
		}
		resp, err := r.exchange(code, ls.verifier)
		if err != nil {
			return err
		}
		ls.tokenResp = resp
		m, err := tokenResponse(resp)
		if err != nil {
			return err
		}
		ls.token = m
		ls.access, _ = str(m, "access_token")
		ls.refresh, _ = str(m, "refresh_token")
		ls.granted, _ = str(m, "scope")
		st.note("granted %q", ls.granted)
		return nil
	})
	r.do(ckLaunchNoStore, func(st *step) error {
		if ls.tokenResp == nil {
			return skipf("no token response to look at")
		}
		return noStore(ls.tokenResp)
	})
	r.do(ckLaunchScope, func(st *step) error {
		if err := r.needs(ckLaunchToken); err != nil {
			return err
		}
		granted := strings.Fields(ls.granted)
		var missing []string
		for _, s := range strings.Fields(r.cfg.LaunchScope) {
			if !slices.Contains(granted, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("requested but not granted: %s (granted %q)", strings.Join(missing, " "), ls.granted)
		}
		return nil
	})
	r.do(ckLaunchPatient, func(st *step) error { return r.patientContext(st) })
	var fhirUser string
	r.do(ckIDToken, func(st *step) error {
		var err error
		fhirUser, err = r.idToken(st)
		return err
	})
	r.do(ckFHIRUser, func(st *step) error {
		if err := r.needs(ckIDToken); err != nil {
			return err
		}
		if fhirUser == "" {
			return skipf("fhirUser was not requested")
		}
		return r.readFHIRUser(fhirUser)
	})
	r.do(ckAuthorizePost, func(st *step) error {
		if !r.disc.has("authorize-post") {
			return skipf("authorize-post is not advertised")
		}
		if err := r.needs(ckLaunchCode); err != nil {
			return err
		}
		out, err := r.authorize(r.newAuthRequest(r.cfg.LaunchScope), true, nil)
		if err != nil {
			return err
		}
		_, err = r.codeFrom(out)
		return err
	})
	r.do(ckConsentNarrow, func(st *step) error { return r.consentNarrowing(st) })
}
