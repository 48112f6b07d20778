package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"
)

// kdfParams are the argon2id parameters of an encrypted key store, stored in
// its meta record so that a later release may raise them for new stores
// without losing old ones.
type kdfParams struct {
	Alg       string `json:"alg"`
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"t"`
	MemoryKiB uint32 `json:"m"`
	Threads   uint8  `json:"p"`
}

// kdfArgon2id names the only KDF so far.
const kdfArgon2id = "argon2id"

// newKDFParams returns the parameters for a new store: RFC 9106 §4, the
// second recommended option (t=3, 64 MiB, p=4), with a 16-byte salt, the
// RFC's recommended length. Deriving takes about 0.1 s, once per Open.
func newKDFParams(rand io.Reader) (kdfParams, error) {
	p := kdfParams{Alg: kdfArgon2id, Salt: make([]byte, 16), Time: 3, MemoryKiB: 64 * 1024, Threads: 4}
	if _, err := io.ReadFull(rand, p.Salt); err != nil {
		return kdfParams{}, fmt.Errorf("salt: %w", err)
	}
	return p, nil
}

// check refuses parameters no release of smartd writes, so that a damaged
// meta record cannot make Open allocate gigabytes or spin for minutes.
func (p kdfParams) check() error {
	if p.Alg != kdfArgon2id || len(p.Salt) < 16 || len(p.Salt) > 64 ||
		p.Time < 1 || p.Time > 16 || p.MemoryKiB < 8*1024 || p.MemoryKiB > 1024*1024 ||
		p.Threads < 1 || p.Threads > 16 {
		return fmt.Errorf("%w: unsupported key derivation parameters", ErrCorrupt)
	}
	return nil
}

// aead derives the AES-256 key from the passphrase and returns AES-GCM
// under it.
func (p kdfParams) aead(passphrase string) (cipher.AEAD, error) {
	key := argon2.IDKey([]byte(passphrase), p.Salt, p.Time, p.MemoryKiB, p.Threads, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts plaintext as nonce || ciphertext || tag. The aad binds the
// ciphertext to the record it belongs to (the kid), so records cannot be
// swapped. Random 96-bit nonces are safe here: a store seals a handful of
// keys per rotation, far below the 2^32 messages NIST SP 800-38D allows.
func seal(aead cipher.AEAD, rand io.Reader, plaintext, aad []byte) ([]byte, error) {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, plaintext, aad), nil
}

// unseal reverses seal; it fails when the key (the passphrase) is wrong or
// the bytes were altered.
func unseal(aead cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, fmt.Errorf("%w: sealed value too short", ErrCorrupt)
	}
	return aead.Open(nil, sealed[:n], sealed[n:], aad)
}
