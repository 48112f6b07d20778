package conformance

import (
	"time"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	// Pass: the server did what the spec requires.
	Pass Status = "pass"
	// Fail: it did not; Result.Reason says how.
	Fail Status = "fail"
	// Skip: the check could not run (a setting is missing, the server
	// does not advertise the feature, or a check it depends on failed).
	Skip Status = "skip"
)

// The scenario groups, in the order they run (setup after discovery,
// cleanup last).
const (
	GroupDiscovery        = "discovery"
	GroupBackendServices  = "backend-services"
	GroupIntrospection    = "introspection"
	GroupRevocation       = "revocation"
	GroupFHIRAccess       = "fhir-access"
	GroupStandaloneLaunch = "standalone-launch"
	GroupTokenRefresh     = "token-refresh"
	GroupLaunchRefusals   = "launch-refusals"
	// The groups of smartd's own APIs (vendor extensions, run only with
	// an admin token): throwaway clients and user made with the admin
	// API, the EHR launch through the launch-context API, and the
	// removal of what was made.
	GroupAdminSetup   = "admin-setup (smartd API)"
	GroupEHRLaunch    = "ehr-launch (smartd API)"
	GroupAdminCleanup = "admin-cleanup (smartd API)"
)

// Check names one check: its group, its name (unique within the group) and
// the spec section it tests.
type Check struct {
	Group, Name, Spec string
}

// ID is "group/name", unique in the suite.
func (c Check) ID() string { return c.Group + "/" + c.Name }

// Result is the outcome of one check.
type Result struct {
	// Group, Name and Spec are the check's (see Check).
	Group, Name, Spec string
	Status            Status
	// Reason says why a check failed or was skipped; for a pass it holds
	// notes (what was seen), or is empty.
	Reason string
	// Exchanges are the HTTP requests the check made and the responses,
	// with secrets redacted.
	Exchanges []Exchange
	// Duration is how long the check took.
	Duration time.Duration
}

// ID is "group/name", as Check.ID.
func (r Result) ID() string { return r.Group + "/" + r.Name }

// Exchange is one HTTP request and its response, as text in HTTP/1.1
// wire form (start line, headers, body), with passwords, tokens,
// assertions, codes and cookies redacted and bodies clipped.
type Exchange struct {
	// Method and URL are the request's, for a one-line summary.
	Method, URL string
	// Status is the response status code; 0 when no response came.
	Status int
	// Request and Response are the dumps; Response holds the transport
	// error when no response came.
	Request, Response string
}

// Report is the outcome of a run.
type Report struct {
	// FHIRBase is the server tested.
	FHIRBase string
	// Started is when the run began; Duration how long it took.
	Started  time.Time
	Duration time.Duration
	// Results are in the order the checks ran ([Checks]' order).
	Results []Result
}

// Counts returns how many checks passed, failed and were skipped.
func (r *Report) Counts() (passed, failed, skipped int) {
	for _, res := range r.Results {
		switch res.Status {
		case Pass:
			passed++
		case Fail:
			failed++
		case Skip:
			skipped++
		}
	}
	return
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	_, failed, _ := r.Counts()
	return failed > 0
}

// Groups returns the results grouped by scenario, in run order.
func (r *Report) Groups() []GroupResults {
	var out []GroupResults
	for _, res := range r.Results {
		if len(out) == 0 || out[len(out)-1].Group != res.Group {
			out = append(out, GroupResults{Group: res.Group})
		}
		g := &out[len(out)-1]
		g.Results = append(g.Results, res)
	}
	return out
}

// GroupResults are one scenario's results.
type GroupResults struct {
	Group   string
	Results []Result
}
