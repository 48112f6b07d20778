// Package registry keeps smartd's SMART app registrations: the model
// (App), the rules a registration must meet (App.Validate), its RFC 7591
// metadata form (Metadata), and its storage in smartd's bbolt file (Store).
//
// # Basics
//
// An App is what SMART App Launch 2.2 calls a registered client ("Register
// App with EHR"): a client_id, fixed redirect URIs, zero or one launch URL,
// the scopes it may be granted, the grants it may use, and how it
// authenticates at the token endpoint. The client type follows from the
// token_endpoint_auth_method (App.Type):
//
//	none                                      public
//	client_secret_basic, client_secret_post   confidential-symmetric (client-confidential-symmetric.md)
//	private_key_jwt                           confidential-asymmetric (client-confidential-asymmetric.md)
//
// A confidential-asymmetric client registers exactly one of an inline
// JWKS or a jwks_uri (SMART: "MUST accept both"). ValidateJWKS checks an
// inline set itself, because the JWKS parsers accept empty sets, small RSA
// keys and private keys: at least one key, every key with a unique kid,
// RSA of 2048 to 8192 bits or EC on P-256, P-384 or P-521, no private
// members. ParsePEMKey turns an uploaded PEM public key or X.509
// certificate into such a set. A jwks_uri is checked for form only; it is
// fetched later, by the token endpoint, through a dialer that refuses
// private addresses.
//
// Redirect and launch URLs are absolute https URLs, or http on a loopback
// host (localhost, 127.0.0.1, [::1]) with any port (RFC 8252 §7.3); they
// carry no fragment (RFC 6749 §3.1.2) and no wildcard. RedirectURIAllowed
// matches a requested redirect_uri by exact string (RFC 6749 §3.1.2.3),
// ignoring only the port on a loopback http URI.
//
// The launch URL travels in RFC 7591 metadata as "initiate_login_uri": a
// name registered with IANA by OpenID Connect Dynamic Client Registration
// 1.0 §2 for exactly this job (a URL a third party opens to start the
// app's login), which the ONC Inferno program's dynamic registration
// sequence sends as the EHR launch URL and OpenEMR stores for EHR launch.
// Being registered, it needs no "__" prefix or URI name. One departure
// from OIDC: http on a loopback host is accepted too, as for redirect URIs.
//
// # Secrets
//
// Client secrets and registration access tokens (RFC 7592 §3) are 32 bytes
// from crypto/rand, base64url without padding; only their SHA-256 digests
// are stored (enough for 256-bit random values, unlike passwords), and
// CheckSecret compares in constant time. The plaintext is returned once,
// in Credentials, by the Store method that issued it.
//
// # Storage
//
// One bucket, "apps.clients": client_id -> the App as JSON. Every Store
// method is one bbolt View or Update, except that Get answers from memory
// after its first lookup of a client_id: a bounded cache of decoded apps,
// which every write of the Store clears once it has committed (the
// authorize and token endpoints look the app up on every request).
// Export writes every registration, secret digests included, as one JSON
// document; Import reads it into another instance, refusing client_ids
// that already exist unless asked to replace them.
//
// # Caveats
//
// Open one Store per file and write the bucket only through it: another
// Store over the same file would not clear this one's cache. (Another
// process cannot write meanwhile: bbolt locks the file.)
//
// The scope string is stored verbatim and checked only for RFC 6749 §3.3
// syntax; its meaning belongs to package authz/scope. Validate does not
// fetch anything: a jwks_uri that resolves to a private address, or keys
// at a jwks_uri that break these rules, are caught when they are fetched.
package registry
