// Package keys holds smartd's own signing keys and publishes their public
// halves as the JWK Set behind jwks_uri.
//
// SMART App Launch 2.2, "Scopes for requesting identity data": the server
// MUST publish bare JWK public keys and support RS256-signed ID tokens, so
// id_tokens are signed RS256 with an RSA key. Access tokens are only ever
// verified by smartd itself, so they use ES256 (P-256), over ten times
// cheaper to sign (BenchmarkSignAccessToken against BenchmarkSignIDToken),
// and carry the header typ "at+jwt" of RFC 9068 §2.1.
//
// RSA keys are 2048 bits unless Options.RSABits says otherwise: 112-bit
// strength, which NIST SP 800-57 accepts through 2030, for keys that are
// rotated; 3072 bits would triple id_token signing time and make key
// generation six times slower for no gain within that horizon.
//
// # Basics
//
// [Open] loads the keys from the "authz.keys" bucket of the data file, and
// on first use creates one current key per algorithm. Each key's kid is its
// RFC 7638 JWK thumbprint (SHA-256, base64url), so the kid is a function of
// the key and cannot collide across rotations. [Keys.Rotate] adds a new key
// per algorithm and makes it current; the keys it replaces stay published
// and accepted for verification for Options.Retain, then are deleted.
// [Keys.JWKS] is the RFC 7517 §5 set served at jwks_uri: the public members
// only (kty, kid, use, alg and n/e or crv/x/y), built from public keys, so a
// private member cannot reach it.
//
// With a passphrase (SMARTD_KEY_PASSPHRASE), private keys are sealed at rest
// with AES-256-GCM under a key derived by argon2id (RFC 9106 §4, second
// recommended parameter set: t=3, 64 MiB, p=4) from the passphrase and a
// random salt kept beside them. Without one they are stored as PKCS #8 DER
// in the clear and only the file's permissions protect them.
//
// # Caveats
//
// Retain must exceed the longest lifetime of any token signed here, plus
// clock leeway: a token must not outlive the key that verifies it. The sign
// methods enforce it, refusing claims without exp or with exp later than
// now+Retain.
//
// A new key signs from the moment of rotation. An app that cached the old
// JWKS meets an unknown kid on its next id_token and must refetch jwks_uri,
// as OpenID Connect Core §10.1 expects of it.
//
// bbolt lets one process hold the data file: `smartd keys rotate` runs
// while the server is stopped, or the server must rotate in process. A
// running server does not see keys written by another process until it
// reopens.
//
// Since Go 1.26 crypto/rsa and crypto/ecdsa ignore the random source given
// to GenerateKey, and golang-jwt signs with crypto/rand: Options.Rand feeds
// only salts and nonces.
package keys
