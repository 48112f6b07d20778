package keys

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// benchClaims are the size of a SMART access token's claims.
type benchClaims struct {
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
	Patient  string `json:"patient,omitempty"`
	jwt.RegisteredClaims
}

func newBenchClaims() *benchClaims {
	return &benchClaims{
		Scope:            "launch/patient openid fhirUser offline_access patient/*.rs",
		ClientID:         "c8b1e0a2-6b1d-4c4e-9d0f-3a1f2e5d7c90",
		Patient:          "Patient/f0e1d2c3",
		RegisteredClaims: claims(time.Now(), 5*time.Minute),
	}
}

func BenchmarkSignAccessToken(b *testing.B) {
	k, _ := newKeys(b, Options{})
	c := newBenchClaims()
	for b.Loop() {
		if _, err := k.SignAccessToken(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignAccessTokenParallel shows the sign path has no lock to
// contend on: ns/op falls with GOMAXPROCS.
func BenchmarkSignAccessTokenParallel(b *testing.B) {
	k, _ := newKeys(b, Options{})
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := newBenchClaims()
		for pb.Next() {
			if _, err := k.SignAccessToken(c); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkSignIDToken(b *testing.B) {
	k, _ := newKeys(b, Options{})
	c := newBenchClaims()
	for b.Loop() {
		if _, err := k.SignIDToken(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAccessToken(b *testing.B) {
	k, _ := newKeys(b, Options{})
	tok, err := k.SignAccessToken(newBenchClaims())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := k.VerifyAccessToken(tok, &benchClaims{}, jwt.WithAudience("https://smartd.example/fhir")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJWKS(b *testing.B) {
	k, _ := newKeys(b, Options{})
	for b.Loop() {
		_ = k.JWKS()
	}
}
