package main

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100) // 1..100 ms
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value, p50", ms(7), 50, 7 * time.Millisecond},
		{"one value, p99", ms(7), 99, 7 * time.Millisecond},
		{"p50 of 1..100 is the 50th", hundred, 50, 50 * time.Millisecond},
		{"p90 of 1..100", hundred, 90, 90 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p99.9 of 1..100 rounds up to the max", hundred, 99.9, 100 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"tiny p is the min", hundred, 0.001, 1 * time.Millisecond},
		{"p50 of an even count is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p51 of four values is the third", ms(1, 2, 3, 4), 51, 3 * time.Millisecond},
		{"p25 of four values is the first", ms(1, 2, 3, 4), 25, 1 * time.Millisecond},
		{"a long tail does not move p50", ms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1000), 50, 1 * time.Millisecond},
		{"a long tail is p99 of ten", ms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1000), 99, 1000 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

// loopbackCases are the table of TestLoopbackBase and the seeds of
// FuzzLoopbackBase.
var loopbackCases = []struct {
	url  string
	want string // the base accepted; "" when refused
}{
	{"http://127.0.0.1:8080/fhir", "http://127.0.0.1:8080/fhir"},
	{"http://127.0.0.1:8080/fhir/", "http://127.0.0.1:8080/fhir"},
	{"https://127.0.0.1/fhir", "https://127.0.0.1/fhir"},
	{"http://127.9.8.7:1/fhir", "http://127.9.8.7:1/fhir"},
	{"http://[::1]:8080/fhir", "http://[::1]:8080/fhir"},
	{"http://localhost:8080/fhir", "http://localhost:8080/fhir"},
	{"http://LocalHost/fhir", "http://LocalHost/fhir"},
	{"http://10.0.0.1:8080/fhir", ""},
	{"http://192.168.1.10/fhir", ""},
	{"http://172.16.0.1/fhir", ""},
	{"http://8.8.8.8/fhir", ""},
	{"http://0.0.0.0:8080/fhir", ""},
	{"http://[::]:8080/fhir", ""},
	{"http://[fe80::1]/fhir", ""},
	{"http://example.com/fhir", ""},
	{"http://127.0.0.1.example.com/fhir", ""},
	{"http://localhost.example.com/fhir", ""},
	{"http://user@127.0.0.1/fhir", ""},
	{"http://127.0.0.1/fhir?x=1", ""},
	{"ftp://127.0.0.1/fhir", ""},
	{"127.0.0.1:8080/fhir", ""},
	{"/fhir", ""},
	{"", ""},
	{"http://%zz/", ""},
}

func TestLoopbackBase(t *testing.T) {
	for _, tc := range loopbackCases {
		t.Run(tc.url, func(t *testing.T) {
			u, err := loopbackBase(tc.url)
			got := ""
			if err == nil {
				got = u.String()
			}
			if got != tc.want {
				t.Errorf("loopbackBase(%q) = %q, %v; want %q", tc.url, got, err, tc.want)
			}
		})
	}
}

// FuzzLoopbackBase checks that an accepted URL names a loopback host, and
// that the base it returns is accepted again unchanged.
func FuzzLoopbackBase(f *testing.F) {
	for _, tc := range loopbackCases {
		f.Add(tc.url)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := loopbackBase(raw)
		if err != nil {
			return
		}
		host := u.Hostname()
		if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			t.Fatalf("accepted %q with host %q", raw, host)
		}
		again, err := loopbackBase(u.String())
		if err != nil || again.String() != u.String() {
			t.Fatalf("base %q of %q is not accepted as is: %v %v", u, raw, again, err)
		}
	})
}

func TestBenchRefusesNonLoopbackURL(t *testing.T) {
	for _, raw := range []string{"http://10.1.2.3:8080/fhir", "http://example.com/fhir", "http://0.0.0.0:8080/fhir"} {
		c, out, _ := newCLI(nil)
		err := c.run(t.Context(), []string{"bench", "-url", raw, "-n", "1", "-path", "metadata"})
		if !errors.Is(err, errNotLoopback) {
			t.Errorf("bench -url %s: %v, want errNotLoopback", raw, err)
		}
		if out.String() != "" {
			t.Errorf("bench -url %s printed results: %s", raw, out)
		}
	}
	// The environment's URL is checked the same way.
	c, _, _ := newCLI(map[string]string{"SMARTD_URL": "http://192.168.0.2/fhir"})
	if err := c.run(t.Context(), []string{"bench", "-n", "1"}); !errors.Is(err, errNotLoopback) {
		t.Errorf("SMARTD_URL of a private address: %v", err)
	}
}

