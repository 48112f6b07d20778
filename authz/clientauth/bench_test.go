package clientauth

import (
	"sync"
	"sync/atomic"
	"testing"
)

// benchPool is a set of pre-signed assertions with their replay digests.
type benchPool struct {
	assertions []string
	digests    []jtiDigest
}

// benchPoolSize assertions per goroutine: after using them all, a
// goroutine forgets their jtis and goes round again, so every
// Authenticate sees a jti it has not recorded without signing in the
// timed loop.
const benchPoolSize = 256

// benchPools are signed once per test binary (RSA signing is slow).
var benchPools = sync.OnceValue(func() map[string][]benchPool {
	tb := &testing.B{}
	k := keys()
	e := &env{clock: newClock()}
	out := map[string][]benchPool{}
	for _, alg := range []string{"RS384", "ES384"} {
		key, kid := any(k.rsa), "rsa1"
		if alg == "ES384" {
			key, kid = k.ec384, "ec1"
		}
		for range 4 { // up to 4 goroutines
			var p benchPool
			for range benchPoolSize {
				c := e.claims("backend")
				p.assertions = append(p.assertions, sign(tb, alg, key, kid, c, map[string]any{"typ": "JWT"}))
				p.digests = append(p.digests, digestJTI("backend", c["jti"].(string)))
			}
			out[alg] = append(out[alg], p)
		}
	}
	return out
})

func (r *replayCache) forget(d jtiDigest) {
	s := r.shard(d)
	s.mu.Lock()
	delete(s.seen, d)
	s.mu.Unlock()
}

// benchmarkAuthenticate measures Authenticate on the token endpoint path
// a backend client takes: registry lookup in bbolt, assertion decoding
// and checks, the cached inline JWKS, signature verification and the jti
// check-and-insert, with the write-behind running. ns/op is wall time per
// authentication over GOMAXPROCS goroutines: run with -cpu 1,2.
func benchmarkAuthenticate(b *testing.B, alg string) {
	pools := benchPools()[alg]
	e := backendEnv(b)
	if _, err := e.authenticate(assertionForm(pools[0].assertions[0]), nil, tokenAud); err != nil {
		b.Fatal(err)
	}
	e.auth.replay.forget(pools[0].digests[0])
	var next atomic.Int32
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		p := pools[int(next.Add(1)-1)%len(pools)]
		form := assertionForm("")
		for i := 0; pb.Next(); i++ {
			j := i % benchPoolSize
			if i >= benchPoolSize {
				e.auth.replay.forget(p.digests[j])
			}
			form.Set("client_assertion", p.assertions[j])
			if _, err := e.auth.Authenticate(b.Context(), form, nil, tokenAud); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "auths/s")
}

func BenchmarkAuthenticateRS384(b *testing.B) { benchmarkAuthenticate(b, "RS384") }
func BenchmarkAuthenticateES384(b *testing.B) { benchmarkAuthenticate(b, "ES384") }
