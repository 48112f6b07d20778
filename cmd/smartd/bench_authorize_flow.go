package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The steps of a round trip, in order.
const (
	stepAuthorize = iota
	stepConsent
	stepToken
	stepCount
)

// stepNames name the steps in the report. Never mutated.
var stepNames = [stepCount]string{"authorize", "consent", "token"}

// authorizeRequest returns a GET of the authorize endpoint (SMART App
// Launch 2.2, standalone launch) with a fresh PKCE S256 verifier (RFC
// 7636 §4.1: 32 random bytes, base64url) and a fresh state.
func (ab *authorizeBench) authorizeRequest(ctx context.Context) (req *http.Request, verifier, state string, err error) {
	var b [48]byte
	rand.Read(b[:])
	verifier = base64.RawURLEncoding.EncodeToString(b[:32])
	state = base64.RawURLEncoding.EncodeToString(b[32:])
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {ab.flags.clientID}, "redirect_uri": {ab.flags.redirectURI},
		"scope": {ab.scope}, "state": {state}, "aud": {ab.ep.Issuer},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, ab.ep.Authorize+"?"+q.Encode(), nil)
	return req, verifier, state, err
}

// tripResult is what one worker, or the whole run, measured.
type tripResult struct {
	elapsed  time.Duration
	trips    []time.Duration            // completed round trips, sorted when merged
	steps    [stepCount][]time.Duration // each step of the completed round trips
	status   map[int]int                // responses by status, every step
	failed   int                        // round trips that ended without a token
	firstErr string
	limited  bool
}

// requests is the number of HTTP responses received.
func (r *tripResult) requests() int {
	n := 0
	for _, c := range r.status {
		n += c
	}
	return n
}

// run repeats the round trip from cfg.concurrency workers, each with the
// signed-in browser w mod len(browsers).
func (ab *authorizeBench) run(ctx context.Context) tripResult {
	results := make([]tripResult, ab.cfg.concurrency)
	bufs := make([]bytes.Buffer, ab.cfg.concurrency)
	for w := range results {
		results[w].status = map[int]int{}
	}
	elapsed, limited := runLoop(ctx, ab.cfg.concurrency, ab.cfg.duration, ab.cfg.max, func(ctx context.Context, w, _ int) {
		r := &results[w]
		var took [stepCount]time.Duration
		var status [stepCount]int
		err := ab.roundTrip(ctx, ab.browsers[w%len(ab.browsers)], &bufs[w], &took, &status)
		if ctx.Err() != nil {
			return // cut off by the end of the run: not counted
		}
		for _, code := range status {
			if code != 0 {
				r.status[code]++
			}
		}
		if err != nil {
			r.failed++
			if r.firstErr == "" {
				r.firstErr = err.Error()
			}
			return
		}
		var total time.Duration
		for s, d := range took {
			r.steps[s] = append(r.steps[s], d)
			total += d
		}
		r.trips = append(r.trips, total)
	})
	out := tripResult{elapsed: elapsed, status: map[int]int{}, limited: limited}
	for _, r := range results {
		out.trips = append(out.trips, r.trips...)
		for s := range out.steps {
			out.steps[s] = append(out.steps[s], r.steps[s]...)
		}
		for code, n := range r.status {
			out.status[code] += n
		}
		out.failed += r.failed
		if out.firstErr == "" {
			out.firstErr = r.firstErr
		}
	}
	slices.Sort(out.trips)
	for s := range out.steps {
		slices.Sort(out.steps[s])
	}
	return out
}

// roundTrip is one standalone launch of a signed-in browser: GET
// authorize, which answers the consent page; its form posted back as
// rendered with Allow pressed, which answers a redirect to the app with
// a code and the state; and the code redeemed at the token endpoint by
// the app (a public client: client_id, redirect_uri, code_verifier),
// which answers an access token, and an id_token when openid was asked.
// It records each step's time in took and its response's status in
// status; buf is the worker's buffer for the responses.
func (ab *authorizeBench) roundTrip(ctx context.Context, browser *http.Client, buf *bytes.Buffer, took *[stepCount]time.Duration, status *[stepCount]int) error {
	_, err := ab.launch(ctx, browser, buf, took, status)
	return err
}

