package browsertest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"smartd/server"
)

// browser is the context of the one Chromium of the package run, set by
// TestMain before any test runs and never changed; nil when there is no
// Chromium.
var browser context.Context

func TestMain(m *testing.M) { os.Exit(run(m)) }

// run starts Chromium, when there is one, and runs the tests. A Chromium
// that is installed but does not start fails the run: CI must not pass
// by skipping.
func run(m *testing.M) int {
	path := ExecPath()
	if path == "" {
		return m.Run()
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), AllocatorOptions(path)...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		fmt.Fprintf(os.Stderr, "browsertest: starting %s: %v\n", path, err)
		return 1
	}
	browser = ctx
	return m.Run()
}

// tabTimeout bounds each test's tab.
const tabTimeout = 45 * time.Second

// newTab opens a tab in a new browser context (its own cookies), closed
// when the test ends, or skips the test without a Chromium.
func newTab(t *testing.T) context.Context {
	t.Helper()
	if browser == nil {
		t.Skip("no Chromium: install Debian's chromium (apt-get install chromium) or set SMARTD_CHROMIUM")
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, tabTimeout)
	t.Cleanup(cancelTimeout)
	return ctx
}

// startSmartd starts a smartd in process on a new data directory, with
// the sample patients, the demo users and the demo apps (the sample app
// among them), and returns its test server.
func startSmartd(t *testing.T) *httptest.Server { return serveSmartd(t, nil) }

// serveSmartd is startSmartd on ln, or on a free port when ln is nil.
func serveSmartd(t *testing.T, ln net.Listener) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	if ln != nil {
		ts.Listener.Close()
		ts.Listener = ln
	}
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BaseURL: "http://" + ts.Listener.Addr().String(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}
