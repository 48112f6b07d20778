package clientauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The jwks_uri cache policy (see the package doc).
const (
	// maxJWKSBody bounds a fetched JWKS, as the registry bounds an inline one.
	maxJWKSBody = 64 << 10
	// kidRefetchInterval: a URL is refetched for an unknown kid at most
	// once per interval, so that a client spraying kids cannot make
	// smartd hammer its server (or someone else's).
	kidRefetchInterval = 10 * time.Second
	// failureBackoff: after a failed fetch, requests that need the URL
	// are refused at once for this long instead of each waiting out
	// another FetchTimeout.
	failureBackoff = 5 * time.Second
	// maxRemoteEntries bounds the number of URLs remembered.
	maxRemoteEntries = 4096
)

// jwksCache fetches clients' jwks_uri documents on demand, one fetch at a
// time per URL, and keeps each for as long as its Cache-Control allows.
type jwksCache struct {
	client       *http.Client
	timeout      time.Duration
	now          func() time.Time
	requireHTTPS bool

	mu      sync.Mutex
	entries map[string]*remoteEntry
	fetches sync.WaitGroup
}

// remoteEntry is what is known of one URL.
type remoteEntry struct {
	set        *keySet   // the last set fetched, nil before the first success
	fetched    time.Time // when set was fetched
	expires    time.Time // set may be used before then
	kidRefetch time.Time // the last fetch started for an unknown kid
	failed     time.Time // the last failure, zero after a success
	failure    string
	call       *fetchCall // the fetch in flight, if any
}

// fetchCall is one fetch, which every request needing the URL meanwhile
// waits for.
type fetchCall struct {
	done chan struct{}
	set  *keySet
	err  error
}

func newJWKSCache(client *http.Client, timeout time.Duration, now func() time.Time, requireHTTPS bool) *jwksCache {
	return &jwksCache{client: client, timeout: timeout, now: now, requireHTTPS: requireHTTPS, entries: map[string]*remoteEntry{}}
}

// get returns the key set at uri, fetching it if the cached one has
// expired or lacks kid. When the returned set lacks kid, note explains
// why it was not refetched; it follows the description of the missing key.
func (c *jwksCache) get(ctx context.Context, uri, kid string) (set *keySet, note string, err error) {
	c.mu.Lock()
	e := c.entry(uri)
	now := c.now()
	fresh := e.set != nil && now.Before(e.expires)
	var call *fetchCall
	switch {
	case fresh && e.set.find(kid) != nil:
		set := e.set
		c.mu.Unlock()
		return set, "", nil
	case e.call != nil:
		call = e.call
	case fresh && now.Sub(e.kidRefetch) < kidRefetchInterval:
		set := e.set
		c.mu.Unlock()
		return set, fmt.Sprintf("; the jwks_uri was refetched for an unknown kid %d s ago, and is refetched for one at most every %d s",
			secs(now.Sub(e.kidRefetch)), secs(kidRefetchInterval)), nil
	case !e.failed.IsZero() && now.Sub(e.failed) < failureBackoff:
		msg := fmt.Sprintf("%s (%d s ago; the next attempt is allowed in %d s)",
			e.failure, secs(now.Sub(e.failed)), secs(failureBackoff-now.Sub(e.failed)))
		c.mu.Unlock()
		return nil, "", errors.New(msg)
	default:
		if fresh {
			e.kidRefetch = now
		}
		call = c.start(uri, e)
	}
	c.mu.Unlock()

	select {
	case <-call.done:
		return call.set, "", call.err
	case <-ctx.Done():
		return nil, "", fmt.Errorf("the request ended while waiting for jwks_uri %s: %w", quote(uri), ctx.Err())
	}
}

// entry returns the entry of uri, creating it; c.mu is held.
func (c *jwksCache) entry(uri string) *remoteEntry {
	if e, ok := c.entries[uri]; ok {
		return e
	}
	if len(c.entries) >= maxRemoteEntries {
		c.evict()
	}
	e := &remoteEntry{}
	c.entries[uri] = e
	return e
}

// evict forgets the URLs that nothing depends on: no fetch in flight, no
// usable set, no rate limit or backoff still running. If that frees
// nothing, it forgets every idle URL. c.mu is held.
func (c *jwksCache) evict() {
	now := c.now()
	for uri, e := range c.entries {
		if e.call == nil && !now.Before(e.expires) && now.Sub(e.kidRefetch) >= kidRefetchInterval &&
			now.Sub(e.failed) >= failureBackoff {
			delete(c.entries, uri)
		}
	}
	if len(c.entries) >= maxRemoteEntries {
		for uri, e := range c.entries {
			if e.call == nil {
				delete(c.entries, uri)
			}
		}
	}
}

// start begins fetching uri in the background; c.mu is held. The fetch
// has its own deadline, so that a waiting request that gives up does not
// cancel it for the others.
func (c *jwksCache) start(uri string, e *remoteEntry) *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	e.call = call
	c.fetches.Add(1)
	go func() {
		defer c.fetches.Done()
		set, life, err := c.fetch(uri)
		c.mu.Lock()
		now := c.now()
		e.call = nil
		if err != nil {
			e.failed, e.failure = now, err.Error()
		} else {
			e.set, e.fetched, e.expires, e.failed, e.failure = set, now, now.Add(life), time.Time{}, ""
		}
		c.mu.Unlock()
		call.set, call.err = set, err
		close(call.done)
	}()
	return call
}

// wait waits for the fetches in flight, each bounded by the fetch timeout.
func (c *jwksCache) wait() { c.fetches.Wait() }

// fetch GETs uri and returns its key set and how long it may be cached.
// SMART (client-confidential-asymmetric): fetch with Accept:
// application/json; do not cache past what Cache-Control allows.
func (c *jwksCache) fetch(uri string) (*keySet, time.Duration, error) {
	if c.requireHTTPS && !strings.HasPrefix(uri, "https://") {
		return nil, 0, fmt.Errorf("jwks_uri %s does not use https", quote(uri))
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("jwks_uri %s is not a valid URL: %v", quote(uri), err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, 0, c.fetchError(ctx, uri, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("jwks_uri %s answered HTTP %d; it must answer 200 with a JWKS", quote(uri), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBody+1))
	if err != nil {
		return nil, 0, c.fetchError(ctx, uri, err)
	}
	if len(body) > maxJWKSBody {
		return nil, 0, fmt.Errorf("the JWKS at jwks_uri %s is larger than %d KiB", quote(uri), maxJWKSBody>>10)
	}
	set, err := parseKeySet(body)
	if err != nil {
		return nil, 0, fmt.Errorf("the JWKS at jwks_uri %s is not valid: %v", quote(uri), err)
	}
	return set, freshness(resp.Header, c.now()), nil
}

// fetchError describes a failed request: a refused address, the timeout,
// or the transport's own words.
func (c *jwksCache) fetchError(ctx context.Context, uri string, err error) error {
	var refused *addrError
	var netErr net.Error
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("jwks_uri %s: %v", quote(uri), refused)
	case ctx.Err() != nil, errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("fetching jwks_uri %s did not finish within %s", quote(uri), c.timeout)
	}
	return fmt.Errorf("fetching jwks_uri %s failed: %v", quote(uri), err)
}
