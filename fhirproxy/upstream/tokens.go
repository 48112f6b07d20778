package upstream

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// renewAfter is the share of a token's lifetime after which it is
// renewed: early enough that a request in flight does not meet its end.
const renewAfter = 0.8

// retryRenewal is how long a token whose renewal failed is used before
// the renewal is tried again.
const retryRenewal = 10 * time.Second

// tokens holds smartd's access token at the upstream: a static one, or a
// backend services token that is fetched on first use, shared, and
// renewed after renewAfter of its lifetime or when the upstream refuses
// it. One fetch runs at a time; requests that need a token meanwhile wait
// for its result instead of stampeding the token endpoint.
type tokens struct {
	creds    Credentials
	upstream string
	hc       *http.Client
	now      func() time.Time
	log      *slog.Logger

	mu       sync.Mutex
	tokenURL string // discovered once, when creds.TokenURL is ""
	current  string
	renewAt  time.Time
	expires  time.Time
	inflight *fetch
}

// fetch is one token request in flight; done is closed when token and
// err are set.
type fetch struct {
	done  chan struct{}
	token string
	err   error
}

func newTokens(c Credentials, upstream string, hc *http.Client, now func() time.Time, log *slog.Logger) (*tokens, error) {
	c, err := c.complete()
	if err != nil {
		return nil, err
	}
	return &tokens{creds: c, upstream: upstream, hc: hc, now: now, log: log, tokenURL: c.TokenURL}, nil
}

// renewable reports whether a refused token can be replaced.
func (t *tokens) renewable() bool { return t.creds.backend() }

// get returns the token to send ("" for none). stale, when set, is a
// token the upstream refused: it is not returned again, and the first
// caller to report it fetches a new one.
func (t *tokens) get(ctx context.Context, stale string) (string, error) {
	if !t.creds.backend() {
		return t.creds.Bearer, nil
	}
	t.mu.Lock()
	if t.current != "" && t.current != stale && t.now().Before(t.renewAt) {
		tok := t.current
		t.mu.Unlock()
		return tok, nil
	}
	f := t.inflight
	if f == nil {
		f = &fetch{done: make(chan struct{})}
		t.inflight = f
		go t.run(f, stale)
	}
	t.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// run fetches a token for f. It runs apart from the request that started
// it, so that the request's cancellation does not fail those waiting
// with it. A failed renewal falls back on the current token while it is
// still valid and was not refused.
func (t *tokens) run(f *fetch, stale string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := t.now()
	tok, lifetime, err := t.request(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err == nil:
		t.current = tok
		t.expires = start.Add(lifetime)
		t.renewAt = start.Add(time.Duration(float64(lifetime) * renewAfter))
		f.token = tok
	case t.current != "" && t.current != stale && t.now().Before(t.expires):
		t.log.Warn("renewing the upstream access token failed; using the current one until it expires", "err", err)
		if t.renewAt = t.now().Add(retryRenewal); t.renewAt.After(t.expires) {
			t.renewAt = t.expires
		}
		f.token = t.current
	default:
		f.err = err
	}
	t.inflight = nil
	close(f.done)
}
