package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Bounds of smartd bench: it loads a server on this machine only, for a
// bounded time, with bounded concurrency.
const (
	maxBenchDuration    = 10 * time.Minute
	maxBenchConcurrency = 256
)

// benchConfig is one load run: what to request and how hard.
type benchConfig struct {
	base        *url.URL // the FHIR base, a loopback URL without a trailing slash
	concurrency int
	duration    time.Duration
	max         int // stop after this many requests; 0: only the duration bounds the run
	timeout     time.Duration
	paths       []string // relative to base, requested round-robin
	command     string   // the command line, printed with the results
}

func (cl *cli) bench(ctx context.Context, args []string) error {
	fs := newFlagSet("bench", "smartd bench [flags]", cl.stderr)
	rawURL := fs.String("url", "http://127.0.0.1:8080/fhir", "FHIR base `URL` of a running smartd; its host must be loopback (127.0.0.0/8, ::1, localhost) (env SMARTD_URL)")
	conc := fs.Int("c", 8, "`concurrency`: requests in flight at once (env SMARTD_C)")
	dur := fs.Duration("d", 10*time.Second, "`duration` of the run, at most 10m (env SMARTD_D)")
	maxReq := fs.Int("n", 0, "stop after this many `requests`; 0: run for the duration (env SMARTD_N)")
	timeout := fs.Duration("timeout", 10*time.Second, "per-request `timeout` (env SMARTD_TIMEOUT)")
	path := fs.String("path", "", "request this one `path` relative to the base, e.g. Patient/smart-patient-1 (env SMARTD_PATH)")
	pathsFile := fs.String("paths", "", "request the paths in `file`, one per line, round-robin (env SMARTD_PATHS)")
	scenario := fs.String("scenario", "", "a built-in mix: read (reads of discovered resources), search (patient and observation searches) or authorize (standalone launches: authorize, consent and token round trips; -n counts round trips); the default when neither -path nor -paths is given is read (env SMARTD_SCENARIO)")
	token := fs.String("token", "", "bearer `token` sent with the FHIR requests, @file to read it from a file, or \"launch\" to get a user's token through one standalone launch (-user, -password, -scope, -client-id); default: the admin token in data/admin-token when that file exists (the trusted path) (env SMARTD_TOKEN)")
	patient := fs.String("patient", "", "read and search scenarios: discover only this patient's `id` and record, so a patient token and the trusted path make the same requests (env SMARTD_PATIENT)")
	var af authorizeFlags
	af.register(fs)
	if err := parse(fs, args, cl.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench takes no arguments, got %q", fs.Args())
	}
	base, err := loopbackBase(*rawURL)
	if err != nil {
		return err
	}
	cfg := benchConfig{base: base, concurrency: *conc, duration: *dur, max: *maxReq, timeout: *timeout,
		command: commandLine(append([]string{"smartd", "bench"}, args...))}
	if err := cfg.check(); err != nil {
		return err
	}
	given := 0
	for _, s := range []string{*path, *pathsFile, *scenario} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		return errors.New("give one of -path, -paths and -scenario")
	}
	if *scenario != "authorize" && *token != "launch" {
		var misplaced []string
		fs.Visit(func(f *flag.Flag) {
			if slices.Contains(authorizeFlagNames, f.Name) {
				misplaced = append(misplaced, "-"+f.Name)
			}
		})
		if len(misplaced) > 0 {
			return fmt.Errorf("%s: only with -scenario authorize", strings.Join(misplaced, ", "))
		}
	}
	client := benchClient(cfg.concurrency, cfg.timeout)
	defer client.CloseIdleConnections()
	if *scenario == "authorize" {
		return cl.benchAuthorize(ctx, cfg, af, client)
	}
	bearer, err := benchToken(*token)
	if *token == "launch" {
		bearer, err = launchToken(ctx, cfg, af, client)
	}
	if err != nil {
		return fmt.Errorf("-token: %w", err)
	}
	withBearer(client, bearer)
	switch {
	case *path != "":
		cfg.paths = []string{*path}
	case *pathsFile != "":
		if cfg.paths, err = readPaths(*pathsFile); err != nil {
			return err
		}
	default:
		if *scenario == "" {
			*scenario = "read"
		}
		if cfg.paths, err = scenarioPaths(ctx, client, cfg.base, *scenario, *patient); err != nil {
			return err
		}
	}
	for _, p := range cfg.paths {
		if err := checkPath(p); err != nil {
			return err
		}
	}
	res := runLoad(ctx, client, cfg)
	res.write(cl.stdout, cfg)
	return nil
}

// check refuses settings outside the bounds.
func (c benchConfig) check() error {
	switch {
	case c.concurrency < 1 || c.concurrency > maxBenchConcurrency:
		return fmt.Errorf("-c %d: concurrency must be 1 to %d", c.concurrency, maxBenchConcurrency)
	case c.duration <= 0 || c.duration > maxBenchDuration:
		return fmt.Errorf("-d %v: the duration must be positive and at most %v", c.duration, maxBenchDuration)
	case c.max < 0:
		return fmt.Errorf("-n %d: must not be negative", c.max)
	case c.timeout <= 0:
		return fmt.Errorf("-timeout %v: must be positive", c.timeout)
	}
	return nil
}

// errNotLoopback: bench sends load to this machine only.
var errNotLoopback = errors.New("bench only loads a server on this machine: the URL's host must be a loopback address (127.0.0.0/8, ::1) or localhost")

// loopbackBase parses a FHIR base URL and refuses it unless it is http or
// https to a loopback host. The client's dialer checks the address it
// connects to again (see benchClient), so a host name that resolves
// elsewhere cannot slip through.
func loopbackBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("-url %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("-url %q: want an http:// or https:// URL such as http://127.0.0.1:8080/fhir", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("-url %q: the FHIR base takes no user, query or fragment", raw)
	}
	if !loopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("-url %q: %w", raw, errNotLoopback)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// loopbackHost reports whether host is localhost or a loopback IP.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// benchClient is an HTTP client for load on loopback: keep-alive
// connections for every worker, no proxy (HTTP_PROXY would send the load
// elsewhere), no redirects, and a dialer that refuses any address that is
// not loopback.
func benchClient(concurrency int, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("dial %s: %w", address, errNotLoopback)
			}
			return nil
		},
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		MaxConnsPerHost:     concurrency,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// readPaths reads one path per line, skipping blank lines and # comments.
func readPaths(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no paths", name)
	}
	return out, nil
}

// checkPath refuses a path that is not relative to the base.
func checkPath(p string) error {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q: want a path relative to the FHIR base, such as Patient/123 or Observation?code=x", p)
	}
	return nil
}

// commandLine renders args as a shell command line, quoting where needed.
func commandLine(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`&|;<>()*?[]#~!{}") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