func TestBenchClientDialsLoopbackOnly(t *testing.T) {
	client := benchClient(1, time.Second)
	// The dialer refuses before connecting, so nothing is sent.
	_, err := client.Get("http://10.255.255.1:9/")
	if !errors.Is(err, errNotLoopback) {
		t.Errorf("GET a private address: %v, want errNotLoopback", err)
	}
	// HTTP_PROXY and HTTPS_PROXY would send the load to the proxy's host.
	if tr, ok := client.Transport.(*http.Transport); !ok || tr.Proxy != nil {
		t.Errorf("the bench client may use a proxy: %#v", client.Transport)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET a loopback server: %v", err)
	}
	resp.Body.Close()
}

func TestBenchRefusesBadSettings(t *testing.T) {
	for _, args := range [][]string{
		{"-d", "11m"},
		{"-d", "0s"},
		{"-c", "0"},
		{"-c", "100000"},
		{"-n", "-1"},
		{"-path", "Patient/1", "-scenario", "read"},
		{"-path", "http://127.0.0.1/x"},
		{"-path", "/fhir/Patient/1"},
		{"-scenario", "write"},
		{"extra"},
	} {
		c, out, _ := newCLI(nil)
		srv := countingServer(t, nil)
		if err := c.run(t.Context(), append([]string{"bench", "-url", srv.url + "/fhir"}, args...)); err == nil {
			t.Errorf("bench %q: no error; printed %s", args, out)
		}
		if n := srv.count.Load(); n != 0 {
			t.Errorf("bench %q sent %d requests", args, n)
		}
	}
}

type counting struct {
	url   string
	count atomic.Int64
}

