package ehr

import (
	"net/url"
	"strings"
	"testing"
)

var nextTests = []struct{ next, want string }{
	{"/base/ehr/", "/base/ehr/"},
	{"/base/ehr/patients/p1?encounter=e1", "/base/ehr/patients/p1?encounter=e1"},
	{"/base/ehr/?name=a&back=&cursor=x", "/base/ehr/?name=a&back=&cursor=x"},
	{"", "/base/ehr/"},
	{"/base/ehr", "/base/ehr/"},
	{"/base/auth/authorize", "/base/ehr/"},
	{"/ehr/", "/base/ehr/"},
	{"https://evil.example/base/ehr/", "/base/ehr/"},
	{"//evil.example/base/ehr/", "/base/ehr/"},
	{"/\\evil.example/base/ehr/", "/base/ehr/"},
	{"/base/ehr/../../evil", "/base/ehr/"},
	{"/base/ehr/%2e%2e/x", "/base/ehr/"},
	{"/base/ehr/..", "/base/ehr/"},
	{"/base/ehr//evil", "/base/ehr/"},
	{"javascript:alert(1)//base/ehr/", "/base/ehr/"},
	{"/base/ehr/\r\nLocation: x", "/base/ehr/"},
}

func TestSafeNext(t *testing.T) {
	h := &Handler{opts: Options{BasePath: "/base"}}
	for _, tc := range nextTests {
		if got := h.safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

// FuzzSafeNext checks that whatever next is, the redirect stays on this
// host, under the EHR's path.
func FuzzSafeNext(f *testing.F) {
	for _, tc := range nextTests {
		f.Add(tc.next)
	}
	h := &Handler{opts: Options{BasePath: "/base"}}
	f.Fuzz(func(t *testing.T, next string) {
		got := h.safeNext(next)
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(got, "/base/ehr/") || strings.HasPrefix(got, "//") {
			t.Fatalf("safeNext(%q) = %q leaves the EHR", next, got)
		}
		// A browser resolves the path before sending it: the result must
		// stay under the EHR's path then too.
		ref, _ := url.Parse("http://smartd.example/")
		if res := ref.ResolveReference(u); res.Host != "smartd.example" || !strings.HasPrefix(res.Path, "/base/ehr/") {
			t.Fatalf("safeNext(%q) = %q resolves to %q", next, got, res)
		}
	})
}
