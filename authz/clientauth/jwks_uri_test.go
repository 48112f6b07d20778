package clientauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"smartd/authz/oauth"
)

// remoteEnv is an env with one backend client "remote" whose jwks_uri is
// served by srv with key "k1" (RS384).
func remoteEnv(t *testing.T, opts Options) (*env, *jwksServer) {
	t.Helper()
	opts.AllowPrivateJWKSURI = true
	e := newEnv(t, opts)
	srv := newJWKSServer(t, jwksOf(t, publicJWK(t, keys().rsa, "k1", "RS384")))
	e.register(backendApp("remote", nil, srv.url()))
	return e, srv
}

// try authenticates "remote" with an RS384 assertion under kid.
func (e *env) try(t *testing.T, key any, alg, kid string) error {
	t.Helper()
	_, err := e.authenticate(assertionForm(sign(t, alg, key, kid, e.claims("remote"), nil)), nil, tokenAud)
	return err
}

func TestJWKSURIKeyRotation(t *testing.T) {
	k := keys()
	e, srv := remoteEnv(t, Options{})
	if err := e.try(t, k.rsa, "RS384", "k1"); err != nil {
		t.Fatal(err)
	}
	// The client rotates to a new kid; the cached set (5 min) lacks it.
	srv.set(jwksOf(t, publicJWK(t, k.ec384, "k2", "ES384")), "")
	e.clock.Advance(time.Minute)
	if err := e.try(t, k.ec384, "ES384", "k2"); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if err := e.try(t, k.ec384, "ES384", "k2"); err != nil {
		t.Fatal(err)
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2 (one refetch for the new kid)", n)
	}
	// The old key is gone from the refetched set.
	err := e.try(t, k.rsa, "RS384", "k1")
	checkOAuth(t, err, 401, oauth.InvalidClient, `no key with kid "k1" for alg RS384 in the client's JWKS (keys: "k2" ES384); the jwks_uri was refetched for an unknown kid 0 s ago`)
}

func TestJWKSURICacheControl(t *testing.T) {
	k := keys()
	for _, tc := range []struct {
		cacheControl string
		step         time.Duration
		requests     int
		fetches      int64
	}{
		{"max-age=0", time.Second, 5, 5},
		{"no-store", time.Second, 4, 4},
		{"no-cache", time.Second, 4, 4},
		{"max-age=3600", time.Minute, 20, 1},
		{"public, max-age=60", 15 * time.Second, 8, 2}, // 0..105 s: fetched at 0 and 60
		{"", time.Minute, 11, 3},                       // default 5 min: fetched at 0, 5 and 10 min
		{"max-age=86400", 20 * time.Minute, 5, 2},      // capped at 1 h: fetched at 0 and 60 min
	} {
		t.Run(tc.cacheControl, func(t *testing.T) {
			e, srv := remoteEnv(t, Options{})
			srv.set(nil, tc.cacheControl)
			for i := range tc.requests {
				if err := e.try(t, k.rsa, "RS384", "k1"); err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				e.clock.Advance(tc.step)
			}
			if n := srv.fetches.Load(); n != tc.fetches {
				t.Errorf("fetches = %d, want %d", n, tc.fetches)
			}
		})
	}
}

// TestJWKSURIUnknownKidStorm: a client spraying unknown kids gets at most
// one refetch per 10 s.
func TestJWKSURIUnknownKidStorm(t *testing.T) {
	k := keys()
	e, srv := remoteEnv(t, Options{})
	if err := e.try(t, k.rsa, "RS384", "k1"); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		err := e.try(t, k.rsa, "RS384", "spray-"+string(rune('a'+i%26)))
		checkOAuth(t, err, 401, oauth.InvalidClient, "no key with kid")
		e.clock.Advance(100 * time.Millisecond) // 5 s in all
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2 (the first, and one refetch)", n)
	}
	e.clock.Advance(6 * time.Second)
	for range 10 {
		e.try(t, k.rsa, "RS384", "spray")
	}
	if n := srv.fetches.Load(); n != 3 {
		t.Errorf("fetches after 11 s = %d, want 3", n)
	}
	// The known key still works throughout.
	if err := e.try(t, k.rsa, "RS384", "k1"); err != nil {
		t.Fatal(err)
	}
}

