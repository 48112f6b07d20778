package keys

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Options configure Open. The zero value is usable: keys in the clear,
// 24 h retention, RSA 2048, the system clock and crypto/rand.
type Options struct {
	// Passphrase, when not empty, seals private keys at rest (argon2id,
	// AES-256-GCM). cmd/smartd takes it from SMARTD_KEY_PASSPHRASE. A store
	// keeps the mode it was created with: Open fails with
	// ErrPassphraseRequired or ErrNotEncrypted on a mismatch.
	Passphrase string
	// Retain is how long Rotate keeps a replaced key published and
	// accepted for verification; zero means 24 h. It must exceed the
	// longest token lifetime plus verification leeway; the sign methods
	// refuse claims whose exp lies beyond now+Retain.
	Retain time.Duration
	// RSABits is the modulus size of new RSA (id_token) keys: 2048, 3072
	// or 4096; zero means 2048. It applies to keys made from now on.
	RSABits int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand feeds salts and nonces; nil means crypto/rand. Key generation
	// always uses the system source (Go 1.26).
	Rand io.Reader
}

// defaultRetain outlasts any token smartd issues (access tokens live
// minutes to an hour), with room for clock skew.
const defaultRetain = 24 * time.Hour

// Keys is smartd's set of signing keys. It is safe for concurrent use:
// signing and verification read an immutable snapshot through an atomic
// pointer and take no lock.
type Keys struct {
	db      *bolt.DB
	aead    cipher.AEAD // nil when private keys are stored in the clear
	now     func() time.Time
	rand    io.Reader
	retain  time.Duration
	rsaBits int

	mu   sync.Mutex // serialises Rotate and snapshot rebuilds
	ring atomic.Pointer[ring]
}

// ring is an immutable snapshot of the keys.
type ring struct {
	es, rs *key            // the current signers
	byKid  map[string]*key // every live key
	keys   []*key          // every live key, newest first
	jwks   []byte
	// stale is when the oldest retained key expires, and the JWKS must drop
	// it; zero when no key is retained.
	stale time.Time
}

// Info describes one key, for `smartd keys list`.
type Info struct {
	Kid     string
	Alg     string // ES256 (access tokens) or RS256 (id_tokens)
	Created time.Time
	// Retired is when Rotate replaced the key; zero while it is current.
	Retired time.Time
	// Expires is when the key stops verifying and leaves the JWKS; zero
	// while it is current.
	Expires time.Time
	// Current reports whether the key signs new tokens.
	Current bool
}

// Open loads the signing keys from db, creating the bucket and a first key
// per algorithm when there are none, and deleting keys whose retention has
// passed. On a read-only db it creates and deletes nothing.
func Open(db *bolt.DB, opts Options) (*Keys, error) {
	k := &Keys{db: db, now: opts.Now, rand: opts.Rand, retain: opts.Retain, rsaBits: opts.RSABits}
	if k.now == nil {
		k.now = time.Now
	}
	if k.rand == nil {
		k.rand = rand.Reader
	}
	if k.retain == 0 {
		k.retain = defaultRetain
	}
	if k.retain < 0 {
		return nil, fmt.Errorf("keys: open: negative retention %v", opts.Retain)
	}
	switch k.rsaBits {
	case 0:
		k.rsaBits = 2048
	case 2048, 3072, 4096:
	default:
		return nil, fmt.Errorf("keys: open: RSA key size %d is not 2048, 3072 or 4096", opts.RSABits)
	}
	var r *ring
	var err error
	load := func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKeys)
		if b == nil {
			if !tx.Writable() {
				return ErrNotInitialized
			}
			if b, err = tx.CreateBucket(bucketKeys); err != nil {
				return err
			}
		}
		if k.aead, err = openMeta(b, opts.Passphrase, k.rand); err != nil {
			return err
		}
		r, err = k.loadRing(b)
		return err
	}
	if db.IsReadOnly() {
		err = db.View(load)
	} else {
		err = db.Update(load)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: open: %w", err)
	}
	k.ring.Store(r)
	return k, nil
}

