package registry

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/MicahParks/jwkset"
)

// Key rules (SMART App Launch 2.2, client-confidential-asymmetric.md; the
// asymmetric algorithms it names are RS384 and ES384, and we verify the
// RS, PS and ES families).
const (
	maxJWKSSize = 64 << 10
	maxKeys     = 16
	minRSABits  = 2048
	// maxRSABits bounds the cost of verifying a client assertion.
	maxRSABits = 8192
)

// jwkMembers are the member names jwkset decodes. encoding/json matches
// struct fields case-insensitively, so a "D" or a second "KID" would reach
// jwkset (and keyfunc, later) unseen by checks that read exact names.
var jwkMembers = []string{"kty", "use", "key_ops", "alg", "kid", "x5u", "x5c", "x5t", "x5t#S256",
	"crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "oth", "k"}

// privateMembers are the JWK members that carry private or symmetric key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ValidateJWKS checks a client's inline JSON Web Key Set: at most 64 KiB
// and 16 keys, at least one key; every key an RSA (2048 to 8192 bits) or
// EC (P-256, P-384, P-521) public key that github.com/MicahParks/jwkset
// parses, with a kid unique in the set, no private members, "use" sig if
// given, "key_ops" with verify if given, and an "alg" that fits the key if
// given. Member names must be spelt exactly ("keys", "kid", "d", ...), so
// that what is checked is what jwkset, which matches names
// case-insensitively, will later read. It returns a *ValidationError on
// the field "jwks" whose messages name the key at fault, or nil.
func ValidateJWKS(raw []byte) error {
	var v ValidationError
	for _, p := range jwksProblems(raw) {
		v.add("jwks", "%s", p)
	}
	return v.err()
}

func jwksProblems(raw []byte) []string {
	if len(raw) > maxJWKSSize {
		return []string{fmt.Sprintf("the JWKS is larger than %d KiB", maxJWKSSize>>10)}
	}
	var set map[string]json.RawMessage
	if err := json.Unmarshal(raw, &set); err != nil || set == nil {
		return []string{`the JWKS is not a JSON object {"keys": [...]}`}
	}
	for _, name := range slices.Sorted(maps.Keys(set)) {
		if name != "keys" && strings.EqualFold(name, "keys") {
			return []string{fmt.Sprintf(`the JWKS has a member %q; member names are case-sensitive: use "keys" only`, name)}
		}
	}
	keysJSON, ok := set["keys"]
	if !ok {
		return []string{`the JWKS has no "keys" member`}
	}
	var keys []json.RawMessage
	if err := json.Unmarshal(keysJSON, &keys); err != nil {
		return []string{`the JWKS "keys" member is not an array`}
	}
	if len(keys) == 0 {
		return []string{"the JWKS holds no keys; at least one is required"}
	}
	if len(keys) > maxKeys {
		return []string{fmt.Sprintf("the JWKS holds %d keys; at most %d are accepted", len(keys), maxKeys)}
	}
	var probs []string
	kids := map[string]int{}
	for i, k := range keys {
		kid, p := jwkProblems(i, k)
		probs = append(probs, p...)
		if kid == "" {
			continue
		}
		kids[kid]++
		if kids[kid] == 2 {
			probs = append(probs, fmt.Sprintf("key %q: the kid is used by more than one key; every key needs its own", kid))
		}
	}
	return probs
}

// jwkProblems checks the i-th key of a set and returns its kid.
func jwkProblems(i int, raw json.RawMessage) (string, []string) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return "", []string{fmt.Sprintf("key #%d: not a JSON object", i+1)}
	}
	label := fmt.Sprintf("key #%d", i+1)
	if p := memberCaseProblems(m); len(p) > 0 {
		return "", []string{label + ": " + strings.Join(p, "; ")}
	}
	var probs []string
	kid, ok := stringMember(m, "kid")
	switch {
	case !ok:
		return "", []string{label + `: "kid" is not a string`}
	case kid == "":
		label += " (no kid)"
		probs = append(probs, label+`: has no "kid"; SMART requires one on every key`)
	default:
		label = fmt.Sprintf("key %q", kid)
	}
	bad := func(format string, args ...any) (string, []string) {
		return kid, append(probs, label+": "+fmt.Sprintf(format, args...))
	}
	kty, _ := stringMember(m, "kty")
	switch kty {
	case "RSA", "EC":
	case "":
		return bad(`has no "kty"; use RSA or EC`)
	case "oct":
		return bad("is a symmetric (oct) key; register only public RSA or EC keys")
	default:
		return bad("key type %q is not accepted; use RSA or EC", kty)
	}
	var private []string
	for _, name := range privateMembers {
		if _, ok := m[name]; ok {
			private = append(private, fmt.Sprintf("%q", name))
		}
	}
	if len(private) > 0 {
		return bad("holds private key material (%s); register only the public key", strings.Join(private, ", "))
	}
	crv, _ := stringMember(m, "crv")
	if kty == "EC" {
		switch crv {
		case "P-256", "P-384", "P-521":
		case "":
			return bad(`EC key has no "crv"`)
		default:
			return bad("EC curve %q is not accepted; use P-256, P-384 or P-521", crv)
		}
	}
	// malformed: a member jwkset would fail to decode, already reported.
	malformed := false
	if use, ok := stringMember(m, "use"); !ok || (use != "" && use != "sig") {
		malformed = malformed || !ok
		probs = append(probs, label+`: "use" must be "sig" (or absent) on a client's signing key`)
	}
	if opsJSON, ok := m["key_ops"]; ok {
		var ops []string
		err := json.Unmarshal(opsJSON, &ops)
		malformed = malformed || err != nil
		if err != nil || !slices.Contains(ops, "verify") {
			probs = append(probs, label+`: "key_ops" must include "verify" (or be absent)`)
		}
	}
	if alg, ok := stringMember(m, "alg"); !ok {
		malformed = true
		probs = append(probs, label+`: "alg" is not a string`)
	} else if alg != "" && !algFits(alg, kty, crv) {
		probs = append(probs, fmt.Sprintf("%s: \"alg\" %q does not fit an %s key; use %s", label, alg, keyDesc(kty, crv), fittingAlgs(kty, crv)))
	}
	if malformed {
		return kid, probs
	}
	jwk, err := jwkset.NewJWKFromRawJSON(raw, jwkset.JWKMarshalOptions{},
		jwkset.JWKValidateOptions{SkipUse: true, SkipKeyOps: true}) // checked above, with clearer messages
	if err != nil {
		// jwkset joins errors with newlines; keep the message on one line.
		return bad("is not a valid JWK: %s", strings.ReplaceAll(err.Error(), "\n", ": "))
	}
	if p := publicKeyProblem(jwk.Key()); p != "" {
		return bad("%s", p)
	}
	return kid, probs
}