// countingServer counts the requests it answers; status gives each
// path's status (200 when nil).
func countingServer(t *testing.T, status func(path string) int) *counting {
	c := &counting{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.count.Add(1)
		code := http.StatusOK
		if status != nil {
			code = status(r.URL.Path)
		}
		w.WriteHeader(code)
		w.Write([]byte(`{"resourceType":"Patient"}`))
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

// benchOutput parses the figures bench printed.
type benchOutput struct {
	requests int
	status   map[int]int
	errors   int
}

func parseBenchOutput(t *testing.T, out string) benchOutput {
	t.Helper()
	var o benchOutput
	m := regexp.MustCompile(`(?m)^requests:\s+(\d+) in`).FindStringSubmatch(out)
	e := regexp.MustCompile(`(?m)^errors:\s+(\d+) `).FindStringSubmatch(out)
	s := regexp.MustCompile(`(?m)^status:(.*)$`).FindStringSubmatch(out)
	if m == nil || e == nil || s == nil || !strings.Contains(out, "latency:     p50 ") {
		t.Fatalf("unexpected bench output:\n%s", out)
	}
	o.requests, _ = strconv.Atoi(m[1])
	o.errors, _ = strconv.Atoi(e[1])
	o.status = map[int]int{}
	for _, f := range regexp.MustCompile(`(\d+): (\d+)`).FindAllStringSubmatch(s[1], -1) {
		code, _ := strconv.Atoi(f[1])
		n, _ := strconv.Atoi(f[2])
		o.status[code] = n
	}
	return o
}

func TestBenchSendsExactlyNRequests(t *testing.T) {
	srv := countingServer(t, nil)
	c, out, _ := newCLI(nil)
	args := []string{"bench", "-url", srv.url + "/fhir", "-c", "4", "-n", "137", "-d", "1m", "-path", "Patient/p1"}
	if err := c.run(t.Context(), args); err != nil {
		t.Fatal(err)
	}
	got := parseBenchOutput(t, out.String())
	want := benchOutput{requests: 137, status: map[int]int{200: 137}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(benchOutput{})); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
	if n := srv.count.Load(); n != 137 {
		t.Errorf("the server answered %d requests, want 137", n)
	}
	if !strings.Contains(out.String(), "command:     smartd bench -url "+srv.url+"/fhir -c 4 -n 137 -d 1m -path Patient/p1\n") {
		t.Errorf("the output does not show the command line:\n%s", out)
	}
}

func TestBenchCountsErrorsByStatus(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := countingServer(t, func(path string) int {
		mu.Lock()
		seen[path]++
		mu.Unlock()
		switch path {
		case "/fhir/Patient/missing":
			return http.StatusNotFound
		case "/fhir/Patient/broken":
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	paths := filepath.Join(t.TempDir(), "paths.txt")
	os.WriteFile(paths, []byte("# three paths\nPatient/ok\n\nPatient/missing\nPatient/broken\n"), 0o600)
	c, out, _ := newCLI(nil)
	if err := c.run(t.Context(), []string{"bench", "-url", srv.url + "/fhir/", "-c", "3", "-n", "300", "-paths", paths}); err != nil {
		t.Fatal(err)
	}
	got := parseBenchOutput(t, out.String())
	want := benchOutput{requests: 300, status: map[int]int{200: 100, 404: 100, 500: 100}, errors: 200}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(benchOutput{})); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"/fhir/Patient/ok": 100, "/fhir/Patient/missing": 100, "/fhir/Patient/broken": 100}, seen); diff != "" {
		t.Errorf("requests by path (-want +got):\n%s", diff)
	}
}

func TestBenchStopsAtTheDuration(t *testing.T) {
	srv := countingServer(t, func(string) int { time.Sleep(2 * time.Millisecond); return http.StatusOK })
	c, out, _ := newCLI(nil)
	start := time.Now()
	if err := c.run(t.Context(), []string{"bench", "-url", srv.url + "/fhir", "-c", "2", "-d", "300ms", "-path", "metadata"}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 300*time.Millisecond || took > 3*time.Second {
		t.Errorf("a 300ms run took %v", took)
	}
	got := parseBenchOutput(t, out.String())
	// Two workers, each at most one request per 2 ms.
	if got.requests < 10 || got.requests > 300 || got.errors != 0 || got.status[200] != got.requests {
		t.Errorf("figures of a 300ms run: %+v", got)
	}
	// Requests cut off by the end are not counted, and none is left over.
	time.Sleep(50 * time.Millisecond)
	if n := srv.count.Load(); n < int64(got.requests) || n > int64(got.requests)+2 {
		t.Errorf("the server answered %d requests, bench counted %d", n, got.requests)
	}
}

func TestBenchScenariosOnTheSamplePatients(t *testing.T) {
	dir := t.TempDir()
	base, _ := startServe(t, nil, "-data", dir)
	for _, tc := range []struct {
		scenario string
		paths    string // a path of the scenario, as a regexp
	}{
		{"read", `^Patient/smart-patient-1$`},
		{"search", `^Observation\?patient=smart-patient-1&category=vital-signs&_count=50$`},
		{"search", `^Patient\?name=`},
	} {
		c, out, _ := newCLI(nil)
		if err := c.run(t.Context(), []string{"bench", "-url", base, "-c", "2", "-n", "40", "-scenario", tc.scenario, "-token", "@" + filepath.Join(dir, "admin-token")}); err != nil {
			t.Fatal(err)
		}
		got := parseBenchOutput(t, out.String())
		if got.requests != 40 || got.status[200] != 40 || got.errors != 0 {
			t.Errorf("scenario %s: %+v\n%s", tc.scenario, got, out)
		}
		u, _ := loopbackBase(base)
		client := benchClient(1, 5*time.Second)
		withBearer(client, adminTokenOf(t, dir))
		paths, err := scenarioPaths(t.Context(), client, u, tc.scenario, "")
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(tc.paths)
		found := false
		for _, p := range paths {
			found = found || re.MatchString(p)
		}
		if !found {
			t.Errorf("scenario %s has no path matching %s: %q", tc.scenario, tc.paths, paths)
		}
	}
}

// TestBenchWithAPatientToken: -token launch gets jose's token through a
// standalone launch, and -patient makes the trusted path and the patient
// token read the same resources: every request answers 200 with both.
func TestBenchWithAPatientToken(t *testing.T) {
	dir := t.TempDir()
	base, _ := startServe(t, nil, "-data", dir)
	for _, scenario := range []string{"read", "search"} {
		for _, token := range [][]string{
			{"-token", "@" + filepath.Join(dir, "admin-token")},
			{"-token", "launch", "-user", "jose", "-password", "jose-demo-2026", "-scope", "launch/patient patient/*.rs", "-openid=false"},
		} {
			c, out, errOut := newCLI(nil)
			args := append([]string{"bench", "-url", base, "-c", "2", "-n", "30", "-scenario", scenario, "-patient", "smart-patient-1"}, token...)
			if err := c.run(t.Context(), args); err != nil {
				t.Fatalf("%q: %v\n%s", args, err, errOut)
			}
			if got := parseBenchOutput(t, out.String()); got.requests != 30 || got.status[200] != 30 {
				t.Errorf("%s with %s: %+v\n%s", scenario, token[1], got, out)
			}
		}
	}
}

func TestInterleave(t *testing.T) {
	got := interleave([]string{"a1", "a2", "a3"}, nil, []string{"b1"})
	if diff := cmp.Diff([]string{"a1", "b1", "a2", "a3"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCommandLineQuotes(t *testing.T) {
	got := commandLine([]string{"smartd", "bench", "-path", "Observation?patient=1&category=vital-signs", "-url", "http://127.0.0.1:8080/fhir", "it's"})
	want := `smartd bench -path 'Observation?patient=1&category=vital-signs' -url http://127.0.0.1:8080/fhir 'it'\''s'`
	if got != want {
		t.Errorf("commandLine = %s\nwant %s", got, want)
	}
}
