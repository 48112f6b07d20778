package clientauth

import (
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	bolt "go.etcd.io/bbolt"

	"smartd/authz/oauth"
)

// backendEnv is an env with inline backend clients "backend" and
// "backend2" holding key "ec1" (ES384) and "rsa1" (RS384).
func backendEnv(t testing.TB) *env {
	t.Helper()
	k := keys()
	e := newEnv(t, Options{})
	set := jwksOf(t, publicJWK(t, k.rsa, "rsa1", "RS384"), publicJWK(t, k.ec384, "ec1", "ES384"))
	e.register(backendApp("backend", set, ""))
	e.register(backendApp("backend2", set, ""))
	return e
}

func (e *env) rs384(t testing.TB, c jwt.MapClaims) string {
	return sign(t, "RS384", keys().rsa, "rsa1", c, nil)
}

// bucketLen counts the records in the replay bucket.
func bucketLen(t testing.TB, db *bolt.DB) int {
	t.Helper()
	n := 0
	if err := db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketJTI).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func memoryLen(r *replayCache) int {
	n := 0
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		n += len(s.seen)
		s.mu.Unlock()
	}
	return n
}

func (r *replayCache) flushCount() int {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	return r.flushes
}

func TestReplayRefusedAfterRestart(t *testing.T) {
	e := backendEnv(t)
	a := e.rs384(t, e.claims("backend"))
	if _, err := e.authenticate(assertionForm(a), nil, tokenAud); err != nil {
		t.Fatal(err)
	}
	e.restart()
	_, err := e.authenticate(assertionForm(a), nil, tokenAud)
	checkOAuth(t, err, 401, oauth.InvalidClient, "was already used")
	// A new jti is still fine, and the same jti from another client too.
	if _, err := e.authenticate(assertionForm(e.rs384(t, e.claims("backend"))), nil, tokenAud); err != nil {
		t.Fatal(err)
	}
	c := e.claims("backend2")
	c["jti"] = mustClaims(t, a)["jti"]
	if _, err := e.authenticate(assertionForm(e.rs384(t, c)), nil, tokenAud); err != nil {
		t.Errorf("the same jti from another client: %v", err)
	}
}

func mustClaims(t testing.TB, s string) jwt.MapClaims {
	c := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(s, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReplayConcurrent(t *testing.T) {
	e := backendEnv(t)
	for _, alg := range []string{"RS384", "ES384"} {
		t.Run(alg, func(t *testing.T) {
			var a string
			if alg == "RS384" {
				a = e.rs384(t, e.claims("backend"))
			} else {
				a = sign(t, "ES384", keys().ec384, "ec1", e.claims("backend"), nil)
			}
			var wg sync.WaitGroup
			errs := make([]error, 20)
			start := make(chan struct{})
			for i := range errs {
				wg.Go(func() {
					<-start
					_, errs[i] = e.authenticate(assertionForm(a), nil, tokenAud)
				})
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					checkOAuth(t, err, 401, oauth.InvalidClient, "was already used")
				}
			}
			if ok != 1 {
				t.Errorf("%d of 20 requests with one jti succeeded, want exactly 1", ok)
			}
		})
	}
}

func TestReplayEviction(t *testing.T) {
	e := backendEnv(t)
	r := e.auth.replay
	r.flush(e.clock.Now(), true)
	now := e.clock.Now()
	// Ten assertions expiring in 300 s, two in 60 s.
	for i := range 12 {
		c := e.claims("backend")
		if i >= 10 {
			c["exp"] = now.Add(time.Minute).Unix()
		}
		if _, err := e.authenticate(assertionForm(e.rs384(t, c)), nil, tokenAud); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.flush(e.clock.Now(), false); err != nil {
		t.Fatal(err)
	}
	if m, b := memoryLen(r), bucketLen(t, e.db); m != 12 || b != 12 {
		t.Fatalf("records = %d in memory, %d stored; want 12, 12", m, b)
	}
	// Past exp + leeway of the short ones: only they go.
	e.clock.Advance(time.Minute + defaultLeeway + 2*time.Second)
	if err := r.flush(e.clock.Now(), true); err != nil {
		t.Fatal(err)
	}
	if m, b := memoryLen(r), bucketLen(t, e.db); m != 10 || b != 10 {
		t.Errorf("after 2 min: records = %d in memory, %d stored; want 10, 10", m, b)
	}
	// A restart loads only what is in force.
	e.clock.Advance(4 * time.Minute)
	e.restart()
	r = e.auth.replay
	if m := memoryLen(r); m != 0 {
		t.Errorf("after 6 min and a restart: %d records loaded, want 0", m)
	}
	if err := r.flush(e.clock.Now(), false); err != nil { // the first flush sweeps
		t.Fatal(err)
	}
	if b := bucketLen(t, e.db); b != 0 {
		t.Errorf("after 6 min: %d records stored, want 0", b)
	}
}

// TestReplayReuseAfterExpiry: once an assertion has expired its jti may
// come back on a new assertion (RFC 7523 §3 asks uniqueness only while
// the JWT is valid).
func TestReplayReuseAfterExpiry(t *testing.T) {
	e := backendEnv(t)
	c := e.claims("backend")
	jti := c["jti"]
	if _, err := e.authenticate(assertionForm(e.rs384(t, c)), nil, tokenAud); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(maxAssertionLifetime + defaultLeeway + 2*time.Second)
	c = e.claims("backend")
	c["jti"] = jti
	if _, err := e.authenticate(assertionForm(e.rs384(t, c)), nil, tokenAud); err != nil {
		t.Errorf("jti reused after expiry: %v", err)
	}
	_, err := e.authenticate(assertionForm(e.rs384(t, c)), nil, tokenAud)
	checkOAuth(t, err, 401, oauth.InvalidClient, "was already used")
}

// TestReplayWriteBehind: accepting assertions does not write to the file
// per token; one flush writes them all in one transaction.
func TestReplayWriteBehind(t *testing.T) {
	e := backendEnv(t)
	r := e.auth.replay
	r.flush(e.clock.Now(), true)
	before := r.flushCount()
	const n = 50
	for range n {
		if _, err := e.authenticate(assertionForm(e.rs384(t, e.claims("backend"))), nil, tokenAud); err != nil {
			t.Fatal(err)
		}
	}
	during := r.flushCount() - before
	if during > 1 { // the 1 s ticker may fire once meanwhile
		t.Errorf("%d write transactions for %d tokens, want at most 1", during, n)
	}
	if err := r.flush(e.clock.Now(), false); err != nil {
		t.Fatal(err)
	}
	if got := r.flushCount() - before; got > 2 {
		t.Errorf("%d write transactions for %d tokens, want at most 2", got, n)
	}
	if b := bucketLen(t, e.db); b != n {
		t.Errorf("%d records stored, want %d", b, n)
	}
}

func TestAuthenticateAfterClose(t *testing.T) {
	e := backendEnv(t)
	auth := e.auth
	if err := auth.Close(); err != nil {
		t.Fatal(err)
	}
	if err := auth.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err := auth.Authenticate(t.Context(), assertionForm(e.rs384(t, e.claims("backend"))), nil, tokenAud)
	checkOAuth(t, err, 500, oauth.ServerError, "internal error")
}
