package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	bolt "go.etcd.io/bbolt"
)

// secrets returns byte strings that would betray the private keys of k if
// found in the data file: the PKCS #8 DER in raw and JSON (base64) form, the
// EC scalar and the RSA primes and private exponent.
func secrets(t *testing.T, k *Keys) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, key := range k.ring.Load().keys {
		der, err := x509.MarshalPKCS8PrivateKey(key.signer)
		if err != nil {
			t.Fatal(err)
		}
		out[key.alg+" DER"] = der
		switch p := key.signer.(type) {
		case *ecdsa.PrivateKey:
			d, err := p.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			out["ES256 d"] = d
		case *rsa.PrivateKey:
			out["RS256 d"] = p.D.Bytes()
			out["RS256 p"] = p.Primes[0].Bytes()
			out["RS256 q"] = p.Primes[1].Bytes()
		}
	}
	return out
}

// contains reports whether file holds s raw or base64-encoded (standard or
// URL alphabet) at any alignment, as JSON would write a []byte.
func contains(file, s []byte) bool {
	if bytes.Contains(file, s) {
		return true
	}
	for shift := range 3 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			e := enc.EncodeToString(s[shift:])
			// The last four characters depend on what follows s.
			if bytes.Contains(file, []byte(e[:len(e)-4])) {
				return true
			}
		}
	}
	return false
}

// fileBytes returns the whole data file, every page, free ones included.
func fileBytes(t *testing.T, db *bolt.DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := db.View(func(tx *bolt.Tx) error { _, err := tx.WriteTo(&buf); return err }); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPassphraseAtRest(t *testing.T) {
	for _, tc := range []struct {
		name       string
		passphrase string
		inClear    bool
	}{
		// The clear case proves the search would find the material.
		{"no passphrase", "", true},
		{"passphrase", "correct horse battery staple", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, db := newKeys(t, Options{Passphrase: tc.passphrase})
			if err := k.Rotate(); err != nil {
				t.Fatal(err)
			}
			file := fileBytes(t, db)
			for name, s := range secrets(t, k) {
				if got := contains(file, s); got != tc.inClear {
					t.Errorf("%s in the data file: %v, want %v", name, got, tc.inClear)
				}
			}
			for key, v := range bucketEntries(t, db) {
				if strings.Contains(string(v), tc.passphrase) && tc.passphrase != "" {
					t.Errorf("record %q holds the passphrase", key)
				}
			}
		})
	}
}

func TestPassphraseMismatch(t *testing.T) {
	const pass = "correct horse battery staple"
	for _, tc := range []struct {
		name        string
		created     string
		opened      string
		want        error
		wantMessage string
	}{
		{"same passphrase", pass, pass, nil, ""},
		{"wrong passphrase", pass, pass + "!", ErrWrongPassphrase, "wrong passphrase"},
		{"missing passphrase", pass, "", ErrPassphraseRequired, "encrypted"},
		{"passphrase on a clear store", "", pass, ErrNotEncrypted, "created without a passphrase"},
		{"clear store", "", "", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "smartd.db")
			db := openDB(t, path, false)
			k, err := Open(db, Options{Passphrase: tc.created})
			if err != nil {
				t.Fatal(err)
			}
			at, err := k.SignAccessToken(claims(time.Now(), time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			before := bucketEntries(t, db)
			db.Close()
			db = openDB(t, path, false)
			k2, err := Open(db, Options{Passphrase: tc.opened})
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tc.wantMessage) || !strings.Contains(err.Error(), "SMARTD_KEY_PASSPHRASE") {
					t.Errorf("message %q should say %q and name SMARTD_KEY_PASSPHRASE", err, tc.wantMessage)
				}
				if after := bucketEntries(t, db); len(after) != len(before) {
					t.Errorf("a refused Open changed the bucket: %d records, was %d", len(after), len(before))
				}
				return
			}
			if _, err := k2.VerifyAccessToken(at, &jwt.RegisteredClaims{}); err != nil {
				t.Errorf("token signed before reopening: %v", err)
			}
		})
	}
}

func TestSealedRecordTampered(t *testing.T) {
	const pass = "pass"
	path := filepath.Join(t.TempDir(), "smartd.db")
	db := openDB(t, path, false)
	if _, err := Open(db, Options{Passphrase: pass}); err != nil {
		t.Fatal(err)
	}
	entries := bucketEntries(t, db)
	var recs []string
	for name := range entries {
		if strings.HasPrefix(name, string(keyPrefix)) {
			recs = append(recs, name)
		}
	}
	if len(recs) != 2 {
		t.Fatalf("%d key records, want 2", len(recs))
	}
	for _, tc := range []struct {
		name   string
		change func(a, b *keyRecord)
	}{
		{"flipped byte", func(a, _ *keyRecord) { a.Private[len(a.Private)-1] ^= 1 }},
		// The kid is the additional data: a sealed key moved under another
		// record's kid does not open.
		{"swapped private keys", func(a, b *keyRecord) { a.Private, b.Private = b.Private, a.Private }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a, b keyRecord
			if err := json.Unmarshal(entries[recs[0]], &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(entries[recs[1]], &b); err != nil {
				t.Fatal(err)
			}
			tc.change(&a, &b)
			err := db.Update(func(tx *bolt.Tx) error {
				bk := tx.Bucket(bucketKeys)
				for name, rec := range map[string]keyRecord{recs[0]: a, recs[1]: b} {
					raw, _ := json.Marshal(rec)
					if err := bk.Put([]byte(name), raw); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Open(db, Options{Passphrase: pass}); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Open: %v, want ErrCorrupt", err)
			}
		})
	}
}
