package launch

import (
	"net/url"
	"strings"
	"testing"
)

const iss = "https://ehr.example/base/fhir"

var urlTests = []struct {
	name, launchURL, iss, id string
	want                     string // "" means an error
}{
	{"plain", "https://app.example/launch", iss, "abc",
		"https://app.example/launch?iss=https%3A%2F%2Fehr.example%2Fbase%2Ffhir&launch=abc"},
	{"own query kept in order and encoding", "https://app.example/launch?z=1&a=%2Fx&flag", iss, "abc",
		"https://app.example/launch?z=1&a=%2Fx&flag&iss=https%3A%2F%2Fehr.example%2Fbase%2Ffhir&launch=abc"},
	{"stale iss and launch replaced", "https://app.example/l?iss=https://evil.example&launch=old&x=1", iss, "new",
		"https://app.example/l?x=1&iss=https%3A%2F%2Fehr.example%2Fbase%2Ffhir&launch=new"},
	{"escaped stale key replaced", "https://app.example/l?%69ss=x", iss, "id",
		"https://app.example/l?iss=https%3A%2F%2Fehr.example%2Fbase%2Ffhir&launch=id"},
	{"fragment kept after the query", "http://localhost:8000/#/launch", "http://127.0.0.1:8080/fhir", "k-_9",
		"http://localhost:8000/?iss=http%3A%2F%2F127.0.0.1%3A8080%2Ffhir&launch=k-_9#/launch"},
	{"empty query marker", "https://app.example/launch?", iss, "abc",
		"https://app.example/launch?iss=https%3A%2F%2Fehr.example%2Fbase%2Ffhir&launch=abc"},
	{"relative launch URL", "/launch", iss, "abc", ""},
	{"javascript launch URL", "javascript:alert(1)", iss, "abc", ""},
	{"no host", "https:///launch", iss, "abc", ""},
	{"relative iss", "https://app.example/launch", "/fhir", "abc", ""},
	{"no id", "https://app.example/launch", iss, "", ""},
}

func TestURL(t *testing.T) {
	for _, tc := range urlTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := URL(tc.launchURL, tc.iss, tc.id)
			if tc.want == "" {
				if err == nil {
					t.Errorf("URL = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("URL = %q, %v\nwant  %q", got, err, tc.want)
			}
			checkLaunchParams(t, got, tc.iss, tc.id)
		})
	}
}

// checkLaunchParams asserts that u carries exactly one iss, equal to iss
// byte for byte, and one launch.
func checkLaunchParams(t *testing.T, u, iss, id string) {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("result %q does not parse: %v", u, err)
	}
	q := p.Query()
	if len(q["iss"]) != 1 || q.Get("iss") != iss {
		t.Errorf("iss = %q, want exactly [%q]", q["iss"], iss)
	}
	if len(q["launch"]) != 1 || q.Get("launch") != id {
		t.Errorf("launch = %q, want exactly [%q]", q["launch"], id)
	}
}

// FuzzURL checks that for any launch URL accepted, the result keeps the
// scheme, host and path, and carries iss and launch exactly once.
func FuzzURL(f *testing.F) {
	for _, tc := range urlTests {
		f.Add(tc.launchURL, tc.id)
	}
	f.Fuzz(func(t *testing.T, launchURL, id string) {
		got, err := URL(launchURL, iss, id)
		if err != nil {
			return
		}
		in, _ := url.Parse(launchURL)
		out, err := url.Parse(got)
		if err != nil {
			t.Fatalf("URL(%q) = %q, which does not parse: %v", launchURL, got, err)
		}
		if out.Scheme != in.Scheme || out.Host != in.Host || out.Path != in.Path {
			t.Errorf("URL(%q) = %q: scheme, host or path changed", launchURL, got)
		}
		if !strings.HasPrefix(out.Scheme, "http") {
			t.Errorf("URL(%q) = %q: scheme %q", launchURL, got, out.Scheme)
		}
		checkLaunchParams(t, got, iss, id)
	})
}
