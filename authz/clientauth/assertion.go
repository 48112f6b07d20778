package clientauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"smartd/apps/registry"
	"smartd/authz/oauth"
)

// maxAssertionSize bounds a client_assertion: an RS384 assertion signed
// with an 8192-bit key (the registry's largest) is under 2 KiB.
const maxAssertionSize = 16 << 10

// algKeys are the JWS algorithms accepted for private_key_jwt (SMART App
// Launch 2.2, client-confidential-asymmetric: RS384 and ES384, plus the
// rest of the RS, PS and ES families of RFC 7518 §3.1) and the key each
// needs. Never mutated.
var algKeys = map[string]keyType{
	"RS256": {"RSA", ""}, "RS384": {"RSA", ""}, "RS512": {"RSA", ""},
	"PS256": {"RSA", ""}, "PS384": {"RSA", ""}, "PS512": {"RSA", ""},
	"ES256": {"EC", "P-256"}, "ES384": {"EC", "P-384"}, "ES512": {"EC", "P-521"},
}

const acceptedAlgs = "RS384 or ES384 (also accepted: RS256, RS512, PS256, PS384, PS512, ES256, ES512)"

// jws is a decoded JWS compact serialization (RFC 7515 §7.1) whose
// signature is not yet verified.
type jws struct {
	header       map[string]any
	claims       map[string]any
	signingInput string
	signature    []byte
}

// decodeJWS splits and decodes a compact JWS. The problem it returns
// follows "client_assertion ".
func decodeJWS(s string) (*jws, string) {
	if len(s) > maxAssertionSize {
		return nil, fmt.Sprintf("is %d bytes long; at most %d are accepted", len(s), maxAssertionSize)
	}
	switch n := strings.Count(s, ".") + 1; n {
	case 3:
	case 5:
		return nil, "is a JWE (5 parts); send a signed JWT (JWS compact serialization, 3 parts)"
	case 1:
		return nil, "has no '.'; a signed JWT has 3 parts separated by '.' (header.claims.signature)"
	default:
		return nil, fmt.Sprintf("has %d parts separated by '.'; a signed JWT has 3 (header.claims.signature)", n)
	}
	parts := strings.SplitN(s, ".", 3)
	var j jws
	if p := decodeSegment(parts[0], &j.header); p != "" {
		return nil, "header is " + p
	}
	if p := decodeSegment(parts[1], &j.claims); p != "" {
		return nil, "claims set is " + p
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, "signature is not base64url without padding (RFC 7515 §2)"
	}
	j.signingInput = s[:len(parts[0])+1+len(parts[1])]
	j.signature = sig
	return &j, ""
}

func decodeSegment(seg string, dst *map[string]any) string {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return "not base64url without padding (RFC 7515 §2)"
	}
	if err := json.Unmarshal(raw, dst); err != nil || *dst == nil {
		return "not a JSON object"
	}
	return ""
}

