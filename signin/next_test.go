package signin

import (
	"net/url"
	"strings"
	"testing"
)

var nextTests = []struct{ next, within, want string }{
	{"/base/ehr/", "/base/ehr/", "/base/ehr/"},
	{"/base/ehr/patients/p1?encounter=e1", "/base/ehr/", "/base/ehr/patients/p1?encounter=e1"},
	{"/base/ehr/?name=a&back=&cursor=x", "/base/ehr/", "/base/ehr/?name=a&back=&cursor=x"},
	{"", "/base/ehr/", ""},
	{"/base/ehr", "/base/ehr/", ""},
	{"/base/auth/authorize", "/base/ehr/", ""},
	{"/base/auth/authorize", "/base/", "/base/auth/authorize"},
	{"/", "/", "/"},
	{"/apps/x", "/", "/apps/x"},
	{"/ehr/", "/base/ehr/", ""},
	{"https://evil.example/base/ehr/", "/base/ehr/", ""},
	{"//evil.example/base/ehr/", "/base/ehr/", ""},
	{"//evil.example/", "/", ""},
	{"/\\evil.example/base/ehr/", "/base/ehr/", ""},
	{"/base/ehr/../../evil", "/base/ehr/", ""},
	{"/base/ehr/%2e%2e/x", "/base/ehr/", ""},
	{"/base/ehr/..", "/base/ehr/", ""},
	{"/base/ehr//evil", "/base/ehr/", ""},
	{"javascript:alert(1)//base/ehr/", "/base/ehr/", ""},
	{"/base/ehr/\r\nLocation: x", "/base/ehr/", ""},
}

func TestSafeNext(t *testing.T) {
	for _, tc := range nextTests {
		if got := SafeNext(tc.next, tc.within); got != tc.want {
			t.Errorf("SafeNext(%q, %q) = %q, want %q", tc.next, tc.within, got, tc.want)
		}
	}
}

// FuzzSafeNext checks that whatever next is, an accepted one stays on
// this host, below the prefix, also once a browser has resolved it.
func FuzzSafeNext(f *testing.F) {
	for _, tc := range nextTests {
		if tc.within == "/base/ehr/" {
			f.Add(tc.next)
		}
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := SafeNext(next, "/base/ehr/")
		if got == "" {
			return
		}
		if got != next {
			t.Fatalf("SafeNext(%q) = %q, want next itself or nothing", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(got, "/base/ehr/") || strings.HasPrefix(got, "//") {
			t.Fatalf("SafeNext(%q) = %q leaves the prefix", next, got)
		}
		ref, _ := url.Parse("http://smartd.example/")
		if res := ref.ResolveReference(u); res.Host != "smartd.example" || !strings.HasPrefix(res.Path, "/base/ehr/") {
			t.Fatalf("SafeNext(%q) = %q resolves to %q", next, got, res)
		}
	})
}