// launch is one round trip; it returns the token response's body.
func (ab *authorizeBench) launch(ctx context.Context, browser *http.Client, buf *bytes.Buffer, took *[stepCount]time.Duration, status *[stepCount]int) ([]byte, error) {
	req, verifier, state, err := ab.authorizeRequest(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := browser.Do(req)
	if err != nil {
		return nil, fmt.Errorf("authorize: %w", err)
	}
	page, err := readBody(resp, buf)
	status[stepAuthorize] = resp.StatusCode
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("authorize: %s%s: %.300s", resp.Status, redirectedTo(resp), cmp.Or(errText(err), pageText(page)))
	}
	form, err := consentForm(page)
	if err != nil {
		return nil, err
	}
	vals, _ := form.press("Allow")
	took[stepAuthorize] = time.Since(start)

	start = time.Now()
	resp, body, err := ab.post(ctx, browser, req.URL, form.action, vals, buf)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	status[stepConsent] = resp.StatusCode
	code, err := redirectCode(resp, body, ab.flags.redirectURI, state)
	if err != nil {
		return nil, err
	}
	took[stepConsent] = time.Since(start)

	start = time.Now()
	tokenURL, _ := url.Parse(ab.ep.Token)
	resp, body, err = ab.post(ctx, ab.app, tokenURL, ab.ep.Token, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {ab.flags.redirectURI},
		"code_verifier": {verifier}, "client_id": {ab.flags.clientID},
	}, buf)
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	status[stepToken] = resp.StatusCode
	if err := checkTokens(resp, body, ab.flags.openid); err != nil {
		return nil, err
	}
	took[stepToken] = time.Since(start)
	return body, nil
}

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// redirectCode returns the code of the consent's redirect to the app
// (RFC 6749 §4.1.2), which must carry the request's state.
func redirectCode(resp *http.Response, body []byte, redirectURI, state string) (string, error) {
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || err != nil {
		return "", fmt.Errorf("consent: %s, want a redirect to the app: %.300s", resp.Status, pageText(body))
	}
	if !strings.HasPrefix(loc.String(), redirectURI) {
		return "", fmt.Errorf("consent: redirected to %s, not to the app", loc)
	}
	q := loc.Query()
	switch {
	case q.Get("error") != "":
		return "", fmt.Errorf("consent: the app was sent error=%s: %s", q.Get("error"), q.Get("error_description"))
	case q.Get("state") != state:
		return "", fmt.Errorf("consent: the redirect carries state %q, not the request's %q", q.Get("state"), state)
	case q.Get("code") == "":
		return "", fmt.Errorf("consent: the redirect carries no code: %s", loc)
	}
	return q.Get("code"), nil
}

// checkTokens checks a token response (RFC 6749 §5.1): 200 with an
// access_token, and an id_token exactly when openid was asked.
func checkTokens(resp *http.Response, body []byte, openid bool) error {
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	err := json.Unmarshal(body, &tok)
	switch {
	case resp.StatusCode != http.StatusOK && tok.Error != "":
		return fmt.Errorf("token: %s: %s: %s", resp.Status, tok.Error, tok.Description)
	case resp.StatusCode != http.StatusOK || err != nil:
		return fmt.Errorf("token: %s %v: %.300s", resp.Status, err, body)
	case tok.AccessToken == "":
		return fmt.Errorf("token: no access_token: %.300s", body)
	case openid && tok.IDToken == "":
		return fmt.Errorf("token: no id_token though openid was asked (does the client's registration allow openid?)")
	case !openid && tok.IDToken != "":
		return fmt.Errorf("token: an id_token though openid was not asked")
	}
	return nil
}

// write prints the figures and the command that produced them.
func (r tripResult) write(w io.Writer, ab *authorizeBench) {
	secs := max(r.elapsed.Seconds(), 1e-9)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }
	fmt.Fprintf(w, "command:     %s\n", ab.cfg.command)
	fmt.Fprintf(w, "target:      %s, client %s, user %s, scope %q, concurrency %d, sessions %d, duration bound %v",
		ab.ep.Authorize, ab.flags.clientID, ab.flags.user, ab.scope, ab.cfg.concurrency, len(ab.browsers), ab.cfg.duration)
	if ab.cfg.max > 0 {
		fmt.Fprintf(w, ", round-trip bound %d", ab.cfg.max)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "round trips: %d in %.2f s: %.0f round trips/s (%d requests)\n", len(r.trips), secs, float64(len(r.trips))/secs, r.requests())
	fmt.Fprintf(w, "latency:     p50 %s   p90 %s   p99 %s   max %s\n",
		ms(percentile(r.trips, 50)), ms(percentile(r.trips, 90)), ms(percentile(r.trips, 99)), ms(percentile(r.trips, 100)))
	for _, p := range []float64{50, 99} {
		parts := make([]string, stepCount)
		for s, name := range stepNames {
			parts[s] = name + " " + ms(percentile(r.steps[s], p))
		}
		fmt.Fprintf(w, "%-13s%s\n", fmt.Sprintf("steps p%v:", p), strings.Join(parts, "   "))
	}
	fmt.Fprint(w, "status:     ")
	for _, code := range slices.Sorted(maps.Keys(r.status)) {
		fmt.Fprintf(w, " %d: %d", code, r.status[code])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "errors:      %d round trips failed", r.failed)
	if r.firstErr != "" {
		fmt.Fprintf(w, "; first: %s", r.firstErr)
	}
	fmt.Fprintln(w)
}
