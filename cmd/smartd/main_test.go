package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"smartd/fhirproxy/store"
	"smartd/server"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newCLI(env map[string]string) (*cli, *syncBuffer, *syncBuffer) {
	out, errOut := &syncBuffer{}, &syncBuffer{}
	return &cli{stdout: out, stderr: errOut, getenv: func(k string) string { return env[k] }}, out, errOut
}

// startServe runs `smartd serve` with args until the test ends and
// returns its FHIR base URL, read from what it prints.
func startServe(t *testing.T, env map[string]string, args ...string) (base string, stop func() error) {
	t.Helper()
	c, out, errOut := newCLI(env)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)) }()
	re := regexp.MustCompile(`FHIR base:\s+(\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			var once sync.Once
			var err error
			stop = func() error {
				once.Do(func() { cancel(); err = <-done })
				return err
			}
			t.Cleanup(func() { stop() })
			return m[1], stop
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited early: %v\nstderr: %s", err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve printed no FHIR base; stdout: %q", out.String())
	return "", nil
}

func getJSON(t *testing.T, client *http.Client, url string, v any) int {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

func TestServeLoadsSamplesAndShutsDownCleanly(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServe(t, nil, "-data", dir)
	var pat struct {
		ID   string `json:"id"`
		Name []struct {
			Family string `json:"family"`
		} `json:"name"`
	}
	if code := getJSON(t, http.DefaultClient, base+"/Patient/smart-patient-1", nil); code != http.StatusUnauthorized {
		t.Errorf("GET the sample patient without a token: %d, want 401", code)
	}
	if code := getJSON(t, adminClient(t, dir), base+"/Patient/smart-patient-1", &pat); code != 200 || pat.ID != "smart-patient-1" {
		t.Fatalf("GET the sample patient: %d %+v", code, pat)
	}
	var health map[string]string
	if code := getJSON(t, http.DefaultClient, strings.TrimSuffix(base, "/fhir")+"/readyz", &health); code != 200 || health["status"] != "ready" {
		t.Errorf("readyz: %d %v", code, health)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	// The file was closed cleanly: it opens at once, and holds the samples.
	st, err := store.Open(filepath.Join(dir, server.StoreFile), store.Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("reopen after shutdown: %v", err)
	}
	defer st.Close()
	counts, err := st.Counts()
	if err != nil || counts["Patient"] < 5 {
		t.Errorf("counts after restart: %v %v", counts, err)
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServe(t, nil, "-data", dir, "-no-samples")
	// A transaction large enough to be in flight when shutdown starts.
	var b strings.Builder
	b.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[`)
	for i := range 10000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"resource":{"resourceType":"Patient","name":[{"family":"Inflight"}]},"request":{"method":"POST","url":"Patient"}}`)
	}
	b.WriteString(`]}`)
	type result struct {
		code int
		err  error
	}
	res := make(chan result, 1)
	body := &signalReader{r: strings.NewReader(b.String()), reading: make(chan struct{})}
	go func() {
		resp, err := adminClient(t, dir).Post(base, "application/fhir+json", body)
		if err != nil {
			res <- result{0, err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		res <- result{resp.StatusCode, nil}
	}()
	<-body.reading // the connection is up and the body is being sent
	// The server accepts connections in order: once a request on a newer
	// connection is answered, the transaction's connection is accepted.
	// (A connection still in the kernel's accept queue when the listener
	// closes is reset; no server can finish what it has not accepted.)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if code := getJSON(t, fresh, strings.TrimSuffix(base, "/fhir")+"/healthz", nil); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	r := <-res
	if r.err != nil || r.code != 200 {
		t.Fatalf("in-flight transaction during shutdown: %d %v", r.code, r.err)
	}
}

func TestServeRefusesLockedDataDirectory(t *testing.T) {
	dir := t.TempDir()
	startServe(t, nil, "-data", dir, "-no-samples")
	c, _, _ := newCLI(nil)
	start := time.Now()
	err := c.run(context.Background(), []string{"import", "-quiet", "-data", dir, filepath.Join(repoRoot(t), "testdata", "bundles", "00-organization-practitioners.json")})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("import while a server holds the data: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "is a smartd server running") {
		t.Errorf("the message does not say why: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to refuse", d)
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	base, _ := startServe(t, map[string]string{"SMARTD_DATA": dir, "SMARTD_BASE_URL": "http://fhir.example.test:9999", "SMARTD_NO_SAMPLES": "true"})
	if base != "http://fhir.example.test:9999/fhir" {
		t.Errorf("base = %q, want the one from SMARTD_BASE_URL", base)
	}
	if _, err := os.Stat(filepath.Join(dir, server.StoreFile)); err != nil {
		t.Errorf("SMARTD_DATA not used: %v", err)
	}
	// A flag given on the command line wins over the environment.
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	err := parse(fs, []string{"-addr", "127.0.0.1:1"}, func(k string) string {
		return map[string]string{"SMARTD_ADDR": "127.0.0.1:2", "SMARTD_DATA": "envdir"}[k]
	})
	if err != nil || d.addr != "127.0.0.1:1" || d.data != "envdir" {
		t.Errorf("parse: %v addr=%q data=%q", err, d.addr, d.data)
	}
	if err := parse(flag.NewFlagSet("y", flag.ContinueOnError), nil, func(string) string { return "" }); err != nil {
		t.Error(err)
	}
	bad := flag.NewFlagSet("z", flag.ContinueOnError)
	bad.Int64("max-body-mb", 1, "")
	if err := parse(bad, nil, func(k string) string { return map[string]string{"SMARTD_MAX_BODY_MB": "lots"}[k] }); err == nil || !strings.Contains(err.Error(), "SMARTD_MAX_BODY_MB") {
		t.Errorf("a bad environment value: %v", err)
	}
}

func TestHelpListsCommandsAndFlags(t *testing.T) {
	c, _, errOut := newCLI(nil)
	if err := c.run(context.Background(), []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, want := range []string{"serve", "import", "-addr", "-data", "-base-url", "-tls-cert", "-tls-key", "SMARTD_"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, errOut.String())
		}
	}
	if err := c.run(context.Background(), []string{"frobnicate"}); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	base, _ := startServe(t, nil, "-data", dir, "-no-samples", "-tls-cert", cert, "-tls-key", key)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("base = %q, want https", base)
	}
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(cert)
	pool.AppendCertsFromPEM(pem)
	client := func(maxVersion uint16) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: maxVersion}}}
	}
	if code := getJSON(t, client(0), base+"/metadata", nil); code != 200 {
		t.Errorf("metadata over TLS: %d", code)
	}
	if _, err := client(tls.VersionTLS11).Get(base + "/metadata"); err == nil {
		t.Error("a TLS 1.1 client was served; the minimum is TLS 1.2")
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smartd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = filepath.Dir(dir)
	}
}

// signalReader closes reading once the body is being read past its first
// chunk, i.e. the server has the request.
type signalReader struct {
	r       io.Reader
	n       int
	reading chan struct{}
}

func (s *signalReader) Read(p []byte) (int, error) {
	if s.n++; s.n == 2 {
		close(s.reading)
	}
	return s.r.Read(p)
}

// adminClient sends the admin token of the server on dir as its bearer
// token: the FHIR API's trusted path.
func adminClient(t *testing.T, dir string) *http.Client {
	c := &http.Client{Transport: http.DefaultTransport}
	withBearer(c, adminTokenOf(t, dir))
	return c
}

// adminTokenOf reads the admin token of the server on dir.
func adminTokenOf(t *testing.T, dir string) string {
	t.Helper()
	token, err := benchToken("@" + filepath.Join(dir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	return token
}