// TestJWKSURIConcurrentFetch: requests arriving together share one fetch.
func TestJWKSURIConcurrentFetch(t *testing.T) {
	k := keys()
	e, srv := remoteEnv(t, Options{})
	srv.setDelay(100 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		a := sign(t, "RS384", k.rsa, "k1", e.claims("remote"), nil)
		wg.Go(func() {
			_, errs[i] = e.authenticate(assertionForm(a), nil, tokenAud)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Errorf("fetches = %d, want 1", n)
	}
}

func TestJWKSURISlowServer(t *testing.T) {
	k := keys()
	const timeout = 300 * time.Millisecond
	e, srv := remoteEnv(t, Options{FetchTimeout: timeout})
	srv.setDelay(5 * time.Second)
	start := time.Now()
	err := e.try(t, k.rsa, "RS384", "k1")
	elapsed := time.Since(start)
	checkOAuth(t, err, 401, oauth.InvalidClient, `fetching jwks_uri "`+srv.url()+`" did not finish within 300ms`)
	if elapsed > timeout+200*time.Millisecond {
		t.Errorf("failed after %v, want about %v", elapsed, timeout)
	}
	// Within the backoff the failure is repeated without a fetch.
	srv.setDelay(0)
	start = time.Now()
	err = e.try(t, k.rsa, "RS384", "k1")
	checkOAuth(t, err, 401, oauth.InvalidClient, "did not finish within 300ms (0 s ago; the next attempt is allowed in 5 s)")
	if time.Since(start) > 100*time.Millisecond {
		t.Error("a request in the backoff waited")
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Errorf("fetches = %d, want 1", n)
	}
	e.clock.Advance(failureBackoff)
	if err := e.try(t, k.rsa, "RS384", "k1"); err != nil {
		t.Fatalf("after the backoff: %v", err)
	}
}

// TestJWKSURIRequestContext: a request whose context ends stops waiting.
func TestJWKSURIRequestContext(t *testing.T) {
	k := keys()
	e, srv := remoteEnv(t, Options{FetchTimeout: 2 * time.Second})
	srv.setDelay(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.auth.Authenticate(ctx, assertionForm(sign(t, "RS384", k.rsa, "k1", e.claims("remote"), nil)), nil, tokenAud)
	checkOAuth(t, err, 401, oauth.InvalidClient, "the request ended while waiting for jwks_uri")
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("waited %v after the context ended", d)
	}
}

func TestJWKSURIBadResponses(t *testing.T) {
	k := keys()
	private := publicJWK(t, k.rsa, "k1", "RS384")
	private["d"] = "AQAB"
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		desc    string
	}{
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "answered HTTP 404; it must answer 200 with a JWKS"},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"keys":[],"pad":"` + strings.Repeat("x", maxJWKSBody) + `"}`))
		}, "is larger than 64 KiB"},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }, `is not valid: the JWKS is not a JSON object`},
		{"empty set", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"keys":[]}`)) }, "the JWKS holds no keys"},
		{"private key", func(w http.ResponseWriter, r *http.Request) { w.Write(jwksOf(t, private)) }, `key "k1": holds private key material ("d")`},
		{"key without kid", func(w http.ResponseWriter, r *http.Request) { w.Write(jwksOf(t, publicJWK(t, k.rsa, "", ""))) }, `has no "kid"`},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) }, "more than 3 redirects"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Options{AllowPrivateJWKSURI: true})
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			e.register(backendApp("remote", nil, srv.URL+"/jwks"))
			checkOAuth(t, e.try(t, k.rsa, "RS384", "k1"), 401, oauth.InvalidClient, tc.desc)
		})
	}
}

// TestJWKSURIPrivateAddressRefused: without AllowPrivateJWKSURI a jwks_uri
// on 127.0.0.1, or on a name that resolves to it, is refused when dialled.
func TestJWKSURIPrivateAddressRefused(t *testing.T) {
	k := keys()
	var fetches int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches++
		w.Write(jwksOf(t, publicJWK(t, k.rsa, "k1", "RS384")))
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndex(port, ":"):]
	e := newEnv(t, Options{}) // the registry allows the URI; the Authenticator does not
	e.register(backendApp("remote", nil, srv.URL+"/jwks"))
	checkOAuth(t, e.try(t, k.rsa, "RS384", "k1"), 401, oauth.InvalidClient,
		`jwks_uri "`+srv.URL+`/jwks": the host resolves to a loopback address; smartd fetches client keys only from public addresses`)

	e.register(backendApp("by-name", nil, "https://localhost"+port+"/jwks"))
	_, err := e.authenticate(assertionForm(sign(t, "RS384", k.rsa, "k1", e.claims("by-name"), nil)), nil, tokenAud)
	checkOAuth(t, err, 401, oauth.InvalidClient, "a loopback address")

	e.register(backendApp("plain-http", nil, "http://127.0.0.1"+port+"/jwks"))
	_, err = e.authenticate(assertionForm(sign(t, "RS384", k.rsa, "k1", e.claims("plain-http"), nil)), nil, tokenAud)
	checkOAuth(t, err, 401, oauth.InvalidClient, "does not use https")
	if fetches != 0 {
		t.Errorf("the server was reached %d times", fetches)
	}
}

