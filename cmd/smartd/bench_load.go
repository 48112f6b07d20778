package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// benchResult is what a load run measured.
type benchResult struct {
	elapsed time.Duration
	// latencies of the requests that got a response, sorted.
	latencies []time.Duration
	status    map[int]int // responses by status code
	failed    int         // requests that got no response
	firstErr  string      // the first failure or error response
	bytes     int64       // response bodies read
	limited   bool        // the run stopped at its request limit
}

// requests is the number of requests sent.
func (r benchResult) requests() int { return len(r.latencies) + r.failed }

// runLoad sends GETs of cfg.paths round-robin (see runWorkers).
func runLoad(ctx context.Context, client *http.Client, cfg benchConfig) benchResult {
	urls := make([]string, len(cfg.paths))
	for i, p := range cfg.paths {
		urls[i] = cfg.base.String() + "/" + p
	}
	return runWorkers(ctx, client, cfg.concurrency, cfg.duration, cfg.max, func(ctx context.Context, i int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, urls[i%len(urls)], nil)
		if err == nil {
			req.Header.Set("Accept", "application/fhir+json")
		}
		return req, err
	})
}

// runWorkers sends the requests build makes for i = 0, 1, 2, ... (see
// runLoop). Each worker keeps its own timings; they are merged at the end.
func runWorkers(ctx context.Context, client *http.Client, concurrency int, duration time.Duration, limit int,
	build func(ctx context.Context, i int) (*http.Request, error)) benchResult {
	results := make([]benchResult, concurrency)
	for w := range results {
		results[w].status = map[int]int{}
	}
	elapsed, limited := runLoop(ctx, concurrency, duration, limit, func(ctx context.Context, w, i int) {
		r := &results[w]
		req, err := build(ctx, i)
		if err != nil {
			r.failed++
			r.fail(err.Error())
			return
		}
		r.send(ctx, client, req)
	})
	total := benchResult{elapsed: elapsed, status: map[int]int{}, limited: limited}
	for _, r := range results {
		total.latencies = append(total.latencies, r.latencies...)
		total.failed += r.failed
		total.bytes += r.bytes
		if total.firstErr == "" {
			total.firstErr = r.firstErr
		}
		for code, n := range r.status {
			total.status[code] += n
		}
	}
	slices.Sort(total.latencies)
	return total
}

// runLoop calls one(ctx, w, i) for i = 0, 1, 2, ... from concurrency
// workers (w is the worker's index, 0 to concurrency-1, so that one may
// keep per-worker state without locks) until duration has passed, limit
// calls were made (when limit > 0), or ctx is done. It returns the time
// the run took and whether the limit ended it.
func runLoop(ctx context.Context, concurrency int, duration time.Duration, limit int,
	one func(ctx context.Context, w, i int)) (elapsed time.Duration, limited bool) {
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var next atomic.Int64
	var hitLimit atomic.Bool
	start := time.Now()
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if limit > 0 && i >= limit {
					hitLimit.Store(true)
					return
				}
				one(ctx, w, i)
			}
		})
	}
	wg.Wait()
	return time.Since(start), hitLimit.Load()
}

// send sends one request and records its outcome; the first error
// response's status and the start of its body are kept for the report. A
// request cut off by the end of the run is not counted.
func (r *benchResult) send(ctx context.Context, client *http.Client, req *http.Request) {
	start := time.Now()
	resp, err := client.Do(req)
	var errBody []byte
	if err == nil {
		if resp.StatusCode >= 400 {
			errBody, _ = io.ReadAll(io.LimitReader(resp.Body, 300))
		}
		var n int64
		n, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r.bytes += n + int64(len(errBody))
	}
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		r.failed++
		r.fail(err.Error())
		return
	}
	r.latencies = append(r.latencies, elapsed)
	r.status[resp.StatusCode]++
	if resp.StatusCode >= 400 {
		r.fail(fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(errBody)))
	}
}

func (r *benchResult) fail(msg string) {
	if r.firstErr == "" {
		r.firstErr = msg
	}
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted
// durations by the nearest-rank method: the smallest value that at least
// p percent of the values are at or below. Zero for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// rank = ceil(p/100 * n), computed in integers to avoid float error
	// at exact ranks (p=50 of 10 values is the 5th).
	n := len(sorted)
	rank := int((int64(math.Round(p*1000))*int64(n) + 100000 - 1) / 100000)
	return sorted[min(max(rank, 1), n)-1]
}

// write prints the results and the command that produced them.
func (r benchResult) write(w io.Writer, cfg benchConfig) {
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "command:     %s\n", cfg.command)
	fmt.Fprintf(w, "target:      %s (%d distinct paths), concurrency %d, duration bound %v", cfg.base, len(cfg.paths), cfg.concurrency, cfg.duration)
	if cfg.max > 0 {
		fmt.Fprintf(w, ", request bound %d", cfg.max)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "requests:    %d in %.2f s: %.0f requests/s, %.1f MB/s read\n",
		r.requests(), secs, float64(r.requests())/max(secs, 1e-9), float64(r.bytes)/1e6/max(secs, 1e-9))
	r.writeStats(w)
}

// writeStats prints the latency percentiles, the responses by status and
// the errors.
func (r benchResult) writeStats(w io.Writer) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }
	fmt.Fprintf(w, "latency:     p50 %s   p90 %s   p99 %s   max %s\n",
		ms(percentile(r.latencies, 50)), ms(percentile(r.latencies, 90)), ms(percentile(r.latencies, 99)), ms(percentile(r.latencies, 100)))
	fmt.Fprint(w, "status:     ")
	for _, code := range slices.Sorted(maps.Keys(r.status)) {
		fmt.Fprintf(w, " %d: %d", code, r.status[code])
	}
	fmt.Fprintln(w)
	errs := r.failed
	for code, n := range r.status {
		if code >= 400 {
			errs += n
		}
	}
	fmt.Fprintf(w, "errors:      %d (%d without a response", errs, r.failed)
	if r.firstErr != "" {
		fmt.Fprintf(w, "; first: %s", r.firstErr)
	}
	fmt.Fprintln(w, ")")
}