// loadRing reads the live keys of b and, on a writable transaction, adds a
// current key for each algorithm that has none.
func (k *Keys) loadRing(b *bolt.Bucket) (*ring, error) {
	now := k.now()
	ks, err := loadKeys(b, k.aead, now)
	if err != nil {
		return nil, err
	}
	r := newRing(ks, now)
	for _, alg := range []string{algES256, algRS256} {
		if r.signer(alg) != nil {
			continue
		}
		if !b.Tx().Writable() {
			return nil, fmt.Errorf("%w: no current %s key", ErrNotInitialized, alg)
		}
		nk, err := k.putNewKey(b, alg, now)
		if err != nil {
			return nil, err
		}
		ks = append([]*key{nk}, ks...)
	}
	return newRing(ks, now), nil
}

// putNewKey generates a key for alg and stores it.
func (k *Keys) putNewKey(b *bolt.Bucket, alg string, now time.Time) (*key, error) {
	nk, err := generateKey(alg, k.rsaBits, now)
	if err != nil {
		return nil, err
	}
	rec, err := encodeKey(nk, k.aead, k.rand)
	if err != nil {
		return nil, err
	}
	return nk, putKey(b, rec)
}

// Rotate adds a new key per algorithm and makes them current. The keys
// they replace keep verifying, and stay in the JWKS, for Options.Retain;
// keys whose retention has passed are deleted.
func (k *Keys) Rotate() error {
	if k.db.IsReadOnly() {
		return fmt.Errorf("keys: rotate: %w", ErrReadOnly)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	// Generate and seal before the write transaction: RSA generation takes
	// tens of milliseconds (hundreds at 3072 bits), and bbolt's single
	// writer would stall token issuance meanwhile.
	now := k.now()
	var recs [][]byte
	for _, alg := range []string{algES256, algRS256} {
		nk, err := generateKey(alg, k.rsaBits, now)
		if err != nil {
			return fmt.Errorf("keys: rotate: %w", err)
		}
		rec, err := encodeKey(nk, k.aead, k.rand)
		if err != nil {
			return fmt.Errorf("keys: rotate: %w", err)
		}
		recs = append(recs, rec)
	}
	var r *ring
	err := k.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKeys)
		if b == nil {
			return errors.New("bucket " + string(bucketKeys) + " is gone")
		}
		if err := retireCurrent(b, now.UTC(), now.Add(k.retain).UTC()); err != nil {
			return err
		}
		for _, rec := range recs {
			if err := putKey(b, rec); err != nil {
				return err
			}
		}
		var err error
		r, err = k.loadRing(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("keys: rotate: %w", err)
	}
	k.ring.Store(r)
	return nil
}

// List describes every key that may still verify a token, newest first.
func (k *Keys) List() []Info {
	r := k.ring.Load()
	out := make([]Info, 0, len(r.keys))
	for _, key := range r.keys {
		out = append(out, Info{Kid: key.kid, Alg: key.alg, Created: key.created,
			Retired: key.retired, Expires: key.expires, Current: key == r.es || key == r.rs})
	}
	return out
}

// JWKS returns the JWK Set to serve at jwks_uri (RFC 7517 §5): the public
// half of every key that may still verify a token. The bytes are built at
// rotation and when a retained key expires, not per call.
func (k *Keys) JWKS() []byte {
	r := k.ring.Load()
	if !r.stale.IsZero() && !k.now().Before(r.stale) {
		r = k.refresh()
	}
	return bytes.Clone(r.jwks)
}

// refresh replaces the snapshot with one without the keys that expired.
func (k *Keys) refresh() *ring {
	k.mu.Lock()
	defer k.mu.Unlock()
	r := k.ring.Load()
	if now := k.now(); !r.stale.IsZero() && !now.Before(r.stale) {
		r = newRing(r.keys, now)
		k.ring.Store(r)
	}
	return r
}

// newRing builds a snapshot from ks (newest first), leaving out keys
// expired at now.
func newRing(ks []*key, now time.Time) *ring {
	r := &ring{byKid: make(map[string]*key, len(ks))}
	for _, key := range ks {
		if !key.live(now) {
			continue
		}
		r.keys = append(r.keys, key)
		r.byKid[key.kid] = key
		if key.retired.IsZero() {
			switch {
			case key.alg == algES256 && r.es == nil:
				r.es = key
			case key.alg == algRS256 && r.rs == nil:
				r.rs = key
			}
		}
		if !key.expires.IsZero() && (r.stale.IsZero() || key.expires.Before(r.stale)) {
			r.stale = key.expires
		}
	}
	r.jwks = marshalJWKS(r.keys)
	return r
}

// signer returns the current key for alg, or nil.
func (r *ring) signer(alg string) *key {
	if alg == algES256 {
		return r.es
	}
	return r.rs
}
