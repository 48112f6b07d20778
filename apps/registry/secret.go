package registry

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"io"
)

// secretBytes is the entropy of client secrets and registration access
// tokens (STYLE.md: at least 32 bytes from crypto/rand).
const secretBytes = 32

// clientIDBytes is the entropy of generated client_ids: 16 bytes make 22
// base64url characters.
const clientIDBytes = 16

// NewSecret returns a new client secret or registration access token: 32
// bytes from crypto/rand as base64url without padding (43 characters), and
// the SHA-256 digest to store.
func NewSecret() (plain string, hash []byte, err error) { return newSecret(rand.Reader) }

func newSecret(r io.Reader) (string, []byte, error) {
	plain, err := randomString(r, secretBytes)
	if err != nil {
		return "", nil, err
	}
	return plain, hashSecret(plain), nil
}

// CheckSecret reports, in constant time, whether plain hashes to hash.
// It is false for an empty plain or a hash that is not a SHA-256 digest.
func CheckSecret(hash []byte, plain string) bool {
	if plain == "" || len(hash) != sha256.Size {
		return false
	}
	return subtle.ConstantTimeCompare(hash, hashSecret(plain)) == 1
}

// hashSecret digests a high-entropy secret. A fast hash is enough because
// the secrets are 256-bit random values, not passwords; this is why the
// package does not let callers hash secrets of their own choosing.
func hashSecret(plain string) []byte {
	h := sha256.Sum256([]byte(plain))
	return h[:]
}

// newClientID returns 22 URL-safe random characters, the first a letter
// (A-Z, a-f): an id that began with '-' would read as a flag on a command
// line (smartd apps show -x...). Clearing the first byte's top bit for
// that leaves 127 random bits.
func newClientID(r io.Reader) (string, error) {
	b := make([]byte, clientIDBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	b[0] &= 0x7f
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func randomString(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
