package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tripOutput is the part of bench -scenario authorize's output the tests
// check.
type tripOutput struct {
	trips, requests, failed int
	status                  map[int]int
	scope                   string
}

func parseTripOutput(t *testing.T, out string) tripOutput {
	t.Helper()
	m := regexp.MustCompile(`(?m)^round trips: (\d+) in [\d.]+ s: \d+ round trips/s \((\d+) requests\)$`).FindStringSubmatch(out)
	e := regexp.MustCompile(`(?m)^errors:\s+(\d+) round trips failed`).FindStringSubmatch(out)
	s := regexp.MustCompile(`(?m)^status:(.*)$`).FindStringSubmatch(out)
	sc := regexp.MustCompile(`(?m)^target: .* scope "([^"]*)"`).FindStringSubmatch(out)
	if m == nil || e == nil || s == nil || sc == nil || !strings.Contains(out, "latency:     p50 ") || !strings.Contains(out, "steps p99:   authorize ") {
		t.Fatalf("unexpected output:\n%s", out)
	}
	o := tripOutput{status: map[int]int{}, scope: sc[1]}
	o.trips, _ = strconv.Atoi(m[1])
	o.requests, _ = strconv.Atoi(m[2])
	o.failed, _ = strconv.Atoi(e[1])
	for _, kv := range regexp.MustCompile(`(\d+): (\d+)`).FindAllStringSubmatch(s[1], -1) {
		code, _ := strconv.Atoi(kv[1])
		n, _ := strconv.Atoi(kv[2])
		o.status[code] = n
	}
	return o
}

// TestBenchAuthorizeAgainstServe runs the authorize scenario against
// `smartd serve` as the demo patient with the demo public app: round
// trips with and without an id_token, over one or two signed-in
// sessions, each one authorize page (200), one consent redirect (302)
// and one token response (200), none failing.
func TestBenchAuthorizeAgainstServe(t *testing.T) {
	base, _ := startServe(t, nil, "-data", t.TempDir(), "-no-samples")
	for _, tc := range []struct {
		name string
		args []string
		want tripOutput
	}{
		{"openid", []string{"-c", "3", "-n", "30"},
			tripOutput{trips: 30, requests: 90, status: map[int]int{200: 60, 302: 30}, scope: "launch/patient patient/*.rs openid fhirUser"}},
		{"no openid, two sessions", []string{"-openid=false", "-c", "2", "-sessions", "2", "-n", "20"},
			tripOutput{trips: 20, requests: 60, status: map[int]int{200: 40, 302: 20}, scope: "launch/patient patient/*.rs"}},
		{"scope given, openid already in it", []string{"-scope", "openid fhirUser patient/Patient.rs", "-c", "1", "-n", "5"},
			tripOutput{trips: 5, requests: 15, status: map[int]int{200: 10, 302: 5}, scope: "openid fhirUser patient/Patient.rs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"bench", "-url", base, "-scenario", "authorize", "-d", "1m"}, tc.args...)
			c, out, _ := newCLI(nil)
			if err := c.run(t.Context(), args); err != nil {
				t.Fatal(err)
			}
			got := parseTripOutput(t, out.String())
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(tripOutput{})); diff != "" {
				t.Errorf("figures (-want +got):\n%s\n%s", diff, out)
			}
			if want := "command:     " + commandLine(append([]string{"smartd"}, args...)) + "\n"; !strings.Contains(out.String(), want) {
				t.Errorf("the output does not show the command line %q:\n%s", want, out)
			}
		})
	}
}

// TestBenchAuthorizeSignInFailures checks that a run that cannot get to
// the consent page stops before it starts, saying why.
func TestBenchAuthorizeSignInFailures(t *testing.T) {
	base, _ := startServe(t, nil, "-data", t.TempDir(), "-no-samples")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"wrong password", []string{"-password", "not-the-password"}, "wrong -user or -password"},
		{"a clinician gets the patient picker", []string{"-user", "dr.morgan", "-password", "morgan-demo-2026"}, "without a form with an Allow button"},
		{"unknown client", []string{"-client-id", "no-such-app"}, "sign-in: authorize: 400"},
		{"unregistered redirect URI", []string{"-redirect-uri", "http://localhost:9/elsewhere"}, "sign-in: authorize: 400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, out, _ := newCLI(nil)
			err := c.run(t.Context(), append([]string{"bench", "-url", base, "-scenario", "authorize", "-c", "1", "-n", "1"}, tc.args...))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
			if out.String() != "" {
				t.Errorf("figures printed:\n%s", out)
			}
		})
	}
}

// TestBenchAuthorizeRefusesBadSettings checks the settings refused before
// any request is sent.
func TestBenchAuthorizeRefusesBadSettings(t *testing.T) {
	for _, args := range [][]string{
		{"-openid=false"},
		{"-scenario", "read", "-user", "jose"},
		{"-path", "metadata", "-sessions", "2"},
		{"-scenario", "authorize", "-sessions", "0"},
		{"-scenario", "authorize", "-c", "2", "-sessions", "3"},
		{"-scenario", "authorize", "-user", ""},
	} {
		srv := countingServer(t, nil)
		c, out, _ := newCLI(nil)
		if err := c.run(t.Context(), append([]string{"bench", "-url", srv.url + "/fhir"}, args...)); err == nil {
			t.Errorf("bench %q: no error; printed %s", args, out)
		}
		if n := srv.count.Load(); n != 0 {
			t.Errorf("bench %q sent %d requests", args, n)
		}
	}
}
