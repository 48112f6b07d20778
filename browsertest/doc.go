// Package browsertest drives smartd's pages in a real browser (Chromium,
// through the Chrome DevTools Protocol with github.com/chromedp/chromedp):
// the clinician's EHR launch of the sample app with consent (embedded in
// the chart and in a new tab), the standalone launch with the patient
// picker, the error page of an authorization request with a redirect_uri
// that is not registered (RFC 6749 §4.1.2.1: no redirect), a developer
// registering an app through the registry form, and screenshots of the
// main pages for the README. SMART App Launch 2.2 (app-launch.html) is the flow under
// test; the tests assert what a person sees.
//
// # Basics
//
// The package is tests plus this small helper. TestMain starts one
// headless Chromium for the package; each test opens its own tab in its
// own browser context (its own cookies) with a timeout, against its own
// smartd started in process on a temporary data directory. Chromium is
// found by [ExecPath]; without one every test skips, so `go test ./...`
// passes on a machine without a browser. CI installs Debian's chromium
// (.ci/run), so there they run.
//
//	go test ./browsertest
//	SMARTD_SCREENSHOTS=docs/screenshots go test ./browsertest -run Screenshots
//
// # Caveats
//
// Chromium runs without its sandbox (NoSandbox: CI runs as root, where
// the sandbox cannot start) and loads only the pages of the smartd the
// test started. It must not reach the network: background networking and
// component updates are off.
package browsertest
