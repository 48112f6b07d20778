package upstream_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"smartd/fhirproxy/upstream"
)

// TestBackendToken: the backend services token is fetched once for
// concurrent first requests, reused, renewed after 80% of its lifetime,
// and renewed once when the upstream refuses it.
func TestBackendToken(t *testing.T) {
	clk := &clock{}
	up := newUpstream(t, clk)
	f := newFront(t, up, upstream.Options{Auth: up.backend(), Now: clk.now})
	tok := f.patientToken(patientA, "launch/patient patient/*.rs")
	read := func() {
		if r := f.get(tok, "/Patient/"+patientA); r.status != http.StatusOK {
			t.Errorf("read: %d %s", r.status, r.raw)
		}
	}
	wantCalls := func(step string, want int64) {
		t.Helper()
		if got := up.tokenCalls.Load(); got != want {
			t.Errorf("%s: %d token requests, want %d", step, got, want)
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(read)
	}
	wg.Wait()
	wantCalls("8 concurrent first requests", 1)
	for range 5 {
		read()
	}
	wantCalls("5 more", 1)
	clk.advance(3 * time.Minute) // of the 5-minute lifetime
	read()
	wantCalls("after 3 minutes", 1)
	clk.advance(70 * time.Second) // past 80% of it
	read()
	read()
	wantCalls("after 4m10s", 2)
	up.refuseNext.Store(true)
	read()
	wantCalls("after a 401", 3)
	if up.refuseNext.Load() {
		t.Error("the upstream was not asked")
	}
}

// TestCredentials: each kind of credentials reaches the upstream, and
// credentials the upstream refuses, or an upstream that cannot be
// reached, are a 502 for the client, whose own token was fine.
func TestCredentials(t *testing.T) {
	up := newUpstream(t, nil)
	explicit := up.backend()
	explicit.TokenURL = up.url + "/auth/token"
	stranger := up.backend()
	stranger.ClientID = "no-such-client"
	down := httptestClosedURL(t)
	for _, tc := range []struct {
		name   string
		opts   upstream.Options
		status int
		calls  int64 // token requests at the upstream
	}{
		{"backend services, discovered token endpoint", upstream.Options{Auth: up.backend()}, http.StatusOK, 1},
		{"backend services, configured token endpoint", upstream.Options{Auth: explicit}, http.StatusOK, 1},
		{"static bearer", upstream.Options{Auth: upstream.Credentials{Bearer: upAdmin}}, http.StatusOK, 0},
		{"wrong static bearer", upstream.Options{Auth: upstream.Credentials{Bearer: "wrong"}}, http.StatusBadGateway, 0},
		{"no credentials", upstream.Options{}, http.StatusBadGateway, 0},
		{"unknown backend client", upstream.Options{Auth: stranger}, http.StatusBadGateway, 1},
		{"upstream down", upstream.Options{Upstream: down, Auth: upstream.Credentials{Bearer: upAdmin}}, http.StatusBadGateway, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFront(t, up, tc.opts)
			tok := f.patientToken(patientA, "launch/patient patient/*.rs")
			before := up.tokenCalls.Load()
			r := f.get(tok, "/Patient/"+patientA)
			if r.status != tc.status {
				t.Fatalf("got %d %s, want %d", r.status, r.raw, tc.status)
			}
			if code, _ := r.issue(); tc.status == http.StatusBadGateway && code != "transient" {
				t.Errorf("got %s, want a transient OperationOutcome", r.raw)
			}
			if r.header.Get("WWW-Authenticate") != "" {
				t.Errorf("WWW-Authenticate %q: the client's token was fine", r.header.Get("WWW-Authenticate"))
			}
			if n := up.tokenCalls.Load() - before; n != tc.calls {
				t.Errorf("%d token requests, want %d", n, tc.calls)
			}
		})
	}
}
