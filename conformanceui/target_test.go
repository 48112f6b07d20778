package conformanceui

import (
	"net/url"
	"path"
	"strings"
	"testing"
)

const ours = "https://smartd.example/fhir"

// targetCases are FHIR bases asked for with an allow list, and what
// target must answer; they seed FuzzTarget.
var targetCases = []struct {
	raw, allowed string // allowed is comma-separated
	want         string // "" means refused
	ours         bool
}{
	{"https://smartd.example/fhir", "", ours, true},
	{" https://smartd.example/fhir/ ", "", ours, true},
	{"https://other.example/fhir", "", "", false},
	{"https://other.example/fhir", "https://other.example/fhir", "https://other.example/fhir", false},
	{"https://other.example/fhir/r4", "https://other.example/fhir/", "https://other.example/fhir/r4", false},
	{"https://OTHER.example/fhir", "https://other.example/fhir", "https://OTHER.example/fhir", false},
	{"https://other.example/fhirx", "https://other.example/fhir", "", false},
	{"https://other.example/fhir/../admin", "https://other.example/fhir", "", false},
	{"https://other.example/fhir/%2e%2e/admin", "https://other.example/fhir", "", false},
	{"https://other.example/fhir//r4", "https://other.example/fhir", "", false},
	{"http://other.example/fhir", "https://other.example/fhir", "", false},
	{"https://other.example:8443/fhir", "https://other.example/fhir", "", false},
	{"https://evil.example/fhir", "https://other.example/fhir", "", false},
	{"https://other.example.evil.example/fhir", "https://other.example", "", false},
	{"https://user:pw@other.example/fhir", "*", "", false},
	{"https://other.example/fhir?x=1", "*", "", false},
	{"https://other.example/fhir#x", "*", "", false},
	{"ftp://other.example/fhir", "*", "", false},
	{"/fhir", "*", "", false},
	{"https://anything.example/r4", "*", "https://anything.example/r4", false},
	{"", "*", "", false},
}

func TestTarget(t *testing.T) {
	for _, tc := range targetCases {
		h := &Handler{opts: Options{FHIRBase: ours, AllowedTargets: splitAllowed(tc.allowed)}}
		got, isOurs, err := h.target(tc.raw)
		if got != tc.want || isOurs != tc.ours || (err != nil) != (tc.want == "") {
			t.Errorf("target(%q) with %q = %q, %v, %v; want %q, %v", tc.raw, tc.allowed, got, isOurs, err, tc.want, tc.ours)
		}
	}
}

func splitAllowed(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// FuzzTarget: whatever is asked for, an accepted base is an absolute
// http(s) URL without credentials or dot segments, equal to ours or
// below an allowed one.
func FuzzTarget(f *testing.F) {
	for _, tc := range targetCases {
		f.Add(tc.raw, tc.allowed)
	}
	f.Fuzz(func(t *testing.T, raw, allowed string) {
		list := splitAllowed(allowed)
		h := &Handler{opts: Options{FHIRBase: ours, AllowedTargets: list}}
		got, isOurs, err := h.target(raw)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || !u.IsAbs() || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" && path.Clean(u.Path) != u.Path {
			t.Fatalf("target(%q) accepted %q", raw, got)
		}
		if isOurs != (got == ours) {
			t.Fatalf("target(%q) = %q, ours %v", raw, got, isOurs)
		}
		if isOurs {
			return
		}
		for _, a := range list {
			if a == "*" || under(u, a) {
				return
			}
		}
		t.Fatalf("target(%q) accepted %q, which no allowed entry %q covers", raw, got, list)
	})
}

func TestPublicOnly(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"93.184.216.34:443", true},
		{"[2606:2800:220:1:248:1893:25c8:1946]:443", true},
		{"127.0.0.1:80", false},
		{"[::1]:80", false},
		{"10.1.2.3:80", false},
		{"172.16.0.1:80", false},
		{"192.168.1.1:80", false},
		{"169.254.169.254:80", false},
		{"100.100.100.200:80", false},
		{"0.0.0.0:80", false},
		{"[::ffff:127.0.0.1]:80", false},
		{"[fd00::1]:80", false},
		{"[fe80::1]:80", false},
		{"[64:ff9b::a9fe:a9fe]:80", false},
		{"224.0.0.1:80", false},
		{"not-an-ip:80", false},
	} {
		if err := publicOnly("tcp", tc.addr, nil); (err == nil) != tc.ok {
			t.Errorf("publicOnly(%s) = %v, want ok %v", tc.addr, err, tc.ok)
		}
	}
}
