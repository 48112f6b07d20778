package users

import (
	"strings"
	"testing"
)

// FuzzVerify: no stored hash string makes VerifyPassword or NeedsRehash
// panic, a string that decodes re-encodes to itself, and one that does not
// decode is ErrHashFormat.
func FuzzVerify(f *testing.F) {
	good, err := HashPassword("password", fastParams, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "password")
	parts := strings.Split(good, "$")
	for _, h := range badHashes(parts[4], parts[5]) {
		f.Add(h, "password")
	}
	f.Fuzz(func(t *testing.T, encoded, password string) {
		DefaultParams().NeedsRehash(encoded)
		h, err := decodePHC(encoded)
		if err != nil {
			if ok, verr := VerifyPassword(password, encoded); ok || verr != ErrHashFormat {
				t.Fatalf("VerifyPassword(%q) = %v, %v after decode error %v", encoded, ok, verr, err)
			}
			return
		}
		if got := encodePHC(h); got != encoded {
			t.Fatalf("decode/encode %q -> %q", encoded, got)
		}
		// Verify only what is cheap; the limits bound the rest.
		if h.params.Memory*h.params.Time <= 4096 {
			if _, err := VerifyPassword(password, encoded); err != nil {
				t.Fatalf("VerifyPassword(%q): %v", encoded, err)
			}
		}
	})
}
