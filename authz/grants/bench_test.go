package grants

import (
	"testing"
	"time"
)

// BenchmarkIssueRedeemCode measures one authorize + token round trip of
// the store: IssueCode then RedeemCode with PKCE.
func BenchmarkIssueRedeemCode(b *testing.B) {
	s := newStore(b, Options{})
	g := testGrant()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			code, err := s.IssueCode(g, testRedirect, testChallenge, "")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.RedeemCode(code, "app", testRedirect, testVerifier); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRotateRefresh measures refresh_token grants from 8 goroutines
// per CPU, which db.Batch groups into shared transactions.
func BenchmarkRotateRefresh(b *testing.B) {
	s := newStore(b, Options{})
	b.SetParallelism(8)
	g := redeemGrant(b, s, testGrant())
	b.RunParallel(func(pb *testing.PB) {
		token, err := s.IssueRefresh(g.ID, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		for pb.Next() {
			if _, token, err = s.RotateRefresh(token, "app"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
