package grants

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRedeemCode(t *testing.T) {
	clock := newClock()
	s := newStore(t, Options{Now: clock.Now})
	g := testGrant()
	code, err := s.IssueCode(g, testRedirect, testChallenge, "n-0S6")
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 43 {
		t.Errorf("code %q has %d characters, want 43 (32 bytes base64url)", code, len(code))
	}
	clock.Advance(59 * time.Second)
	got, err := s.RedeemCode(code, "app", testRedirect, testVerifier)
	if err != nil {
		t.Fatal(err)
	}
	want := g
	want.ID, want.Created, want.Nonce = got.ID, clock.Now().Add(-59*time.Second), "n-0S6"
	if got.ID == "" {
		t.Error("IssueCode set no grant id")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grant (-want +got):\n%s", diff)
	}
	if s.Revoked(got.ID) {
		t.Error("grant revoked after one redemption")
	}
	// Reuse (RFC 6749 §10.5): refused, and the grant is revoked.
	if _, err := s.RedeemCode(code, "app", testRedirect, testVerifier); !errors.Is(err, ErrCodeReused) {
		t.Fatalf("second redemption: err = %v, want ErrCodeReused", err)
	}
	if !s.Revoked(got.ID) {
		t.Error("grant not revoked after code reuse")
	}
	if _, err := s.IssueRefresh(got.ID, time.Hour); !errors.Is(err, ErrRevoked) {
		t.Errorf("IssueRefresh after reuse: err = %v, want ErrRevoked", err)
	}
}

func TestRedeemCodeRefusals(t *testing.T) {
	tests := []struct {
		name                       string
		wait                       time.Duration
		code                       string // "" means the issued code
		client, redirect, verifier string
		want                       error
	}{
		{"unknown code", 0, "nope", "app", testRedirect, testVerifier, ErrNotFound},
		{"expired at 60 s", 60 * time.Second, "", "app", testRedirect, testVerifier, ErrExpired},
		{"wrong client", 0, "", "other", testRedirect, testVerifier, ErrClientMismatch},
		{"wrong redirect_uri", 0, "", "app", testRedirect + "/x", testVerifier, ErrRedirectMismatch},
		{"wrong verifier", 0, "", "app", testRedirect, "x" + testVerifier[1:], ErrPKCE},
		{"missing verifier", 0, "", "app", testRedirect, "", ErrPKCE},
		{"verifier equals challenge", 0, "", "app", testRedirect, testChallenge, ErrPKCE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			s := newStore(t, Options{Now: clock.Now})
			code, err := s.IssueCode(testGrant(), testRedirect, testChallenge, "")
			if err != nil {
				t.Fatal(err)
			}
			if tt.code != "" {
				code = tt.code
			}
			clock.Advance(tt.wait)
			if _, err := s.RedeemCode(code, tt.client, tt.redirect, tt.verifier); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.code != "" {
				return
			}
			// The failed attempt consumed the code.
			if _, err := s.RedeemCode(code, "app", testRedirect, testVerifier); !errors.Is(err, ErrCodeReused) {
				t.Fatalf("retry: err = %v, want ErrCodeReused", err)
			}
		})
	}
}

func TestIssueCodeRefusesBadPKCE(t *testing.T) {
	s := newStore(t, Options{})
	if _, err := s.IssueCode(testGrant(), testRedirect, testVerifier[:40], ""); !errors.Is(err, ErrPKCE) {
		t.Errorf("bad challenge: err = %v, want ErrPKCE", err)
	}
	if _, err := s.IssueCode(testGrant(), "", testChallenge, ""); err == nil {
		t.Error("empty redirect_uri accepted")
	}
	if _, err := s.IssueCode(Grant{}, testRedirect, testChallenge, ""); err == nil {
		t.Error("grant without client accepted")
	}
}

func TestRedeemCodeConcurrent(t *testing.T) {
	s := newStore(t, Options{})
	code, err := s.IssueCode(testGrant(), testRedirect, testChallenge, "")
	if err != nil {
		t.Fatal(err)
	}
	var wins, reused atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 20 {
		wg.Go(func() {
			<-start
			_, err := s.RedeemCode(code, "app", testRedirect, testVerifier)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, ErrCodeReused):
				reused.Add(1)
			default:
				t.Errorf("unexpected error %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 || reused.Load() != 19 {
		t.Errorf("wins = %d, reused = %d; want 1 and 19", wins.Load(), reused.Load())
	}
}

func TestCodeSweep(t *testing.T) {
	clock := newClock()
	s := newStore(t, Options{Now: clock.Now})
	g := redeemGrant(t, s, testGrant())
	if _, err := s.IssueCode(testGrant(), testRedirect, testChallenge, ""); err != nil {
		t.Fatal(err)
	}
	if n := s.codeCount(); n != 2 {
		t.Fatalf("codes in memory = %d, want 2 (one tombstone)", n)
	}
	clock.Advance(CodeLifetime + tombstoneTTL)
	if _, err := s.IssueCode(testGrant(), testRedirect, testChallenge, ""); err != nil {
		t.Fatal(err)
	}
	if n := s.codeCount(); n != 1 {
		t.Errorf("codes in memory after sweep = %d, want 1", n)
	}
	if _, err := s.IssueRefresh(g.ID, time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("IssueRefresh of a forgotten grant: err = %v, want ErrNotFound", err)
	}
}