// headerString returns a string header parameter; ok is false if it is
// present but not a string.
func headerString(m map[string]any, name string) (string, bool) {
	v, present := m[name]
	if !present {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}

// checkHeader checks alg, kid and crit (RFC 7515 §4.1) and returns alg
// and kid.
func checkHeader(h map[string]any) (alg, kid string, err error) {
	alg, ok := headerString(h, "alg")
	switch {
	case !ok || alg == "":
		return "", "", invalidClient("the assertion header has no alg; sign with %s", acceptedAlgs)
	case strings.EqualFold(alg, "none"):
		return "", "", invalidClient("alg none is refused: the assertion must be signed with the client's private key, using %s", acceptedAlgs)
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return "", "", invalidClient("alg %s (an HMAC with a shared secret) is refused: private_key_jwt assertions are signed with the client's private key, using %s",
			quote(alg), acceptedAlgs)
	}
	if _, ok := algKeys[alg]; !ok {
		return "", "", invalidClient("alg %s is not accepted; use %s", quote(alg), acceptedAlgs)
	}
	if crit, ok := h["crit"]; ok {
		return "", "", invalidClient("the assertion header has crit %v; no critical extension is supported (RFC 7515 §4.1.11)", crit)
	}
	kid, ok = headerString(h, "kid")
	switch {
	case !ok:
		return "", "", invalidClient("the assertion header kid is not a string")
	case kid == "":
		return "", "", invalidClient("the assertion header has no kid; SMART requires the kid of the signing key (client-confidential-asymmetric)")
	}
	return alg, kid, nil
}

// authenticateAssertion is private_key_jwt: RFC 7523 §2.2 and §3 as SMART
// App Launch 2.2 profiles them (client-confidential-asymmetric,
// backend-services). The cheap checks run first, the key lookup (which
// may fetch the jwks_uri) and the signature next, and the jti is recorded
// last, so that only a verified assertion uses one up.
func (a *Authenticator) authenticateAssertion(ctx context.Context, formID, assertionType, assertion string, audiences []string) (*registry.App, error) {
	switch {
	case assertionType == "":
		return nil, invalidRequest("client_assertion is sent without client_assertion_type; send %s (RFC 7523 §2.2)", JWTBearer)
	case assertionType != JWTBearer:
		return nil, invalidRequest("client_assertion_type %s is not supported; send %s (RFC 7523 §2.2)", quote(assertionType), JWTBearer)
	case assertion == "":
		return nil, invalidRequest("client_assertion_type is sent without client_assertion")
	case len(audiences) == 0:
		return nil, oauth.Internal(errors.New("clientauth: Authenticate called without audiences"))
	}
	j, p := decodeJWS(assertion)
	if p != "" {
		return nil, invalidClient("client_assertion %s", p)
	}
	alg, kid, err := checkHeader(j.header)
	if err != nil {
		return nil, err
	}
	c := claims(j.claims)
	iss, err := c.issuer(formID)
	if err != nil {
		return nil, err
	}
	app, err := a.lookup(iss, " (the assertion's iss)")
	if err != nil {
		return nil, err
	}
	switch app.AuthMethod {
	case registry.AuthPrivateKeyJWT:
	case registry.AuthNone:
		return nil, invalidClient("client %s is a public client (token_endpoint_auth_method none); it cannot authenticate with a client_assertion",
			quote(app.ClientID))
	default:
		return nil, invalidClient("client %s is registered for %s, not private_key_jwt, so it cannot authenticate with a client_assertion; it must %s",
			quote(app.ClientID), app.AuthMethod, howTo(app.AuthMethod))
	}
	if err := c.audience(audiences); err != nil {
		return nil, err
	}
	until, err := c.times(a.now(), a.leeway)
	if err != nil {
		return nil, err
	}
	jti, err := c.id()
	if err != nil {
		return nil, err
	}
	if err := checkJKU(j.header, app); err != nil {
		return nil, err
	}
	k, err := a.key(ctx, app, kid, alg)
	if err != nil {
		return nil, err
	}
	if err := jwt.GetSigningMethod(alg).Verify(j.signingInput, j.signature, k.public); err != nil {
		return nil, invalidClient("the assertion signature does not verify with key %s (%s) of client %s",
			quote(kid), k.describe(), quote(app.ClientID))
	}
	fresh, err := a.replay.insert(app.ClientID, jti, until)
	switch {
	case err != nil:
		return nil, oauth.Internal(err)
	case !fresh:
		return nil, invalidClient("assertion jti %s was already used by client %s; every assertion needs a new jti (RFC 7523 §3)",
			quote(jti), quote(app.ClientID))
	}
	return app, nil
}

// checkJKU applies SMART's rule for the jku header: if present, it must
// equal the registered jwks_uri (client-confidential-asymmetric,
// "Signature Verification").
func checkJKU(h map[string]any, app *registry.App) error {
	jku, ok := headerString(h, "jku")
	switch {
	case !ok:
		return invalidClient("the assertion header jku is not a string")
	case jku == "":
		if _, present := h["jku"]; present {
			return invalidClient("the assertion header jku is empty; leave it out or send the registered jwks_uri")
		}
		return nil
	case app.JWKSURI == "":
		return invalidClient("the assertion header jku %s is refused: client %s registered an inline JWKS, not a jwks_uri",
			quote(jku), quote(app.ClientID))
	case jku != app.JWKSURI:
		return invalidClient("the assertion header jku %s is not the registered jwks_uri %s; SMART requires them to be equal",
			quote(jku), quote(app.JWKSURI))
	}
	return nil
}

// key returns the client's key with this kid, checked to fit alg.
func (a *Authenticator) key(ctx context.Context, app *registry.App, kid, alg string) (*jwk, error) {
	var set *keySet
	note := ""
	switch {
	case app.HasJWKS():
		var err error
		if set, err = a.inline.get(app); err != nil {
			return nil, invalidClient("the registered JWKS of client %s is unusable: %v", quote(app.ClientID), err)
		}
	case app.JWKSURI != "":
		var err error
		if set, note, err = a.remote.get(ctx, app.JWKSURI, kid); err != nil {
			return nil, invalidClient("%v", err)
		}
	default:
		return nil, invalidClient("client %s registered no keys (neither jwks nor jwks_uri)", quote(app.ClientID))
	}
	k := set.find(kid)
	if k == nil {
		return nil, invalidClient("no key with kid %s for alg %s in the client's JWKS (keys: %s)%s",
			quote(kid), alg, set.describe(), note)
	}
	if p := k.fitProblem(alg); p != "" {
		return nil, invalidClient("%s", p)
	}
	return k, nil
}

// audienceList describes an aud claim for an error description.
func audienceList(auds []string) string {
	q := make([]string, len(auds))
	for i, s := range auds {
		q[i] = quote(s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// containsAny reports whether any of xs is in ys.
func containsAny(xs, ys []string) bool {
	return slices.ContainsFunc(xs, func(x string) bool { return slices.Contains(ys, x) })
}
