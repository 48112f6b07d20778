package main

import (
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
	firstErr  string      // the first of those failures
	bytes     int64       // response bodies read
}

// requests is the number of requests sent.
func (r benchResult) requests() int { return len(r.latencies) + r.failed }

// runLoad sends GETs of cfg.paths round-robin from cfg.concurrency workers
// until cfg.duration has passed, cfg.max requests were sent, or ctx is
// done. Each worker keeps its own timings; they are merged at the end.
func runLoad(ctx context.Context, client *http.Client, cfg benchConfig) benchResult {
	ctx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	urls := make([]string, len(cfg.paths))
	for i, p := range cfg.paths {
		urls[i] = cfg.base.String() + "/" + p
	}
	var next atomic.Int64
	results := make([]benchResult, cfg.concurrency)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range cfg.concurrency {
		wg.Go(func() {
			r := &results[w]
			r.status = map[int]int{}
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if cfg.max > 0 && i >= cfg.max {
					return
				}
				r.do(ctx, client, urls[i%len(urls)])
			}
		})
	}
	wg.Wait()
	total := benchResult{elapsed: time.Since(start), status: map[int]int{}}
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

// do sends one GET and records its outcome. A request cut off by the end
// of the run is not counted.
func (r *benchResult) do(ctx context.Context, client *http.Client, url string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		r.fail(err)
		return
	}
	req.Header.Set("Accept", "application/fhir+json")
	start := time.Now()
	resp, err := client.Do(req)
	if err == nil {
		var n int64
		n, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r.bytes += n
	}
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		r.fail(err)
		return
	}
	r.latencies = append(r.latencies, elapsed)
	r.status[resp.StatusCode]++
}

func (r *benchResult) fail(err error) {
	r.failed++
	if r.firstErr == "" {
		r.firstErr = err.Error()
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
