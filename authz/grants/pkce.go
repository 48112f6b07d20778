package grants

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
)

// MethodS256 is the only code_challenge_method accepted (RFC 7636 §4.3;
// SMART App Launch 2.2 requires S256 and forbids plain).
const MethodS256 = "S256"

// challengeLen is the length of a base64url SHA-256 without padding.
const challengeLen = 43

// CheckChallenge checks the code_challenge and code_challenge_method of
// an authorization request: method S256 and a challenge of 43 base64url
// characters (a SHA-256, RFC 7636 §4.2). A missing challenge or method, and
// "plain", are refused for every client. Errors wrap ErrPKCE.
func CheckChallenge(challenge, method string) error {
	switch method {
	case MethodS256:
	case "":
		return fmt.Errorf("%w: code_challenge_method is missing; S256 is required", ErrPKCE)
	case "plain":
		return fmt.Errorf("%w: code_challenge_method plain is not allowed; use S256", ErrPKCE)
	default:
		return fmt.Errorf("%w: code_challenge_method %q is not supported; use S256", ErrPKCE, method)
	}
	if challenge == "" {
		return fmt.Errorf("%w: code_challenge is missing", ErrPKCE)
	}
	if len(challenge) != challengeLen {
		return fmt.Errorf("%w: code_challenge has %d characters; an S256 challenge has %d", ErrPKCE, len(challenge), challengeLen)
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(challenge); err != nil {
		return fmt.Errorf("%w: code_challenge is not base64url without padding: %v", ErrPKCE, err)
	}
	return nil
}

// Verify checks a code_verifier against the S256 challenge of the
// authorization request (RFC 7636 §4.6): 43 to 128 characters of
// [A-Za-z0-9-._~] (§4.1), not equal to the challenge (a client that sends
// the challenge as verifier has not done PKCE; SMART 2.2, tested by ONC),
// and BASE64URL(SHA256(verifier)) == challenge, compared in constant
// time. Errors wrap ErrPKCE.
func Verify(challenge, verifier string) error {
	if err := CheckChallenge(challenge, MethodS256); err != nil {
		return err
	}
	if verifier == "" {
		return fmt.Errorf("%w: code_verifier is missing", ErrPKCE)
	}
	if n := len(verifier); n < 43 || n > 128 {
		return fmt.Errorf("%w: code_verifier has %d characters; it must have 43 to 128", ErrPKCE, n)
	}
	for i := 0; i < len(verifier); i++ {
		if !unreserved(verifier[i]) {
			return fmt.Errorf("%w: code_verifier byte %#02x at offset %d is not in [A-Za-z0-9-._~]", ErrPKCE, verifier[i], i)
		}
	}
	if verifier == challenge {
		return fmt.Errorf("%w: code_verifier equals code_challenge", ErrPKCE)
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) != 1 {
		return fmt.Errorf("%w: code_verifier does not match code_challenge", ErrPKCE)
	}
	return nil
}

// unreserved reports whether c is an RFC 3986 unreserved character, the
// alphabet of a code_verifier.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
