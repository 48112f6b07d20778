package users

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters (RFC 9106 §3.1).
type Params struct {
	// Memory is m, in KiB.
	Memory uint32
	// Time is t, the number of passes.
	Time uint32
	// Threads is p, the degree of parallelism.
	Threads uint8
	// SaltLen and KeyLen are in bytes.
	SaltLen, KeyLen uint32
}

// DefaultParams are the parameters new hashes use: 64 MiB, 3 passes,
// 2 lanes, a 16-byte salt and a 32-byte hash. That is RFC 9106 §4's second
// recommended option (t=3, m=64 MiB) with p=2 for the 2-core machine smartd
// is sized for, where one verification takes about 70 ms (t=2: 45 ms,
// t=1: 25 ms): acceptable for a rate-limited login, and the memory, the
// costly part for an attacker's hardware, stays well above OWASP's 19 MiB.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// Limits on what a stored hash may ask for, so that a corrupt or hostile
// hash string cannot make one verification exhaust memory or time.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// ErrHashFormat: a stored hash is not an argon2id PHC string smartd can verify.
var ErrHashFormat = errors.New("password hash is not a valid argon2id PHC string")

var b64 = base64.RawStdEncoding

// phc is a decoded PHC string.
type phc struct {
	params     Params
	salt, hash []byte
}

// HashPassword hashes password with p and a fresh salt from rand
// (crypto/rand when nil) and returns the PHC string.
func HashPassword(password string, p Params, rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", fmt.Errorf("users: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(phc{params: p, salt: salt, hash: key}), nil
}

// VerifyPassword reports whether password matches the PHC string encoded,
// comparing in constant time. It returns ErrHashFormat for a hash it
// cannot read (or whose parameters exceed its limits).
func VerifyPassword(password, encoded string) (bool, error) {
	h, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	p := h.params
	key := argon2.IDKey([]byte(password), h.salt, p.Time, p.Memory, p.Threads, uint32(len(h.hash)))
	return subtle.ConstantTimeCompare(key, h.hash) == 1, nil
}

// NeedsRehash reports whether encoded was made with weaker parameters than
// p (less memory, fewer passes or lanes, a shorter salt or hash), or
// cannot be read at all.
func (p Params) NeedsRehash(encoded string) bool {
	h, err := decodePHC(encoded)
	if err != nil {
		return true
	}
	q := h.params
	return q.Memory < p.Memory || q.Time < p.Time || q.Threads < p.Threads ||
		q.SaltLen < p.SaltLen || q.KeyLen < p.KeyLen
}

func encodePHC(h phc) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memory, h.params.Time, h.params.Threads, b64.EncodeToString(h.salt), b64.EncodeToString(h.hash))
}

// decodePHC parses $argon2id$v=19$m=M,t=T,p=P$salt$hash strictly: the
// parameters in this order, base64 without padding, within the limits.
func decodePHC(s string) (phc, error) {
	var h phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, ErrHashFormat
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return h, ErrHashFormat
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok || v == "" || v[0] == '+' || (len(v) > 1 && v[0] == '0') {
			return h, ErrHashFormat
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return h, ErrHashFormat
		}
		vals[i] = n
	}
	m, t, p := vals[0], vals[1], vals[2]
	if p < 1 || p > 255 || t < 1 || t > maxTime || m < 8*p || m > maxMemory {
		return h, ErrHashFormat
	}
	var ok1, ok2 bool
	h.salt, ok1 = decodeB64(parts[4], minSaltLen, maxSaltLen)
	h.hash, ok2 = decodeB64(parts[5], minKeyLen, maxKeyLen)
	if !ok1 || !ok2 {
		return phc{}, ErrHashFormat
	}
	h.params = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p), SaltLen: uint32(len(h.salt)), KeyLen: uint32(len(h.hash))}
	return h, nil
}

// decodeB64 decodes canonical unpadded base64 of min to max bytes. The
// decoder skips CR and LF, so the round trip is checked too.
func decodeB64(s string, lo, hi int) ([]byte, bool) {
	b, err := b64.Strict().DecodeString(s)
	if err != nil || len(b) < lo || len(b) > hi || b64.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}
