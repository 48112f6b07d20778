package keys

import (
	"bytes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The bucket this package owns in the data file, and its keys: one meta
// record, then one record per signing key under keyPrefix and an 8-byte
// big-endian sequence number, so a cursor walks keys oldest first.
var (
	bucketKeys = []byte("authz.keys")
	metaKey    = []byte("meta")
	keyPrefix  = []byte("key/")
)

// metaVersion is the layout of the bucket this release writes.
const metaVersion = 1

// checkPlaintext is sealed in the meta record of an encrypted store, so a
// wrong passphrase is told apart from a damaged key record.
var checkPlaintext = []byte("smartd authz.keys passphrase check")

// metaRecord describes the bucket: its layout version and, when private
// keys are sealed, how the sealing key is derived from the passphrase.
type metaRecord struct {
	Version int `json:"v"`
	// KDF is nil when private keys are stored in the clear.
	KDF *kdfParams `json:"kdf,omitempty"`
	// Check is checkPlaintext sealed with "meta" as additional data.
	Check []byte `json:"check,omitempty"`
}

// openMeta reads the meta record and returns the AEAD that seals private
// keys, or nil for a store in the clear. On a writable transaction and a
// new bucket it writes a meta record for passphrase.
func openMeta(b *bolt.Bucket, passphrase string, rnd io.Reader) (cipher.AEAD, error) {
	raw := b.Get(metaKey)
	if raw == nil {
		if k, _ := b.Cursor().Seek(keyPrefix); bytes.HasPrefix(k, keyPrefix) {
			return nil, fmt.Errorf("%w: key records without a meta record", ErrCorrupt)
		}
		if !b.Tx().Writable() {
			return nil, ErrNotInitialized
		}
		return createMeta(b, passphrase, rnd)
	}
	var m metaRecord
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: meta: %v", ErrCorrupt, err)
	}
	if m.Version != metaVersion {
		return nil, fmt.Errorf("%w: layout version %d, this smartd reads %d", ErrCorrupt, m.Version, metaVersion)
	}
	switch {
	case m.KDF == nil && passphrase == "":
		return nil, nil
	case m.KDF == nil:
		return nil, ErrNotEncrypted
	case passphrase == "":
		return nil, ErrPassphraseRequired
	}
	if err := m.KDF.check(); err != nil {
		return nil, err
	}
	aead, err := m.KDF.aead(passphrase)
	if err != nil {
		return nil, err
	}
	got, err := unseal(aead, m.Check, []byte("meta"))
	if err != nil || !bytes.Equal(got, checkPlaintext) {
		return nil, ErrWrongPassphrase
	}
	return aead, nil
}

// createMeta writes the meta record of a new store.
func createMeta(b *bolt.Bucket, passphrase string, rnd io.Reader) (cipher.AEAD, error) {
	m := metaRecord{Version: metaVersion}
	var aead cipher.AEAD
	if passphrase != "" {
		p, err := newKDFParams(rnd)
		if err != nil {
			return nil, err
		}
		if aead, err = p.aead(passphrase); err != nil {
			return nil, err
		}
		if m.Check, err = seal(aead, rnd, checkPlaintext, []byte("meta")); err != nil {
			return nil, err
		}
		m.KDF = &p
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return aead, b.Put(metaKey, raw)
}

// loadKeys decodes every key still live at now, newest first. On a
// writable transaction it deletes the records of keys whose retention has
// passed, so no private key is kept longer than it can serve.
func loadKeys(b *bolt.Bucket, aead cipher.AEAD, now time.Time) ([]*key, error) {
	var ks []*key
	var dead [][]byte
	c := b.Cursor()
	for k, v := c.Seek(keyPrefix); k != nil && bytes.HasPrefix(k, keyPrefix); k, v = c.Next() {
		var dates struct {
			Expires time.Time `json:"expires,omitzero"`
		}
		if err := json.Unmarshal(v, &dates); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if !dates.Expires.IsZero() && !now.Before(dates.Expires) {
			dead = append(dead, bytes.Clone(k))
			continue
		}
		key, err := decodeKey(v, aead)
		if err != nil {
			return nil, err
		}
		ks = append(ks, key)
	}
	if b.Tx().Writable() {
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return nil, err
			}
		}
	}
	for i, j := 0, len(ks)-1; i < j; i, j = i+1, j-1 {
		ks[i], ks[j] = ks[j], ks[i]
	}
	return ks, nil
}

// putKey stores a new key record under the next sequence number.
func putKey(b *bolt.Bucket, rec []byte) error {
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return b.Put(binary.BigEndian.AppendUint64(bytes.Clone(keyPrefix), seq), rec)
}

// retireCurrent marks every current key as retired at now, verifiable
// until expires. Only the dates change: the sealed private key is copied
// as it is.
func retireCurrent(b *bolt.Bucket, now, expires time.Time) error {
	type change struct{ k, v []byte }
	var changes []change
	c := b.Cursor()
	for k, v := c.Seek(keyPrefix); k != nil && bytes.HasPrefix(k, keyPrefix); k, v = c.Next() {
		var rec keyRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if !rec.Retired.IsZero() {
			continue
		}
		rec.Retired, rec.Expires = now, expires
		nv, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		changes = append(changes, change{bytes.Clone(k), nv})
	}
	for _, ch := range changes {
		if err := b.Put(ch.k, ch.v); err != nil {
			return err
		}
	}
	return nil
}
