package registry

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/MicahParks/jwkset"
	"github.com/google/go-cmp/cmp"
)

type jwksCase struct {
	name string
	raw  json.RawMessage
	// want are the exact messages; wantPrefix, if set, is the prefix of
	// the only message (for errors worded by jwkset).
	want       []string
	wantPrefix string
}

func jwksCases(t testing.TB) []jwksCase {
	k := keys()
	rs := jwk(t, &k.rsa2048.PublicKey, "rs1")
	es := jwk(t, &k.ec384.PublicKey, "es1")
	many := make([]map[string]any, 17)
	for i := range many {
		many[i] = with(es, "kid", fmt.Sprintf("k%d", i))
	}
	return []jwksCase{
		{name: "rsa and ec", raw: set(t, rs, es)},
		{name: "all three curves", raw: set(t, jwk(t, &k.ec256.PublicKey, "a"), es, jwk(t, &k.ec521.PublicKey, "c"))},
		{name: "inferno style members", raw: set(t,
			with(rs, "alg", "RS384", "use", "sig", "key_ops", []string{"verify"}, "ext", true),
			with(es, "alg", "ES384", "use", "sig", "key_ops", []string{"verify"}))},
		{name: "not an object", raw: json.RawMessage(`[]`), want: []string{`the JWKS is not a JSON object {"keys": [...]}`}},
		{name: "not json", raw: json.RawMessage(`{"keys":`), want: []string{`the JWKS is not a JSON object {"keys": [...]}`}},
		{name: "no keys member", raw: json.RawMessage(`{}`), want: []string{`the JWKS has no "keys" member`}},
		{name: "keys twice by case", raw: json.RawMessage(`{"keys":[],"KEYS":[]}`),
			want: []string{`the JWKS has a member "KEYS"; member names are case-sensitive: use "keys" only`}},
		{name: "keys not array", raw: json.RawMessage(`{"keys":{}}`), want: []string{`the JWKS "keys" member is not an array`}},
		{name: "empty", raw: set(t), want: []string{"the JWKS holds no keys; at least one is required"}},
		{name: "null keys", raw: json.RawMessage(`{"keys":null}`), want: []string{"the JWKS holds no keys; at least one is required"}},
		{name: "too many", raw: set(t, many...), want: []string{"the JWKS holds 17 keys; at most 16 are accepted"}},
		{name: "key not object", raw: json.RawMessage(`{"keys":[1]}`), want: []string{"key #1: not a JSON object"}},
		{name: "missing kid", raw: set(t, rs, with(es, "kid", nil)),
			want: []string{`key #2 (no kid): has no "kid"; SMART requires one on every key`}},
		{name: "kid not string", raw: set(t, with(rs, "kid", 7)), want: []string{`key #1: "kid" is not a string`}},
		{name: "duplicate kid", raw: set(t, rs, with(jwk(t, &k.rsa2048b.PublicKey, "rs1"))),
			want: []string{`key "rs1": the kid is used by more than one key; every key needs its own`}},
		{name: "rsa 1024", raw: set(t, rs, jwk(t, &k.rsa1024.PublicKey, "k2")),
			want: []string{`key "k2": RSA key of 1024 bits; at least 2048 are required`}},
		{name: "p-224", raw: set(t, jwk(t, &k.ec224.PublicKey, "small")),
			want: []string{`key "small": EC curve "P-224" is not accepted; use P-256, P-384 or P-521`}},
		{name: "secp256k1", raw: set(t, with(es, "crv", "secp256k1")),
			want: []string{`key "es1": EC curve "secp256k1" is not accepted; use P-256, P-384 or P-521`}},
		{name: "ec without crv", raw: set(t, with(es, "crv", nil)), want: []string{`key "es1": EC key has no "crv"`}},
		{name: "private rsa", raw: set(t, jwk(t, k.rsa2048, "priv")),
			want: []string{`key "priv": holds private key material ("d", "p", "q", "dp", "dq", "qi"); register only the public key`}},
		{name: "private ec", raw: set(t, jwk(t, k.ec256, "priv")),
			want: []string{`key "priv": holds private key material ("d"); register only the public key`}},
		{name: "empty private member", raw: set(t, with(es, "d", "")),
			want: []string{`key "es1": holds private key material ("d"); register only the public key`}},
		{name: "oct", raw: json.RawMessage(`{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}`),
			want: []string{`key "s": is a symmetric (oct) key; register only public RSA or EC keys`}},
		{name: "okp", raw: set(t, jwk(t, k.ed.Public(), "ed")),
			want: []string{`key "ed": key type "OKP" is not accepted; use RSA or EC`}},
		{name: "no kty", raw: set(t, with(rs, "kty", nil)), want: []string{`key "rs1": has no "kty"; use RSA or EC`}},
		{name: "use enc", raw: set(t, with(rs, "use", "enc")),
			want: []string{`key "rs1": "use" must be "sig" (or absent) on a client's signing key`}},
		{name: "key_ops without verify", raw: set(t, with(rs, "key_ops", []string{"encrypt"})),
			want: []string{`key "rs1": "key_ops" must include "verify" (or be absent)`}},
		{name: "alg of another curve", raw: set(t, with(es, "alg", "ES256")),
			want: []string{`key "es1": "alg" "ES256" does not fit an EC P-384 key; use ES384`}},
		{name: "hmac alg on rsa", raw: set(t, with(rs, "alg", "HS256")),
			want: []string{`key "rs1": "alg" "HS256" does not fit an RSA key; use RS256, RS384, RS512, PS256, PS384, PS512`}},
		{name: "bad modulus", raw: set(t, with(rs, "n", "!!")), wantPrefix: `key "rs1": is not a valid JWK: `},
		{name: "point off curve", raw: set(t, with(es, "x", es["y"])), wantPrefix: `key "es1": is not a valid JWK: `},
		{name: "huge exponent", raw: set(t, with(rs, "e", "AQAAAAAB")), wantPrefix: `key "rs1": is not a valid JWK: `},
		{name: "private member in capitals", raw: set(t, with(es, "D", "AAAA")),
			want: []string{`key #1: member "D": JWK member names are case-sensitive; use "d"`}},
		{name: "second kid in capitals", raw: set(t, with(es, "KID", "other"), with(rs, "Kid", "x")),
			want: []string{
				`key #1: member "KID": JWK member names are case-sensitive; use "kid"`,
				`key #2: member "Kid": JWK member names are case-sensitive; use "kid"`,
			}},
		{name: "x5t#S256 is spelt so", raw: set(t, with(rs, "x5t#S256", "abc"))},
		{name: "even exponent", raw: set(t, with(rs, "e", "AQAA")), want: []string{`key "rs1": RSA public exponent 65536 is not valid`}},
		{name: "unregistered use", raw: set(t, with(rs, "use", "sign")),
			want: []string{`key "rs1": "use" must be "sig" (or absent) on a client's signing key`}},
		{name: "small key without kid", raw: set(t, with(jwk(t, &k.rsa1024.PublicKey, ""), "use", "enc")),
			want: []string{
				`key #1 (no kid): has no "kid"; SMART requires one on every key`,
				`key #1 (no kid): "use" must be "sig" (or absent) on a client's signing key`,
				`key #1 (no kid): RSA key of 1024 bits; at least 2048 are required`,
			}},
		{name: "every problem reported", raw: set(t, jwk(t, &k.rsa1024.PublicKey, "old"), with(es, "kid", nil), jwk(t, k.ec256, "p")),
			want: []string{
				`key "old": RSA key of 1024 bits; at least 2048 are required`,
				`key #2 (no kid): has no "kid"; SMART requires one on every key`,
				`key "p": holds private key material ("d"); register only the public key`,
			}},
	}
}

