package authz_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/authz"
)

// corsHeaders are the CORS response headers a test compares.
func corsHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Expose-Headers"} {
		if v := h.Get(k); v != "" {
			out[k] = v
		}
	}
	if v := strings.Join(h.Values("Vary"), ", "); v != "" {
		out["Vary"] = v
	}
	return out
}

const exposed = "Location, Content-Location, ETag, Last-Modified, WWW-Authenticate, X-Request-Id"

// TestCORSMiddleware: preflights are answered without reaching the
// handler (so before any authentication); actual responses, errors
// included, carry the headers for an allowed origin and none for another.
func TestCORSMiddleware(t *testing.T) {
	allowed := func(o string) bool { return o == "https://app.example" }
	for _, tc := range []struct {
		name        string
		mw          func(http.Handler) http.Handler
		method      string
		header      []string
		wantStatus  int
		wantReached bool
		want        map[string]string
	}{
		{"public preflight", authz.PublicCORS, "OPTIONS", []string{"Origin", "https://x.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization, x-custom"}, 204, false,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS", "Access-Control-Allow-Headers": "authorization, x-custom", "Access-Control-Max-Age": "600", "Vary": "Access-Control-Request-Method, Access-Control-Request-Headers"}},
		{"public get", authz.PublicCORS, "GET", []string{"Origin", "https://x.example"}, 401, true,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": exposed}},
		{"public without Origin", authz.PublicCORS, "GET", nil, 401, true, map[string]string{}},
		{"registered preflight", authz.RegisteredCORS(allowed), "OPTIONS", []string{"Origin", "https://app.example", "Access-Control-Request-Method", "POST"}, 204, false,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS", "Access-Control-Max-Age": "600", "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}},
		{"registered error response", authz.RegisteredCORS(allowed), "POST", []string{"Origin", "https://app.example"}, 401, true,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Expose-Headers": exposed, "Vary": "Origin"}},
		{"unregistered preflight", authz.RegisteredCORS(allowed), "OPTIONS", []string{"Origin", "https://evil.example", "Access-Control-Request-Method", "POST"}, 204, false,
			map[string]string{"Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}},
		{"unregistered post", authz.RegisteredCORS(allowed), "POST", []string{"Origin", "https://evil.example"}, 401, true, map[string]string{"Vary": "Origin"}},
		{"null origin", authz.RegisteredCORS(func(string) bool { return true }), "POST", []string{"Origin", "null"}, 401, true, map[string]string{"Vary": "Origin"}},
		{"bad requested header", authz.PublicCORS, "OPTIONS", []string{"Origin", "https://x.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "a b"}, 204, false,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS", "Access-Control-Max-Age": "600", "Vary": "Access-Control-Request-Method, Access-Control-Request-Headers"}},
		{"plain OPTIONS", authz.PublicCORS, "OPTIONS", nil, 401, true, map[string]string{}},
	} {
		reached := false
		h := tc.mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached = true
			w.WriteHeader(http.StatusUnauthorized) // as an endpoint that authenticates
		}))
		req := httptest.NewRequest(tc.method, "/x", nil)
		for i := 0; i+1 < len(tc.header); i += 2 {
			req.Header.Set(tc.header[i], tc.header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.wantStatus || reached != tc.wantReached {
			t.Errorf("%s: status %d, reached %v; want %d, %v", tc.name, rec.Code, reached, tc.wantStatus, tc.wantReached)
		}
		if diff := cmp.Diff(tc.want, corsHeaders(rec.Header())); diff != "" {
			t.Errorf("%s: headers (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestCORSThroughRouter: the origins of registered apps (redirect URIs
// and launch URLs) may call the token endpoint and the FHIR API, on
// errors too; any origin may read discovery and metadata; others get no
// CORS headers.
func TestCORSThroughRouter(t *testing.T) {
	s := newTestServer(t)
	app := webApp()
	app["redirect_uris"] = []string{"https://app.example:8443/cb", "http://localhost:3000/cb"}
	app["initiate_login_uri"] = "https://launch.example/go"
	if r := postJSON(t, "POST", s.registerURL(), app); r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	preflight := func(method, u, origin string) reply {
		return do(t, "OPTIONS", u, nil, "Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", "authorization, content-type")
	}
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	for _, tc := range []struct {
		name   string
		r      func(origin string) reply
		status int
		origin string
		want   string // Access-Control-Allow-Origin
	}{
		{"token preflight, redirect origin", func(o string) reply { return preflight("POST", s.tokenURL(), o) }, 204, "https://app.example:8443", "https://app.example:8443"},
		{"token preflight, launch origin", func(o string) reply { return preflight("POST", s.tokenURL(), o) }, 204, "https://launch.example", "https://launch.example"},
		{"token preflight, loopback any port", func(o string) reply { return preflight("POST", s.tokenURL(), o) }, 204, "http://localhost:5173", "http://localhost:5173"},
		{"token preflight, wrong port", func(o string) reply { return preflight("POST", s.tokenURL(), o) }, 204, "https://app.example", ""},
		{"token preflight, stranger", func(o string) reply { return preflight("POST", s.tokenURL(), o) }, 204, "https://evil.example", ""},
		{"token error, registered", func(o string) reply {
			return do(t, "POST", s.tokenURL(), strings.NewReader(form), "Content-Type", "application/x-www-form-urlencoded", "Origin", o)
		}, 401, "https://app.example:8443", "https://app.example:8443"},
		{"token error, stranger", func(o string) reply {
			return do(t, "POST", s.tokenURL(), strings.NewReader(form), "Content-Type", "application/x-www-form-urlencoded", "Origin", o)
		}, 401, "https://evil.example", ""},
		{"introspect preflight", func(o string) reply { return preflight("POST", s.introspectURL(), o) }, 204, "https://app.example:8443", "https://app.example:8443"},
		{"revoke preflight", func(o string) reply { return preflight("POST", s.revokeURL(), o) }, 204, "https://app.example:8443", "https://app.example:8443"},
		{"register preflight", func(o string) reply { return preflight("POST", s.registerURL(), o) }, 204, "https://app.example:8443", "https://app.example:8443"},
		{"well-known, stranger", func(o string) reply { return do(t, "GET", s.fhir+authz.SMARTConfigurationPath, nil, "Origin", o) }, 200, "https://evil.example", "*"},
		{"well-known preflight", func(o string) reply { return preflight("GET", s.fhir+authz.SMARTConfigurationPath, o) }, 204, "https://evil.example", "*"},
		{"metadata, stranger", func(o string) reply { return do(t, "GET", s.fhir+"/metadata", nil, "Origin", o) }, 200, "https://evil.example", "*"},
		{"metadata preflight", func(o string) reply { return preflight("GET", s.fhir+"/metadata", o) }, 204, "https://evil.example", "*"},
		// Without a token the FHIR API answers 401, and a registered
		// origin may read that answer.
		{"FHIR read, registered", func(o string) reply { return do(t, "GET", s.fhir+"/Patient/none", nil, "Origin", o) }, 401, "https://app.example:8443", "https://app.example:8443"},
		{"FHIR read, stranger", func(o string) reply { return do(t, "GET", s.fhir+"/Patient/none", nil, "Origin", o) }, 401, "https://evil.example", ""},
		{"FHIR preflight, registered", func(o string) reply { return preflight("PUT", s.fhir+"/Patient/1", o) }, 204, "https://app.example:8443", "https://app.example:8443"},
	} {
		r := tc.r(tc.origin)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, r.Status, tc.status, r.Body)
		}
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", tc.name, got, tc.want)
		}
		if tc.want != "*" && !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
			t.Errorf("%s: no Vary: Origin", tc.name)
		}
	}
}
