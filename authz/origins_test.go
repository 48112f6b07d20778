package authz

import (
	"errors"
	"testing"
	"time"

	"smartd/apps/registry"
)

// originCases are origins and their normalised keys ("" = refused); the
// fuzz test starts from them.
var originCases = []struct{ in, want string }{
	{"https://app.example", "https://app.example"},
	{"HTTPS://App.Example", "https://app.example"},
	{"https://app.example:443", "https://app.example"},
	{"https://app.example:8443", "https://app.example:8443"},
	{"http://app.example:80", "http://app.example"},
	{"http://app.example:8080", "http://app.example:8080"},
	{"http://localhost:3000", "http://localhost"},
	{"http://127.0.0.1:9", "http://127.0.0.1"},
	{"http://[::1]:5173", "http://[::1]"},
	{"https://localhost:3000", "https://localhost:3000"},
	{"https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"},
	{"null", ""},
	{"", ""},
	{"file://", ""},
	{"ftp://app.example", ""},
	{"https://app.example/path", ""},
	{"https://user@app.example", ""},
	{"https://", ""},
	{"https://:443", ""},
}

func TestOriginKey(t *testing.T) {
	for _, tc := range originCases {
		got, ok := originKey(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("originKey(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for in, want := range map[string]string{
		"https://app.example:8443/cb?x=1": "https://app.example:8443",
		"http://localhost/cb":             "http://localhost",
		"https://app.example/launch":      "https://app.example",
		"urn:ietf:wg:oauth:2.0:oob":       "",
		"/relative":                       "",
	} {
		if got, _ := urlOrigin(in); got != want {
			t.Errorf("urlOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}

// listApps is an AppLister over a slice, counting calls.
type listApps struct {
	apps  []*registry.App
	err   error
	calls int
}

func (l *listApps) List() ([]*registry.App, error) {
	l.calls++
	return l.apps, l.err
}

func TestOriginsSnapshot(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	apps := &listApps{apps: []*registry.App{{RedirectURIs: []string{"https://a.example/cb"}, LaunchURL: "https://l.example/launch"}}}
	o := NewOrigins(apps, func() time.Time { return now })
	for origin, want := range map[string]bool{"https://a.example": true, "https://l.example": true, "https://b.example": false} {
		if got := o.Allowed(origin); got != want {
			t.Errorf("Allowed(%q) = %v", origin, got)
		}
	}
	if apps.calls != 1 {
		t.Errorf("%d listings within a second, want 1", apps.calls)
	}
	// An app registered elsewhere is seen once an unknown origin arrives
	// a second later; Invalidate makes it immediate.
	apps.apps = append(apps.apps, &registry.App{RedirectURIs: []string{"https://b.example/cb"}})
	if o.Allowed("https://b.example") {
		t.Error("rebuilt within a second of the last listing")
	}
	now = now.Add(time.Second)
	if !o.Allowed("https://b.example") {
		t.Error("a new app's origin is not seen after a second")
	}
	apps.apps = apps.apps[:1]
	o.Invalidate()
	if o.Allowed("https://b.example") {
		t.Error("a removed app's origin is still allowed after Invalidate")
	}
	// A failing registry allows nothing new, and is not hammered.
	apps.err = errors.New("disk gone")
	o.Invalidate()
	calls := apps.calls
	if o.Allowed("https://a.example") || o.Allowed("https://c.example") || apps.calls != calls+1 {
		t.Errorf("with a failing registry: %d listings", apps.calls-calls)
	}
}
