package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
)

// tokenBenchConfig is one load run on the token endpoint.
type tokenBenchConfig struct {
	tokenURL    string // from the SMART configuration, loopback
	concurrency int
	duration    time.Duration
	timeout     time.Duration
	command     string
}

// benchToken is `smartd bench-token`: SMART Backend Services token
// requests (client_credentials with a private_key_jwt assertion, RFC 7523)
// against a running smartd on this machine. Every assertion is signed
// before the run with a fresh jti, so the run measures the server, not
// the client's signing.
func (cl *cli) benchToken(ctx context.Context, args []string) error {
	fs := newFlagSet("bench-token", "smartd bench-token [flags]", cl.stderr)
	rawURL := fs.String("url", "http://127.0.0.1:8080/fhir", "server root or FHIR base `URL` of a running smartd, loopback only; the token endpoint is read from <FHIR base>/.well-known/smart-configuration (env SMARTD_URL)")
	alg := fs.String("alg", "RS384", "assertion `alg`: RS384 (RSA 2048) or ES384 (P-384) (env SMARTD_ALG)")
	conc := fs.Int("c", 8, "`concurrency`: token requests in flight at once (env SMARTD_C)")
	dur := fs.Duration("d", 10*time.Second, "`duration` of the run, at most 10m; the run also stops when the pool is used up (env SMARTD_D)")
	pool := fs.Int("n", 0, "pool `size`: assertions signed before the run, one per request; 0: -d times -rate (env SMARTD_N)")
	rate := fs.Int("rate", 0, "expected `tokens/s`, to size the pool when -n is 0; 0: 15000 for RS384, 5000 for ES384 (env SMARTD_RATE)")
	timeout := fs.Duration("timeout", 10*time.Second, "per-request `timeout` (env SMARTD_TIMEOUT)")
	scope := fs.String("scope", "system/*.rs", "the `scopes` to ask for (and to register with -register) (env SMARTD_SCOPE)")
	clientID := fs.String("client-id", "", "a registered private_key_jwt `client_id`, e.g. demo-backend (with -key) (env SMARTD_CLIENT_ID)")
	keyFile := fs.String("key", "", "the client's private key `file` (PEM: PKCS #8, SEC 1 or PKCS #1), e.g. <data>/demo-backend-key.pem (env SMARTD_KEY)")
	kid := fs.String("kid", "", "the registered key's `kid`; default its RFC 7638 thumbprint (env SMARTD_KID)")
	register := fs.Bool("register", false, "register a throwaway client with a fresh key through the open registration endpoint, instead of -client-id and -key (env SMARTD_REGISTER)")
	if err := parse(fs, args, cl.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench-token takes no arguments, got %q", fs.Args())
	}
	base, err := loopbackBase(*rawURL)
	if err != nil {
		return err
	}
	method, ok := tokenBenchAlgs[*alg]
	if !ok {
		return fmt.Errorf("-alg %q: want RS384 or ES384", *alg)
	}
	switch {
	case *register && (*clientID != "" || *keyFile != ""):
		return errors.New("give either -register or -client-id with -key, not both")
	case !*register && (*clientID == "" || *keyFile == ""):
		return errors.New("give -client-id and -key (a registered client and its private key), or -register")
	case *pool < 0 || *rate < 0:
		return errors.New("-n and -rate must not be negative")
	}
	check := benchConfig{base: base, concurrency: *conc, duration: *dur, timeout: *timeout}
	if err := check.check(); err != nil {
		return err
	}
	size := *pool
	if size == 0 {
		r := *rate
		if r == 0 {
			r = method.defaultRate
		}
		size = int(math.Ceil(dur.Seconds() * float64(r)))
	}
	if size > maxTokenPool {
		return fmt.Errorf("a pool of %d assertions is more than %d; give a smaller -n, -rate or -d", size, maxTokenPool)
	}

	client := benchClient(*conc, *timeout)
	defer client.CloseIdleConnections()
	ep, err := discoverTokenEndpoints(ctx, client, base)
	if err != nil {
		return err
	}
	var signer *assertionSigner
	if *register {
		signer, err = registerBenchClient(ctx, client, ep.Registration, method, *scope)
	} else {
		signer, err = loadAssertionSigner(*keyFile, *clientID, *kid, method)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(cl.stderr, "signing %d %s assertions for client %s...\n", size, method.alg, signer.clientID)
	start := time.Now()
	bodies, err := signer.pool(ctx, ep.Token, *scope, size)
	if err != nil {
		return err
	}
	fmt.Fprintf(cl.stderr, "signed in %.1f s; posting to %s\n", time.Since(start).Seconds(), ep.Token)
	cfg := tokenBenchConfig{tokenURL: ep.Token, concurrency: *conc, duration: *dur, timeout: *timeout,
		command: commandLine(append([]string{"smartd", "bench-token"}, args...))}
	res := runTokenLoad(ctx, client, cfg, bodies)
	writeTokens(cl.stdout, res, cfg, signer.clientID, method.alg, len(bodies))
	return nil
}

// maxTokenPool bounds the pool: each assertion is about 1 KiB in memory.
const maxTokenPool = 2_000_000

// runTokenLoad posts the bodies, each once, over keep-alive connections
// until the duration passes, the pool is used up, or ctx is done (see
// runWorkers).
func runTokenLoad(ctx context.Context, client *http.Client, cfg tokenBenchConfig, bodies []string) benchResult {
	return runWorkers(ctx, client, cfg.concurrency, cfg.duration, len(bodies), func(ctx context.Context, i int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.tokenURL, strings.NewReader(bodies[i]))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "application/json")
		}
		return req, err
	})
}

// writeTokens prints the figures and the command that produced them.
func writeTokens(w io.Writer, r benchResult, cfg tokenBenchConfig, clientID, alg string, pool int) {
	secs := max(r.elapsed.Seconds(), 1e-9)
	ok := r.status[http.StatusOK]
	fmt.Fprintf(w, "command:     %s\n", cfg.command)
	fmt.Fprintf(w, "target:      %s, client %s, %s, concurrency %d, duration bound %v, pool %d\n",
		cfg.tokenURL, clientID, alg, cfg.concurrency, cfg.duration, pool)
	fmt.Fprintf(w, "tokens:      %d in %.2f s: %.0f tokens/s (%d requests)\n", ok, secs, float64(ok)/secs, r.requests())
	r.writeStats(w)
	if r.limited {
		fmt.Fprintf(w, "note:        the pool of %d assertions was used up after %.2f s, before the duration bound; the rate is over that time (a larger -n or -rate runs longer)\n", pool, secs)
	}
}
