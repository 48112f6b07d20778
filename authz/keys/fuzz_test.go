package keys

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerifyAccessToken feeds arbitrary strings to both verification paths,
// seeded with the refusal table. Neither may panic, and whatever is accepted
// must name a key of ours under that key's own algorithm; VerifyAccessToken
// must accept only the current ES256 key, typ at+jwt.
func FuzzVerifyAccessToken(f *testing.F) {
	c := newClock()
	k, _ := newKeys(f, Options{Now: c.Now})
	for _, tc := range refusalCases(f, k) {
		f.Add(tc.token)
	}
	r := k.ring.Load()
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := k.VerifyAccessToken(s, &jwt.MapClaims{})
		if err == nil {
			if tok.Header["kid"] != r.es.kid || tok.Method.Alg() != algES256 || !tok.Valid {
				t.Fatalf("accepted %q: header %v", s, tok.Header)
			}
		}
		tok, err = jwt.NewParser(jwt.WithTimeFunc(c.Now)).Parse(s, k.Keyfunc())
		if err == nil {
			kid, _ := tok.Header["kid"].(string)
			key := r.byKid[kid]
			if key == nil || tok.Method.Alg() != key.alg {
				t.Fatalf("Keyfunc accepted %q: header %v", s, tok.Header)
			}
		}
	})
}

// FuzzDecodeKey feeds arbitrary records to the store decoder, seeded with
// real records. It may refuse, never panic, and a key it returns must be
// one of the two algorithms, its kid the RFC 7638 thumbprint of its key.
func FuzzDecodeKey(f *testing.F) {
	for _, alg := range []string{algES256, algRS256} {
		key, err := generateKey(alg, 2048, t0)
		if err != nil {
			f.Fatal(err)
		}
		key.retired, key.expires = t0, t0.Add(time.Hour)
		rec, err := encodeKey(key, nil, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rec)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		key, err := decodeKey(raw, nil)
		if err != nil {
			return
		}
		j, err := publicJWK(key.alg, key.signer.Public())
		if err != nil || j.Kid != key.kid || (key.alg != algES256 && key.alg != algRS256) {
			t.Fatalf("decoded %s key %s: %v", key.alg, key.kid, err)
		}
	})
}
