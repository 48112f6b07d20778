package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tokenOutput is the part of bench-token's output the tests check.
type tokenOutput struct {
	tokens, requests, errors int
	status                   map[int]int
	exhausted                bool
}

func parseTokenOutput(t *testing.T, out string) tokenOutput {
	t.Helper()
	m := regexp.MustCompile(`(?m)^tokens:\s+(\d+) in [\d.]+ s: \d+ tokens/s \((\d+) requests\)$`).FindStringSubmatch(out)
	e := regexp.MustCompile(`(?m)^errors:\s+(\d+) `).FindStringSubmatch(out)
	s := regexp.MustCompile(`(?m)^status:\s*(.*)$`).FindStringSubmatch(out)
	if m == nil || e == nil || s == nil || !strings.Contains(out, "latency:     p50 ") {
		t.Fatalf("unexpected output:\n%s", out)
	}
	o := tokenOutput{status: map[int]int{}, exhausted: strings.Contains(out, "was used up")}
	o.tokens, _ = strconv.Atoi(m[1])
	o.requests, _ = strconv.Atoi(m[2])
	o.errors, _ = strconv.Atoi(e[1])
	for _, kv := range regexp.MustCompile(`(\d+): (\d+)`).FindAllStringSubmatch(s[1], -1) {
		code, _ := strconv.Atoi(kv[1])
		n, _ := strconv.Atoi(kv[2])
		o.status[code] = n
	}
	return o
}

// TestBenchTokenAgainstServe runs bench-token against `smartd serve`: a
// throwaway RS384 client registered through the registration endpoint
// (the server root given, the FHIR base found), the ES384 demo client
// with its key file, and the demo client signing with a kid the server
// does not know, whose 401s are counted as errors.
func TestBenchTokenAgainstServe(t *testing.T) {
	data := t.TempDir()
	base, _ := startServe(t, nil, "-data", data, "-no-samples")
	root := strings.TrimSuffix(base, "/fhir")
	demoKey := filepath.Join(data, "demo-backend-key.pem")
	for _, tc := range []struct {
		name string
		args []string
		want tokenOutput
	}{
		{"register RS384, server root", []string{"-url", root, "-alg", "RS384", "-register", "-c", "3", "-n", "40", "-d", "1m"},
			tokenOutput{tokens: 40, requests: 40, status: map[int]int{200: 40}, exhausted: true}},
		{"demo client ES384, FHIR base", []string{"-url", base, "-alg", "ES384", "-client-id", "demo-backend", "-key", demoKey, "-c", "2", "-n", "25", "-d", "1m"},
			tokenOutput{tokens: 25, requests: 25, status: map[int]int{200: 25}, exhausted: true}},
		{"unknown kid", []string{"-url", base, "-alg", "ES384", "-client-id", "demo-backend", "-key", demoKey, "-kid", "nope", "-c", "2", "-n", "10", "-d", "1m"},
			tokenOutput{tokens: 0, requests: 10, errors: 10, status: map[int]int{401: 10}, exhausted: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, out, _ := newCLI(nil)
			if err := c.run(t.Context(), append([]string{"bench-token"}, tc.args...)); err != nil {
				t.Fatal(err)
			}
			got := parseTokenOutput(t, out.String())
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(tokenOutput{})); diff != "" {
				t.Errorf("figures (-want +got):\n%s\n%s", diff, out)
			}
			if want := "command:     " + commandLine(append([]string{"smartd", "bench-token"}, tc.args...)) + "\n"; !strings.Contains(out.String(), want) {
				t.Errorf("the output does not show the command line %q:\n%s", want, out)
			}
			if tc.want.errors > 0 && !strings.Contains(out.String(), "invalid_client") {
				t.Errorf("the first error is not shown:\n%s", out)
			}
		})
	}
}

func TestBenchTokenRefusesBadSettings(t *testing.T) {
	// A loopback server whose SMART configuration points elsewhere.
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"token_endpoint":"http://10.1.2.3/auth/token","registration_endpoint":"http://10.1.2.3/auth/register"}`)
	}))
	t.Cleanup(elsewhere.Close)
	key := filepath.Join(t.TempDir(), "none.pem")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-url", "http://10.0.0.1:8080/fhir", "-register"}, "loopback"},
		{[]string{"-url", "http://example.com/fhir", "-register"}, "loopback"},
		{[]string{"-url", elsewhere.URL, "-register", "-n", "1"}, "loopback"},
		{[]string{"-alg", "HS256", "-register"}, "-alg"},
		{[]string{"-alg", "none", "-register"}, "-alg"},
		{nil, "-client-id and -key"},
		{[]string{"-client-id", "x"}, "-client-id and -key"},
		{[]string{"-register", "-client-id", "x", "-key", key}, "either -register"},
		{[]string{"-register", "-c", "0"}, "-c 0"},
		{[]string{"-register", "-c", "257"}, "-c 257"},
		{[]string{"-register", "-d", "11m"}, "-d 11m"},
		{[]string{"-register", "-n", "-1"}, "negative"},
		{[]string{"-register", "-d", "10m", "-rate", "1000000"}, "pool"},
		{[]string{"-register", "extra"}, "no arguments"},
	} {
		c, _, _ := newCLI(nil)
		err := c.run(t.Context(), append([]string{"bench-token"}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}

// tokenSink counts the bodies posted to it.
type tokenSink struct {
	mu     sync.Mutex
	bodies map[string]int
	delay  time.Duration
}

func newTokenSink(t *testing.T, delay time.Duration) (*tokenSink, string) {
	s := &tokenSink{bodies: map[string]int{}, delay: delay}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies[string(b)]++
		s.mu.Unlock()
		time.Sleep(s.delay)
		w.Write([]byte(`{"access_token":"x"}`))
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL + "/auth/token"
}

func TestRunTokenLoadPostsEachBodyOnce(t *testing.T) {
	sink, tokenURL := newTokenSink(t, 0)
	bodies := make([]string, 137)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("body-%d", i)
	}
	cfg := tokenBenchConfig{tokenURL: tokenURL, concurrency: 5, duration: time.Minute, timeout: 5 * time.Second}
	client := benchClient(cfg.concurrency, cfg.timeout)
	res := runTokenLoad(t.Context(), client, cfg, bodies)
	if got := res.status[http.StatusOK]; got != 137 || !res.limited || res.failed != 0 {
		t.Errorf("200s %d, exhausted %v, failed %d; want 137, true, 0", got, res.limited, res.failed)
	}
	want := map[string]int{}
	for _, b := range bodies {
		want[b] = 1
	}
	if diff := cmp.Diff(want, sink.bodies); diff != "" {
		t.Errorf("bodies posted (-want +got):\n%s", diff)
	}
}

func TestRunTokenLoadStopsAtTheDuration(t *testing.T) {
	_, tokenURL := newTokenSink(t, 2*time.Millisecond)
	bodies := make([]string, 1_000_000)
	for i := range bodies {
		bodies[i] = "b"
	}
	cfg := tokenBenchConfig{tokenURL: tokenURL, concurrency: 2, duration: 300 * time.Millisecond, timeout: 5 * time.Second}
	res := runTokenLoad(t.Context(), benchClient(cfg.concurrency, cfg.timeout), cfg, bodies)
	if res.limited || res.elapsed > 2*time.Second || res.status[http.StatusOK] == 0 || res.status[http.StatusOK] > 300 {
		t.Errorf("exhausted %v after %v with %d tokens; want a stop at about 300ms with at most 2 requests per 2ms", res.limited, res.elapsed, res.status[http.StatusOK])
	}
}
