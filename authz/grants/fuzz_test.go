package grants

import (
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// FuzzVerify checks that Verify accepts exactly the well-formed verifiers
// whose S256 is the challenge, and never a verifier equal to it.
func FuzzVerify(f *testing.F) {
	for _, tt := range verifyTests {
		f.Add(tt.challenge, tt.verifier)
	}
	f.Fuzz(func(t *testing.T, challenge, verifier string) {
		err := Verify(challenge, verifier)
		sum := sha256.Sum256([]byte(verifier))
		matches := base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
		wellFormed := len(verifier) >= 43 && len(verifier) <= 128
		for i := 0; i < len(verifier); i++ {
			wellFormed = wellFormed && unreserved(verifier[i])
		}
		want := matches && wellFormed && verifier != challenge
		if (err == nil) != want {
			t.Fatalf("Verify(%q, %q) = %v, want ok=%v", challenge, verifier, err, want)
		}
		// The verifier's own S256 always verifies when well formed.
		own := base64.RawURLEncoding.EncodeToString(sum[:])
		if err := Verify(own, verifier); (err == nil) != (wellFormed && own != verifier) {
			t.Fatalf("Verify(S256(%q)) = %v", verifier, err)
		}
	})
}
