package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"
)

// Suite runs the conformance checks against one server.
type Suite struct {
	cfg Config
	key *signingKey // nil without a backend client
}

// New checks cfg, reads the key and returns a Suite.
func New(cfg Config) (*Suite, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	s := &Suite{cfg: cfg}
	if len(cfg.Key) > 0 {
		if s.key, err = parseSigningKey(cfg.Key, cfg.KeyID, cfg.Alg); err != nil {
			return nil, fmt.Errorf("conformance: %v", err)
		}
	}
	return s, nil
}

// Checks lists every check the suite has, in the order they run.
func Checks() []Check {
	var out []Check
	for _, g := range [][]Check{discoveryChecks, setupChecks, backendChecks, introspectionChecks, revocationChecks,
		fhirAccessChecks, launchChecks, refreshChecks, refusalChecks, ehrChecks, cleanupChecks} {
		out = append(out, g...)
	}
	return out
}

// cleanupTimeout bounds the removal of the throwaway user and apps,
// which runs even when the run's context is done.
const cleanupTimeout = 30 * time.Second

// Run runs every check in order and returns the report. It stops early
// only when ctx is done; the checks left are then skipped, but what the
// run created with an admin token is still removed (within 30 s). Each
// run has its own cookies, tokens and throwaway accounts, so Run may be
// called again.
func (s *Suite) Run(ctx context.Context) *Report {
	r := newRunner(ctx, s)
	start := s.cfg.Now()
	r.discovery()
	r.setup()
	r.backend()
	r.introspection()
	r.revocation()
	r.fhirAccess()
	r.launch()
	r.refresh()
	r.refusals()
	r.ehrLaunch()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	r.ctx = cctx
	r.cleanup()
	return &Report{FHIRBase: s.cfg.FHIRBase, Started: start, Duration: time.Since(r.wall), Results: r.results}
}

// runner is the state of one run: the results so far and what earlier
// checks learnt (the discovery document, tokens) for later ones.
type runner struct {
	ctx     context.Context
	cfg     Config
	key     *signingKey
	wall    time.Time
	results []Result
	status  map[string]Status // by Check.ID
	cur     *step

	api     *http.Client // no cookies, redirects not followed
	browser *http.Client // cookie jar, stops at the redirect URIs

	disc *discovered
	bs   *backendState
	ls   *launchState
	tw   *throwaway // what setup made with the admin token; nil without one
}

func newRunner(ctx context.Context, s *Suite) *runner {
	r := &runner{ctx: ctx, cfg: s.cfg, key: s.key, wall: time.Now(), status: map[string]Status{}}
	next := s.cfg.HTTPClient.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	rec := &recorder{next: next, sink: func(e Exchange) {
		if r.cur != nil {
			r.cur.exchanges = append(r.cur.exchanges, e)
		}
	}}
	r.api = &http.Client{Transport: rec, Timeout: s.cfg.HTTPClient.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	jar, _ := cookiejar.New(nil)
	r.browser = &http.Client{Transport: rec, Timeout: s.cfg.HTTPClient.Timeout, Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if isCallback(req.URL, r.stops()) || len(via) >= 20 {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	return r
}

// step is one check being run.
type step struct {
	exchanges []Exchange
	notes     []string
}

// note records what a passing check saw.
func (st *step) note(format string, args ...any) {
	st.notes = append(st.notes, fmt.Sprintf(format, args...))
}

// skipError makes a check skipped rather than failed.
type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }

func skipf(format string, args ...any) error {
	return &skipError{fmt.Sprintf(format, args...)}
}

// do runs one check and records its result.
func (r *runner) do(c Check, fn func(st *step) error) Status {
	st := &step{}
	r.cur = st
	start := time.Now()
	var err error
	if cerr := r.ctx.Err(); cerr != nil {
		err = skipf("the run was stopped: %v", cerr)
	} else {
		err = runCheck(fn, st)
	}
	r.cur = nil
	res := Result{Group: c.Group, Name: c.Name, Spec: c.Spec, Exchanges: st.exchanges, Duration: time.Since(start)}
	var skip *skipError
	switch {
	case errors.As(err, &skip):
		res.Status, res.Reason = Skip, skip.reason
	case err != nil:
		res.Status, res.Reason = Fail, err.Error()
	default:
		res.Status, res.Reason = Pass, strings.Join(st.notes, "; ")
	}
	r.results = append(r.results, res)
	r.status[c.ID()] = res.Status
	return res.Status
}

// runCheck calls fn, turning a panic into a failure.
func runCheck(fn func(st *step) error, st *step) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the check panicked: %v", p)
		}
	}()
	return fn(st)
}

// skipAll records every check of cs as skipped for reason.
func (r *runner) skipAll(cs []Check, reason string) {
	for _, c := range cs {
		r.do(c, func(*step) error { return skipf("%s", reason) })
	}
}

// needs returns a skip error unless every check in cs passed.
func (r *runner) needs(cs ...Check) error {
	for _, c := range cs {
		if r.status[c.ID()] != Pass {
			return skipf("needs %q (%s), which did not pass", c.Name, c.Group)
		}
	}
	return nil
}

// stops are the URLs at which the browser stops instead of following a
// redirect: the app's redirect URI and the mismatched one the
// launch-refusals scenario sends.
func (r *runner) stops() []string {
	if r.cfg.RedirectURI == "" {
		return nil
	}
	return []string{r.cfg.RedirectURI, mismatchedRedirect(r.cfg.RedirectURI)}
}
