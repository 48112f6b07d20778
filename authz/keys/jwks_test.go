package keys

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

func TestJWKSPublicMembersOnly(t *testing.T) {
	k, _ := newKeys(t, Options{})
	if err := k.Rotate(); err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(k.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"RSA": {"alg", "e", "kid", "kty", "n", "use"},
		"EC":  {"alg", "crv", "kid", "kty", "use", "x", "y"},
	}
	if len(set.Keys) != 4 {
		t.Fatalf("JWKS has %d keys, want 4 (2 current, 2 retained)", len(set.Keys))
	}
	for _, m := range set.Keys {
		kty, _ := m["kty"].(string)
		var members []string
		for name := range m {
			members = append(members, name)
		}
		slices.Sort(members)
		if diff := cmp.Diff(want[kty], members); diff != "" {
			t.Errorf("%s key members (-want +got):\n%s", kty, diff)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
			if _, ok := m[private]; ok {
				t.Errorf("%s key %v has private member %q", kty, m["kid"], private)
			}
		}
		if m["use"] != "sig" {
			t.Errorf("use = %v, want sig", m["use"])
		}
	}
}

// TestJWKSGoJose parses the JWKS as go-jose does and checks every key
// against what smartd holds: public, valid, the right algorithm, and a kid
// equal to go-jose's RFC 7638 thumbprint.
func TestJWKSGoJose(t *testing.T) {
	k, _ := newKeys(t, Options{})
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(k.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	type summary struct{ Kid, Alg, Use string }
	var got, want []summary
	for _, j := range set.Keys {
		if !j.IsPublic() || !j.Valid() {
			t.Errorf("key %s: public %v, valid %v", j.KeyID, j.IsPublic(), j.Valid())
		}
		tp, err := j.Thumbprint(crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if tb := base64.RawURLEncoding.EncodeToString(tp); tb != j.KeyID {
			t.Errorf("kid %s, go-jose thumbprint %s", j.KeyID, tb)
		}
		got = append(got, summary{j.KeyID, j.Algorithm, j.Use})
	}
	for _, in := range k.List() {
		want = append(want, summary{in.Kid, in.Alg, "sig"})
		key := k.ring.Load().byKid[in.Kid]
		if jk := set.Key(in.Kid); len(jk) != 1 || !key.public.(interface{ Equal(crypto.PublicKey) bool }).Equal(jk[0].Key) {
			t.Errorf("kid %s: JWKS key does not equal the signing key's public half", in.Kid)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JWKS keys (-List +JWKS):\n%s", diff)
	}
}

// idTokenClaims are the claims an app reads from an id_token.
type idTokenClaims struct {
	FHIRUser string `json:"fhirUser"`
	jwt.RegisteredClaims
}

// TestIDTokenVerifiesWithJWKSOnly verifies an id_token as an app would:
// with go-jose, knowing nothing of smartd but the JWKS document.
func TestIDTokenVerifiesWithJWKSOnly(t *testing.T) {
	c := newClock()
	k, _ := newKeys(t, Options{Now: c.Now})
	in := idTokenClaims{FHIRUser: "Practitioner/123", RegisteredClaims: claims(t0, 5*time.Minute)}
	in.Audience = jwt.ClaimStrings{"app-client-id"}
	tok, err := k.SignIDToken(in)
	if err != nil {
		t.Fatal(err)
	}
	published := k.JWKS()

	var set jose.JSONWebKeySet
	if err := json.Unmarshal(published, &set); err != nil {
		t.Fatal(err)
	}
	// Only RS256 is accepted, as an app configured for SMART would.
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("id_token is not RS256: %v", err)
	}
	h := jws.Signatures[0].Header
	if h.KeyID == "" || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("header kid %q typ %v, want a kid and typ JWT", h.KeyID, h.ExtraHeaders["typ"])
	}
	payload, err := jws.Verify(set)
	if err != nil {
		t.Fatalf("id_token does not verify against the JWKS: %v", err)
	}
	var out idTokenClaims
	if err := json.Unmarshal(payload, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("claims (-signed +verified):\n%s", diff)
	}

	// After a rotation the old id_token still verifies against the newly
	// published set, and a new one uses the new RSA kid.
	if err := k.Rotate(); err != nil {
		t.Fatal(err)
	}
	var set2 jose.JSONWebKeySet
	if err := json.Unmarshal(k.JWKS(), &set2); err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(set2); err != nil {
		t.Errorf("pre-rotation id_token against the new JWKS: %v", err)
	}
	tok2, err := k.SignIDToken(in)
	if err != nil {
		t.Fatal(err)
	}
	jws2, err := jose.ParseSignedCompact(tok2, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if jws2.Signatures[0].Header.KeyID == h.KeyID {
		t.Errorf("id_token after rotation still uses kid %s", h.KeyID)
	}
	if _, err := jws2.Verify(set); err == nil {
		t.Errorf("new id_token verified against the JWKS from before rotation")
	}
	if _, err := jws2.Verify(set2); err != nil {
		t.Errorf("new id_token against the new JWKS: %v", err)
	}
}
