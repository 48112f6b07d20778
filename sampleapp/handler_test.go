package sampleapp

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorder is a transport that answers every request with its handler
// and remembers the URLs asked for.
type recorder struct {
	mu   sync.Mutex
	urls []string
	h    http.HandlerFunc
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.urls = append(r.urls, req.URL.String())
	r.mu.Unlock()
	if r.h == nil {
		return nil, errors.New("no network in this test")
	}
	w := httptest.NewRecorder()
	r.h(w, req)
	return w.Result(), nil
}

func newTestHandler(t *testing.T, rt *recorder) *Handler {
	t.Helper()
	h, err := New(Options{BaseURL: "https://ehr.example", FHIRBase: "https://ehr.example/fhir", HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func serve(h http.Handler, target string) (*http.Response, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	resp := w.Result()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A launch is refused before any request when iss is not the app's own
// FHIR base, so the app is neither an open redirector nor an SSRF probe.
func TestLaunchRefusals(t *testing.T) {
	tests := []struct {
		name, target, want string
	}{
		{"other server", "/sample-app/launch?iss=https://evil.example/fhir&launch=L", "Launched by an unknown server"},
		{"our host, other path", "/sample-app/launch?iss=https://ehr.example/other&launch=L", "Launched by an unknown server"},
		{"internal address", "/sample-app/launch?iss=http://169.254.169.254/latest&launch=L", "Launched by an unknown server"},
		{"no launch", "/sample-app/launch?iss=https://ehr.example/fhir", "Not launched by an EHR"},
		{"no iss", "/sample-app/launch?launch=L", "Not launched by an EHR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &recorder{}
			resp, body := serve(newTestHandler(t, rt), tt.target)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.want) || resp.Header.Get("Location") != "" {
				t.Errorf("got %d (Location %q), want 400 %q:\n%s", resp.StatusCode, resp.Header.Get("Location"), tt.want, body)
			}
			if len(rt.urls) != 0 {
				t.Errorf("requests made: %v", rt.urls)
			}
		})
	}
}

// A SMART configuration that points elsewhere is not followed.
func TestDiscoveryRefusals(t *testing.T) {
	tests := []struct {
		name, config string
	}{
		{"authorize elsewhere", `{"authorization_endpoint":"https://evil.example/authorize","token_endpoint":"https://ehr.example/auth/token","code_challenge_methods_supported":["S256"]}`},
		{"token elsewhere", `{"authorization_endpoint":"https://ehr.example/auth/authorize","token_endpoint":"http://ehr.example/auth/token","code_challenge_methods_supported":["S256"]}`},
		{"no S256", `{"authorization_endpoint":"https://ehr.example/auth/authorize","token_endpoint":"https://ehr.example/auth/token","code_challenge_methods_supported":["plain"]}`},
		{"not JSON", `<html>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &recorder{h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, tt.config)
			}}
			resp, body := serve(newTestHandler(t, rt), "/sample-app/launch?iss=https://ehr.example/fhir&launch=L")
			if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("Location") != "" || !strings.Contains(body, "discovery_failed") {
				t.Errorf("got %d (Location %q), want 502:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			if len(rt.urls) != 1 || rt.urls[0] != "https://ehr.example/fhir/.well-known/smart-configuration" {
				t.Errorf("requests made: %v", rt.urls)
			}
		})
	}
}

func TestPages(t *testing.T) {
	tests := []struct {
		target string
		status int
		want   string
	}{
		{"/sample-app/", http.StatusOK, `action="/sample-app/start"`},
		{"/sample-app", http.StatusMovedPermanently, ""},
		{"/sample-app/nope", http.StatusNotFound, "no such page"},
		{"/sample-app/callback?state=forged&code=c", http.StatusBadRequest, "Invalid state"},
	}
	for _, tt := range tests {
		resp, body := serve(newTestHandler(t, &recorder{}), tt.target)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: %d, want %d with %q:\n%s", tt.target, resp.StatusCode, tt.status, tt.want, body)
		}
		if got := resp.Header.Get("X-Frame-Options"); resp.StatusCode != http.StatusMovedPermanently && got != "SAMEORIGIN" {
			t.Errorf("GET %s: X-Frame-Options %q, want SAMEORIGIN (the EHR embeds the app)", tt.target, got)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{{FHIRBase: "https://x/fhir"}, {BaseURL: "https://x"}, {BaseURL: "/relative", FHIRBase: "https://x/fhir"}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v): no error", o)
		}
	}
}
