package authz

import (
	"errors"
	"strings"
	"testing"

	"smartd/authz/oauth"
)

// FuzzParseTokenRequest: any body decodes to a known grant type with no
// repeated parameter, or to an OAuth error with a 4xx status; never a
// panic.
func FuzzParseTokenRequest(f *testing.F) {
	for _, tc := range tokenRequestCases {
		f.Add(tc.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req, err := decodeToken(body, "application/x-www-form-urlencoded")
		if err != nil {
			var e *oauth.Error
			if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 {
				t.Fatalf("%q: error %v is not a client error", body, err)
			}
			return
		}
		switch req.GrantType {
		case GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken:
		default:
			t.Fatalf("%q: grant type %q", body, req.GrantType)
		}
		for k, v := range req.Form {
			if len(v) != 1 {
				t.Fatalf("%q: %s sent %d times", body, k, len(v))
			}
		}
	})
}

// FuzzOriginKey: a normalised origin normalises to itself, is lower case
// and has no default port, path or user information.
func FuzzOriginKey(f *testing.F) {
	for _, tc := range originCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, origin string) {
		key, ok := originKey(origin)
		if !ok {
			return
		}
		again, ok := originKey(key)
		if !ok || again != key {
			t.Fatalf("originKey(%q) = %q, but originKey(%q) = %q, %v", origin, key, key, again, ok)
		}
		if key != strings.ToLower(key) || strings.HasSuffix(key, ":443") && strings.HasPrefix(key, "https:") || strings.Count(key, "/") != 2 || strings.Contains(key, "@") {
			t.Fatalf("originKey(%q) = %q", origin, key)
		}
	})
}