func TestAddrKind(t *testing.T) {
	for _, tc := range []struct{ addr, kind string }{
		{"8.8.8.8", ""},
		{"2606:4700:4700::1111", ""},
		{"127.0.0.1", "a loopback address"},
		{"::1", "a loopback address"},
		{"::ffff:127.0.0.1", "a loopback address"},
		{"10.1.2.3", "a private address"},
		{"172.16.0.1", "a private address"},
		{"192.168.1.1", "a private address"},
		{"fd00::1", "a private address"},
		{"169.254.169.254", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"100.100.100.200", "a shared (carrier-grade NAT) address"},
		{"224.0.0.1", "a multicast address"},
		{"ff02::1", "a multicast address"},
		{"0.0.0.0", "the unspecified address"},
		{"::", "the unspecified address"},
		{"0.1.2.3", "a reserved address"},
		{"255.255.255.255", "a reserved address"},
		{"198.18.0.1", "a reserved address"},
		{"192.0.2.1", "a reserved address"},
		{"64:ff9b::10.0.0.1", "a NAT64 address of a private address"},
		{"64:ff9b::8.8.8.8", ""},
		{"2002:7f00:1::", "a 6to4 address of a loopback address"},
		{"::127.0.0.1", "a reserved address"},      // IPv4-compatible (RFC 4291 §2.5.5.1)
		{"64:ff9b:1::a00:1", "a reserved address"}, // local-use NAT64 (RFC 8215)
	} {
		if got := addrKind(netip.MustParseAddr(tc.addr)); got != tc.kind {
			t.Errorf("addrKind(%s) = %q, want %q", tc.addr, got, tc.kind)
		}
	}
}

func TestFreshness(t *testing.T) {
	now := t0
	date := now.Format(http.TimeFormat)
	for _, tc := range []struct {
		header http.Header
		want   time.Duration
	}{
		{http.Header{}, 5 * time.Minute},
		{http.Header{"Cache-Control": {"max-age=120"}}, 2 * time.Minute},
		{http.Header{"Cache-Control": {`max-age="120"`}}, 2 * time.Minute},
		{http.Header{"Cache-Control": {"public", "MAX-AGE=600"}}, 10 * time.Minute},
		{http.Header{"Cache-Control": {"max-age=120"}, "Age": {"100"}}, 20 * time.Second},
		{http.Header{"Cache-Control": {"max-age=120"}, "Age": {"500"}}, 0},
		{http.Header{"Cache-Control": {"max-age=0"}}, 0},
		{http.Header{"Cache-Control": {"max-age=600, no-cache"}}, 0},
		{http.Header{"Cache-Control": {"no-store"}}, 0},
		{http.Header{"Cache-Control": {"max-age=soon"}}, 0},
		{http.Header{"Cache-Control": {"max-age=-1"}}, 0},
		{http.Header{"Cache-Control": {"max-age=99999999999999999999"}}, 0},
		{http.Header{"Cache-Control": {"max-age=7200"}}, time.Hour},
		{http.Header{"Expires": {now.Add(10 * time.Minute).Format(http.TimeFormat)}, "Date": {date}}, 10 * time.Minute},
		{http.Header{"Expires": {now.Add(10 * time.Minute).Format(http.TimeFormat)}}, 10 * time.Minute},
		{http.Header{"Expires": {"0"}}, 0},
		{http.Header{"Expires": {now.Add(-time.Minute).Format(http.TimeFormat)}, "Date": {date}}, 0},
		{http.Header{"Expires": {now.Add(10 * time.Minute).Format(http.TimeFormat)}, "Cache-Control": {"max-age=60"}}, time.Minute},
	} {
		if got := freshness(tc.header, now); got != tc.want {
			t.Errorf("freshness(%v) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
