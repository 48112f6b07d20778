package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
)

// authorizeFlags are the flags of bench -scenario authorize.
type authorizeFlags struct {
	clientID, redirectURI, user, password, scope string
	openid                                       bool
	sessions                                     int
}

// authorizeFlagNames are refused with another scenario. Never mutated.
var authorizeFlagNames = []string{"client-id", "redirect-uri", "user", "password", "scope", "openid", "sessions"}

func (f *authorizeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.clientID, "client-id", "demo-public", "-scenario authorize: a registered public `client_id` with the authorization_code grant (env SMARTD_CLIENT_ID)")
	fs.StringVar(&f.redirectURI, "redirect-uri", "http://localhost:8000/callback", "-scenario authorize: one of the client's registered redirect `URI`s; nothing is sent there (env SMARTD_REDIRECT_URI)")
	fs.StringVar(&f.user, "user", "jose", "-scenario authorize: the `username` to sign in as; a patient, so that no patient picker comes up (env SMARTD_USER)")
	fs.StringVar(&f.password, "password", "jose-demo-2026", "-scenario authorize: the user's `password` (env SMARTD_PASSWORD)")
	fs.StringVar(&f.scope, "scope", "launch/patient patient/*.rs", "-scenario authorize: the `scopes` to ask for, besides openid fhirUser (env SMARTD_SCOPE)")
	fs.BoolVar(&f.openid, "openid", true, "-scenario authorize: also ask for openid fhirUser, so that every token response carries an RS256 id_token (env SMARTD_OPENID)")
	fs.IntVar(&f.sessions, "sessions", 1, "-scenario authorize: `sign-ins` through the login form before the run, shared round-robin by the workers; 1 to -c. The server allows 10 sign-ins per address at once, then 10 a minute (env SMARTD_SESSIONS)")
}

// requested is the scope string each round trip asks for.
func (f *authorizeFlags) requested() string {
	s := strings.Fields(f.scope)
	if f.openid {
		for _, extra := range []string{"openid", "fhirUser"} {
			if !slices.Contains(s, extra) {
				s = append(s, extra)
			}
		}
	}
	return strings.Join(s, " ")
}

// authorizeBench is one load run of the authorize + token round trip.
type authorizeBench struct {
	cfg   benchConfig
	flags authorizeFlags
	scope string
	ep    tokenEndpoints
	// browsers are the signed-in sessions: clients with a cookie jar
	// each. app is the client's own HTTP client, without cookies.
	browsers []*http.Client
	app      *http.Client
}

// benchAuthorize is bench -scenario authorize: SMART standalone launches
// without a browser. It signs in -sessions times through the login form,
// then each worker repeats the round trip (see authorizeBench.roundTrip)
// with a fresh PKCE verifier and state, until the duration or -n round
// trips.
func (cl *cli) benchAuthorize(ctx context.Context, cfg benchConfig, f authorizeFlags, client *http.Client) error {
	switch {
	case f.sessions < 1 || f.sessions > cfg.concurrency:
		return fmt.Errorf("-sessions %d: must be 1 to -c (%d)", f.sessions, cfg.concurrency)
	case f.clientID == "" || f.redirectURI == "" || f.user == "":
		return errors.New("-scenario authorize needs -client-id, -redirect-uri and -user")
	}
	ep, err := discoverTokenEndpoints(ctx, client, cfg.base)
	if err != nil {
		return err
	}
	if ep.Authorize == "" || ep.Issuer == "" {
		return fmt.Errorf("%s: the SMART configuration names no authorization_endpoint or issuer", cfg.base)
	}
	ab := &authorizeBench{cfg: cfg, flags: f, scope: f.requested(), ep: ep, app: client}
	for range f.sessions {
		jar, _ := cookiejar.New(nil)
		b := &http.Client{Transport: client.Transport, Timeout: client.Timeout, CheckRedirect: client.CheckRedirect, Jar: jar}
		if err := ab.signIn(ctx, b); err != nil {
			return err
		}
		ab.browsers = append(ab.browsers, b)
	}
	fmt.Fprintf(cl.stderr, "signed in as %s %d time(s); running round trips on %s\n", f.user, f.sessions, ep.Authorize)
	if cl.getenv("GOGC") == "" {
		// The load generator shares the cores with the server it
		// measures; a larger heap goal (a few MB here) makes its own
		// garbage collection cheaper. GOGC, when set, wins.
		defer debug.SetGCPercent(debug.SetGCPercent(loadGCPercent))
	}
	res := ab.run(ctx)
	res.write(cl.stdout, ab)
	return nil
}

// loadGCPercent is the GC percentage of the process during a run.
const loadGCPercent = 400

