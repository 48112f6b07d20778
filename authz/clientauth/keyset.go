package clientauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/MicahParks/jwkset"

	"smartd/apps/registry"
)

// keyType is what a JWS algorithm needs of a key: its kty, and for EC its
// curve.
type keyType struct{ kty, crv string }

func (t keyType) String() string {
	if t.kty == "EC" {
		return "an EC " + t.crv
	}
	return "an " + t.kty
}

// jwk is one public key of a client.
type jwk struct {
	kid    string
	typ    keyType
	alg    string // the key's "alg" member, if any
	public any    // *rsa.PublicKey or *ecdsa.PublicKey
}

// describe names the key's algorithm or type: `RS384`, `EC P-384`.
func (k *jwk) describe() string {
	if k.alg != "" {
		return k.alg
	}
	if k.typ.kty == "EC" {
		return "EC " + k.typ.crv
	}
	return k.typ.kty
}

// fitProblem says why k cannot verify a signature made with alg, or
// returns "". SMART: pick the key whose kid matches and whose kty fits the
// alg (client-confidential-asymmetric, "Signature Verification"); a key
// that names its alg (RFC 7517 §4.4) verifies only that one.
func (k *jwk) fitProblem(alg string) string {
	want := algKeys[alg]
	if k.typ.kty != want.kty || (want.crv != "" && k.typ.crv != want.crv) {
		return fmt.Sprintf("key %s is %s key and cannot verify alg %s, which needs %s key",
			quote(k.kid), k.typ, alg, want)
	}
	if k.alg != "" && k.alg != alg {
		return fmt.Sprintf("key %s is registered for alg %s and cannot verify alg %s", quote(k.kid), k.alg, alg)
	}
	return ""
}

// keySet is a client's parsed JWKS. Kids are unique in it
// (registry.ValidateJWKS).
type keySet struct{ keys []jwk }

func (s *keySet) find(kid string) *jwk {
	for i := range s.keys {
		if s.keys[i].kid == kid {
			return &s.keys[i]
		}
	}
	return nil
}

// describe lists the keys for an error description: `"k1" RS384, "k2" EC P-384`.
func (s *keySet) describe() string {
	var b strings.Builder
	for i := range s.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(s.keys[i].kid))
		b.WriteByte(' ')
		b.WriteString(s.keys[i].describe())
	}
	return b.String()
}

// parseKeySet checks a JWKS with registry.ValidateJWKS (at least one key,
// a unique kid on each, RSA of 2048 to 8192 bits or EC P-256/384/521, no
// private members...) and parses its keys with jwkset.
func parseKeySet(raw []byte) (*keySet, error) {
	if err := registry.ValidateJWKS(raw); err != nil {
		var v *registry.ValidationError
		if errors.As(err, &v) {
			return nil, errors.New(strings.Join(v.Messages("jwks"), "; "))
		}
		return nil, err
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, err
	}
	s := &keySet{keys: make([]jwk, 0, len(set.Keys))}
	for _, r := range set.Keys {
		// use and key_ops were checked by ValidateJWKS, with clearer messages.
		j, err := jwkset.NewJWKFromRawJSON(r, jwkset.JWKMarshalOptions{},
			jwkset.JWKValidateOptions{SkipUse: true, SkipKeyOps: true})
		if err != nil {
			return nil, err
		}
		m := j.Marshal()
		s.keys = append(s.keys, jwk{
			kid:    m.KID,
			typ:    keyType{kty: string(m.KTY), crv: string(m.CRV)},
			alg:    string(m.ALG),
			public: j.Key(),
		})
	}
	return s, nil
}

// maxInlineSets bounds the inline-JWKS cache; past it the cache starts
// over, which costs a parse per client.
const maxInlineSets = 4096

// inlineKeys caches parsed inline JWKS by client_id, so that the RSA
// moduli and EC points of a busy backend client are decoded and checked
// once, not on every token request. An entry is used only while the
// registered JWKS is byte for byte the one it was parsed from.
type inlineKeys struct {
	mu   sync.RWMutex
	sets map[string]inlineEntry
}

type inlineEntry struct {
	raw []byte
	set *keySet
	err error
}

func newInlineKeys() *inlineKeys { return &inlineKeys{sets: map[string]inlineEntry{}} }

func (c *inlineKeys) get(app *registry.App) (*keySet, error) {
	c.mu.RLock()
	e, ok := c.sets[app.ClientID]
	c.mu.RUnlock()
	if ok && bytes.Equal(e.raw, app.JWKS) {
		return e.set, e.err
	}
	set, err := parseKeySet(app.JWKS)
	c.mu.Lock()
	if len(c.sets) >= maxInlineSets {
		clear(c.sets)
	}
	c.sets[app.ClientID] = inlineEntry{raw: bytes.Clone(app.JWKS), set: set, err: err}
	c.mu.Unlock()
	return set, err
}