func TestValidateJWKS(t *testing.T) {
	for _, tc := range jwksCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateJWKS(tc.raw)
			var got []string
			for _, fe := range fieldErrors(t, err) {
				if fe.Field != "jwks" {
					t.Errorf("field %q, want jwks", fe.Field)
				}
				got = append(got, fe.Message)
			}
			for _, m := range got {
				if strings.ContainsAny(m, "\n\r") {
					t.Errorf("message %q spans lines", m)
				}
			}
			if tc.wantPrefix != "" {
				if len(got) != 1 || !strings.HasPrefix(got[0], tc.wantPrefix) {
					t.Fatalf("got %q, want one message starting %q", got, tc.wantPrefix)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateJWKSTooLarge(t *testing.T) {
	raw := []byte(`{"keys":[],"pad":"` + strings.Repeat("a", maxJWKSSize) + `"}`)
	got := jwksProblems(raw)
	if diff := cmp.Diff([]string{"the JWKS is larger than 64 KiB"}, got); diff != "" {
		t.Error(diff)
	}
}

// FuzzValidateJWKS checks that validation never panics, is deterministic,
// and accepts only sets that jwkset (and so keyfunc) reads as the checks
// did: decoded case-insensitively, every key parses, is public, has a kid
// of its own, and has an accepted type and size.
func FuzzValidateJWKS(f *testing.F) {
	for _, tc := range jwksCases(f) {
		f.Add([]byte(tc.raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		probs := jwksProblems(raw)
		if again := jwksProblems(raw); !cmp.Equal(probs, again) {
			t.Fatalf("not deterministic: %q then %q", probs, again)
		}
		if len(probs) > 0 {
			return
		}
		var exact map[string][]json.RawMessage
		var set jwkset.JWKSMarshal
		if err := json.Unmarshal(raw, &set); err != nil || json.Unmarshal(raw, &exact) != nil ||
			len(set.Keys) == 0 || len(set.Keys) != len(exact["keys"]) {
			t.Fatalf("accepted a set that jwkset reads otherwise: %v", err)
		}
		kids := map[string]bool{}
		for _, m := range set.Keys {
			if m.KID == "" || kids[m.KID] {
				t.Fatalf("accepted key %+v: kid missing or repeated", m)
			}
			kids[m.KID] = true
			if m.D != "" || m.K != "" || m.P != "" || m.Q != "" || m.DP != "" || m.DQ != "" || m.QI != "" || len(m.OTH) > 0 {
				t.Fatalf("accepted private key %+v", m)
			}
			j, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{Private: true}, jwkset.JWKValidateOptions{SkipUse: true, SkipKeyOps: true})
			if err != nil {
				t.Fatalf("accepted key %+v that jwkset refuses: %v", m, err)
			}
			if p := publicKeyProblem(j.Key()); p != "" {
				t.Fatalf("accepted key %+v: %s", m, p)
			}
		}
	})
}
