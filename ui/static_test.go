package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStatic(t *testing.T) {
	css, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path       string
		wantStatus int
		wantType   string
		wantCache  string
		wantBody   string
	}{
		{StylesheetURL(), http.StatusOK, "text/css; charset=utf-8", "public, max-age=31536000, immutable", string(css)},
		{"/static/style.css", http.StatusOK, "text/css; charset=utf-8", "no-cache", string(css)},
		{"/static/style.css?v=stale", http.StatusOK, "text/css; charset=utf-8", "no-cache", string(css)},
		{"/static/", http.StatusNotFound, "", "", ""},
		{"/static/missing.css", http.StatusNotFound, "", "", ""},
		{"/static/../static.go", http.StatusNotFound, "", "", ""},
	}
	h := Static()
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusOK {
				return
			}
			if got := res.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
			}
			if got := res.Header.Get("Cache-Control"); got != tc.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.wantCache)
			}
			if string(body) != tc.wantBody {
				t.Errorf("body differs from the embedded file (%d bytes, want %d)", len(body), len(tc.wantBody))
			}
		})
	}
}

func TestStylesheetURLVersioned(t *testing.T) {
	u := StylesheetURL()
	if !strings.HasPrefix(u, StaticPrefix+"style.css?v=") || len(u) != len(StaticPrefix+"style.css?v=")+12 {
		t.Errorf("StylesheetURL() = %q, want %sstyle.css?v=<12 hex digits>", u, StaticPrefix)
	}
}

// TestStylesheetSelfContained fails if the stylesheet pulls anything from
// elsewhere: no @import, no url(), no web fonts.
func TestStylesheetSelfContained(t *testing.T) {
	css, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"@import", "url(", "@font-face", "http:", "https:"} {
		if strings.Contains(string(css), bad) {
			t.Errorf("style.css contains %q", bad)
		}
	}
}