// memberCaseProblems reports member names that differ from a JWK member
// name only in case, in sorted order.
func memberCaseProblems(m map[string]json.RawMessage) []string {
	var probs []string
	for _, name := range slices.Sorted(maps.Keys(m)) {
		for _, known := range jwkMembers {
			if name != known && strings.EqualFold(name, known) {
				probs = append(probs, fmt.Sprintf("member %q: JWK member names are case-sensitive; use %q", name, known))
			}
		}
	}
	return probs
}

// publicKeyProblem checks the key type and size of a parsed public key.
// It is shared by JWKS validation and PEM conversion.
func publicKeyProblem(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		switch {
		case bits < minRSABits:
			return fmt.Sprintf("RSA key of %d bits; at least %d are required", bits, minRSABits)
		case bits > maxRSABits:
			return fmt.Sprintf("RSA key of %d bits; at most %d are accepted", bits, maxRSABits)
		case k.E < 3 || k.E%2 == 0:
			return fmt.Sprintf("RSA public exponent %d is not valid", k.E)
		}
		return ""
	case *ecdsa.PublicKey:
		switch name := k.Curve.Params().Name; name {
		case "P-256", "P-384", "P-521":
			return ""
		default:
			return fmt.Sprintf("EC curve %q is not accepted; use P-256, P-384 or P-521", name)
		}
	case ed25519.PublicKey:
		return "Ed25519 keys are not accepted; use RSA or EC (SMART names RS384 and ES384)"
	}
	return fmt.Sprintf("%T keys are not accepted; use RSA or EC", key)
}

// stringMember returns m[name] as a string; ok is false if it is present
// but not a string.
func stringMember(m map[string]json.RawMessage, name string) (string, bool) {
	raw, present := m[name]
	if !present || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func algFits(alg, kty, crv string) bool {
	return slices.Contains(strings.Split(fittingAlgs(kty, crv), ", "), alg)
}

// fittingAlgs lists the JWS algorithms (RFC 7518 §3.1) a key can verify.
func fittingAlgs(kty, crv string) string {
	switch {
	case kty == "RSA":
		return "RS256, RS384, RS512, PS256, PS384, PS512"
	case crv == "P-256":
		return "ES256"
	case crv == "P-384":
		return "ES384"
	default:
		return "ES512"
	}
}

func keyDesc(kty, crv string) string {
	if kty == "EC" {
		return "EC " + crv
	}
	return kty
}