// signIn signs browser in: the authorize request answers the login page,
// whose form is posted with the user's credentials, and the redirect back
// to authorize must then show the consent page.
func (ab *authorizeBench) signIn(ctx context.Context, browser *http.Client) error {
	req, _, _, err := ab.authorizeRequest(ctx)
	if err != nil {
		return err
	}
	page, err := ab.page(browser, req, "sign-in: authorize")
	if err != nil {
		return err
	}
	form, err := formWith(page, func(f *htmlForm) bool { return f.passwordField != "" })
	if err != nil {
		return fmt.Errorf("sign-in: the authorize page is not a login page (%v): %.300s", err, page)
	}
	if form.userField == "" || len(form.buttons) == 0 {
		return fmt.Errorf("sign-in: the login form has no username field or no submit button")
	}
	form.fields.Set(form.userField, ab.flags.user)
	form.fields.Set(form.passwordField, ab.flags.password)
	vals, _ := form.press(form.buttons[0].label)
	resp, body, err := ab.post(ctx, browser, req.URL, form.action, vals, nil)
	if err != nil {
		return fmt.Errorf("sign-in: %w", err)
	}
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		if resp.StatusCode == http.StatusTooManyRequests {
			return fmt.Errorf("sign-in as %s: the server's login limiter refused (Retry-After %s s); wait, or give fewer -sessions", ab.flags.user, resp.Header.Get("Retry-After"))
		}
		return fmt.Errorf("sign-in as %s: %s, want a redirect back to authorize (wrong -user or -password?): %.300s", ab.flags.user, resp.Status, pageText(body))
	}
	next, err := resp.Location()
	if err != nil {
		return fmt.Errorf("sign-in: %w", err)
	}
	back, err := http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
	if err != nil {
		return err
	}
	page, err = ab.page(browser, back, "sign-in: back to authorize")
	if err != nil {
		return err
	}
	if _, err := consentForm(page); err != nil {
		return fmt.Errorf("sign-in as %s: %w", ab.flags.user, err)
	}
	return nil
}

// page sends a GET and returns the HTML it answers with 200.
func (ab *authorizeBench) page(browser *http.Client, req *http.Request, what string) ([]byte, error) {
	resp, err := browser.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	body, err := readBody(resp, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s%s: %.300s", what, resp.Status, redirectedTo(resp), pageText(body))
	}
	return body, nil
}

// post posts a form to action, resolved against the page's URL, and
// reads the answer into buf (see readBody).
func (ab *authorizeBench) post(ctx context.Context, c *http.Client, page *url.URL, action string, vals url.Values, buf *bytes.Buffer) (*http.Response, []byte, error) {
	to, err := page.Parse(action)
	if err != nil {
		return nil, nil, err
	}
	if !loopbackHost(to.Hostname()) {
		return nil, nil, fmt.Errorf("a form posts to %s: %w", to, errNotLoopback)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to.String(), strings.NewReader(vals.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := readBody(resp, buf)
	return resp, body, err
}

// maxPage bounds what a page or token response may be.
const maxPage = 1 << 20

// readBody reads and closes resp's body. With a buf, it reads into buf,
// whose earlier content it drops, and the bytes are valid until buf's
// next use: the workers reuse one buffer each rather than allocate every
// page anew.
func readBody(resp *http.Response, buf *bytes.Buffer) ([]byte, error) {
	defer resp.Body.Close()
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, maxPage+1))
	if err == nil && buf.Len() > maxPage {
		err = fmt.Errorf("the response is larger than %d bytes", maxPage)
	}
	return buf.Bytes(), err
}

// formWith returns the page's first POST form that match accepts.
func formWith(page []byte, match func(*htmlForm) bool) (*htmlForm, error) {
	forms, err := pageForms(page)
	if err != nil {
		return nil, err
	}
	for i := range forms {
		if match(&forms[i]) {
			return &forms[i], nil
		}
	}
	return nil, errors.New("no such form")
}

// consentForm returns the page's form with an Allow button.
func consentForm(page []byte) (*htmlForm, error) {
	f, err := formWith(page, func(f *htmlForm) bool {
		_, ok := f.press("Allow")
		return ok
	})
	if err != nil {
		return nil, fmt.Errorf("authorize answered a page without a form with an Allow button (a patient picker? sign in as a patient, or leave launch/patient out of -scope): %.300s", pageText(page))
	}
	return f, nil
}

// redirectedTo names where a redirect goes, for an error message.
func redirectedTo(resp *http.Response) string {
	if loc := resp.Header.Get("Location"); loc != "" {
		return " to " + loc
	}
	return ""
}

// pageText is a page's text for an error message: its tags and runs of
// space dropped.
func pageText(page []byte) string {
	var b strings.Builder
	in := false
	for _, r := range string(page) {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(strings.Join(strings.Fields(b.String()), " "))
}
