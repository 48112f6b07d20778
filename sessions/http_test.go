package sessions

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSetCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		c := newClock()
		s, _, _ := newStore(t, c)
		sess, _ := s.Create("alice")
		c.Add(2 * time.Hour)
		w := httptest.NewRecorder()
		s.SetCookie(w, sess, secure)
		got := w.Result().Header.Values("Set-Cookie")
		name, sec := "smartd_session", ""
		if secure {
			name, sec = "__Host-smartd_session", "; Secure"
		}
		want := []string{name + "=" + sess.ID + "; Path=/; Max-Age=36000; HttpOnly" + sec + "; SameSite=Lax"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("secure=%v Set-Cookie (-want +got):\n%s", secure, diff)
		}
		w = httptest.NewRecorder()
		s.ClearCookie(w, secure)
		want = []string{name + "=; Path=/; Max-Age=0; HttpOnly" + sec + "; SameSite=Lax"}
		if diff := cmp.Diff(want, w.Result().Header.Values("Set-Cookie")); diff != "" {
			t.Errorf("secure=%v ClearCookie (-want +got):\n%s", secure, diff)
		}
	}
}

func TestFromRequest(t *testing.T) {
	c := newClock()
	s, _, _ := newStore(t, c)
	sess, _ := s.Create("alice")
	tests := []struct {
		name   string
		https  bool
		cookie string
		want   error
	}{
		{"no cookie", false, "", ErrNotFound},
		{"http cookie", false, "smartd_session=" + sess.ID, nil},
		{"https cookie", false, "__Host-smartd_session=" + sess.ID, nil},
		{"https cookie, https store", true, "__Host-smartd_session=" + sess.ID, nil},
		{"http cookie refused by https store", true, "smartd_session=" + sess.ID, ErrNotFound},
		{"__Host- wins", false, "smartd_session=" + sess.ID + "; __Host-smartd_session=junk", ErrNotFound},
		{"junk", false, "smartd_session=%%%", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.opts.HTTPS = tt.https // distinct field from the writer's Now: no race
			r := httptest.NewRequest("GET", "/authorize", nil)
			if tt.cookie != "" {
				r.Header.Set("Cookie", tt.cookie)
			}
			got, err := s.FromRequest(r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("FromRequest: %v, want %v", err, tt.want)
			}
			if err == nil && got.Username != "alice" {
				t.Errorf("user %q, want alice", got.Username)
			}
		})
	}
}

func postForm(form url.Values) *http.Request {
	r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestCheckCSRF(t *testing.T) {
	c := newClock()
	s, _, _ := newStore(t, c)
	mine, _ := s.Create("alice")
	other, _ := s.Create("mallory")
	tests := []struct {
		name string
		sess *Session
		r    *http.Request
		want error
	}{
		{"right token", mine, postForm(url.Values{"csrf_token": {mine.CSRFToken}}), nil},
		{"missing", mine, postForm(url.Values{"user": {"alice"}}), ErrCSRF},
		{"empty", mine, postForm(url.Values{"csrf_token": {""}}), ErrCSRF},
		{"wrong", mine, postForm(url.Values{"csrf_token": {"x" + mine.CSRFToken[1:]}}), ErrCSRF},
		{"other session's token", mine, postForm(url.Values{"csrf_token": {other.CSRFToken}}), ErrCSRF},
		{"in the query only", mine, httptest.NewRequest("POST", "/login?csrf_token="+mine.CSRFToken, nil), ErrCSRF},
		{"no session", nil, postForm(url.Values{"csrf_token": {mine.CSRFToken}}), ErrCSRF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckCSRF(tt.sess, tt.r); !errors.Is(err, tt.want) {
				t.Errorf("CheckCSRF: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestProtect(t *testing.T) {
	h := Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	tests := []struct {
		name, method string
		header       map[string]string
		want         int
	}{
		{"cross-site POST", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site POST", "POST", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"cross-origin Origin", "POST", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same-origin POST", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusNoContent},
		{"same Origin", "POST", map[string]string{"Origin": "https://smartd.example"}, http.StatusNoContent},
		{"cross-site GET", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusNoContent},
		{"non-browser POST", "POST", nil, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "https://smartd.example/login", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("status %d, want %d", w.Code, tt.want)
			}
		})
	}
}

func TestPageHeaders(t *testing.T) {
	for _, self := range []bool{false, true} {
		h := http.Header{}
		PageHeaders(h, self)
		want := http.Header{
			"X-Frame-Options":         {"DENY"},
			"Content-Security-Policy": {"frame-ancestors 'none'"},
			"X-Content-Type-Options":  {"nosniff"},
			"Referrer-Policy":         {"no-referrer"},
			"Cache-Control":           {"no-store"},
		}
		if self {
			want.Set("X-Frame-Options", "SAMEORIGIN")
			want.Set("Content-Security-Policy", "frame-ancestors 'self'")
		}
		if diff := cmp.Diff(want, h); diff != "" {
			t.Errorf("allowFramingBySelf=%v (-want +got):\n%s", self, diff)
		}
	}
}
