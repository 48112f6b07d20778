// Package clientauth authenticates OAuth clients at smartd's token,
// introspection and revocation endpoints (RFC 6749 §2.3, SMART App Launch
// 2.2 "Client Authentication"): private_key_jwt (RFC 7523 §2.2 and §3 as
// profiled by client-confidential-asymmetric.md and backend-services.md),
// client_secret_basic and client_secret_post
// (client-confidential-symmetric.md), and public clients, which send only
// their client_id.
//
// # Basics
//
// [Authenticator.Authenticate] takes the parsed form, the headers and the
// URLs an assertion's aud may name at the endpoint, and returns the
// registered app or an *oauth.Error whose description says which check
// failed, e.g.
//
//	no key with kid "k2" for alg ES512 in the client's JWKS (keys: "k1" RS384)
//	assertion exp is 600 s ahead; at most 300 s is allowed (plus 60 s for clock skew)
//
// A client_id is not a secret (RFC 6749 §2.2: it is exposed to the
// resource owner), so a description may say that one is unknown, or which
// method a known client registered; it never says anything about a secret.
//
// Status codes: a malformed request is invalid_request, 400: a parameter
// sent twice (RFC 6749 §3.2), two methods at once (HTTP Basic with
// client_secret or client_assertion, or client_secret with
// client_assertion: RFC 6749 §2.3), a client_assertion without
// client_assertion_type or with another type, client_secret without
// client_id. Inferno accepts 400 or 401 for a bad client_assertion_type and
// the ONC Bulk Data tests want 400, so the type is a request error. Every
// authentication failure is invalid_client, 401, with Challenge "Basic"
// when the client used HTTP Basic (RFC 6749 §5.2): unknown client, bad
// secret, and every check on an assertion (SMART: "errors are
// invalid_client").
//
// # Methods
//
// A client must use the token_endpoint_auth_method it registered (RFC
// 7591 §2): a client registered for client_secret_basic that sends its
// secret in the body is refused, and the reverse, as ory/fosite does. A
// server that took either would let secrets meant for an Authorization
// header reach request bodies, which get logged. HTTP Basic credentials
// are form-urlencoded before base64 (RFC 6749 §2.3.1) and are decoded.
// A public client (none) sends client_id and nothing else; one that sends
// a secret or an assertion is refused. One leniency: HTTP Basic with an
// empty password is taken as a public client's client_id, as
// golang.org/x/oauth2 sends it with AuthStyleInHeader.
//
// An assertion must have: client_assertion_type
// urn:ietf:params:oauth:client-assertion-type:jwt-bearer; alg RS384 or
// ES384 (RS256, RS512, PS256, PS384, PS512, ES256 and ES512 are also
// accepted; none and HMAC never); a kid; no crit; iss = sub = client_id,
// equal to a client_id form parameter if one is sent; an aud, string or
// array, naming one of the endpoint's audiences (the token endpoint URL,
// and at introspection or revocation their own URL too); an exp no more
// than Leeway in the past and no more than 300 s + Leeway ahead; nbf and
// iat, if present, no more than Leeway ahead; a jti of at most 255 bytes,
// never used before by that client while an assertion bearing it could
// still be accepted; a jku, if present, equal to the registered jwks_uri;
// and a signature by the client's key with that kid, whose type fits the
// alg (RSA for RS and PS, EC P-256, P-384 or P-521 for ES256, ES384 and
// ES512) and whose own "alg", if it has one, is that alg. Claims are read
// by their exact names. Cheap checks run first; the key is fetched and the
// signature verified next; the jti is recorded last, so only a verified
// assertion uses one up. typ is not checked: SMART's "JWT" is advisory, and
// an assertion is verified with the client's keys, which sign nothing
// else of ours.
//
// Verification is direct: the client's JWKS is parsed with jwkset, the key
// is picked by kid here, and golang-jwt's SigningMethod.Verify checks the
// signature. github.com/MicahParks/keyfunc is not used: with no kid it
// returns every key, its storage refreshes on a fixed interval ignoring
// Cache-Control, and it rate-limits an unknown kid by blocking; the
// checks and the cache policy SMART asks for are all ours anyway, and
// picking one key by kid takes a loop.
//
// # Keys at a jwks_uri
//
// A jwks_uri is fetched when a request needs it, never by a poller: with
// Accept: application/json, under FetchTimeout (3 s) for the whole fetch,
// at most 64 KiB, HTTP 200 only, at most three redirects and only to
// https, and validated with registry.ValidateJWKS, as an inline JWKS is.
// One fetch per URL is in flight at a time and concurrent requests wait
// for it; a request never waits longer than FetchTimeout.
//
// The set is kept as its response says (RFC 9111 for a private cache):
// max-age (less Age), else Expires minus Date; no-store, no-cache and
// max-age=0 mean it serves only the requests that waited for that fetch;
// 5 min when the response says nothing; never more than 1 h. An unknown
// kid in a set still fresh triggers one refetch (a rotated key works at
// once), but at most one per URL every 10 s, so a client spraying kids
// cannot make smartd hammer a server. After a failed fetch the URL is not
// tried again for 5 s: requests that need it are refused at once with the
// failure. An expired set is never used, even when a refetch fails (SMART:
// do not cache past the client's Cache-Control).
//
// Unless AllowPrivateJWKSURI, the default HTTP client uses no proxy, and
// its dialer refuses, after name resolution (a net.Dialer Control
// function, so DNS rebinding cannot slip past), loopback, private
// (RFC 1918, fc00::/7), link-local (169.254/16, where cloud metadata
// lives, fe80::/10), shared (100.64/10), multicast, unspecified and
// reserved addresses, including IPv4 addresses inside NAT64 and 6to4;
// and a jwks_uri must use https.
//
// # The jti replay cache
//
// Each (client_id, jti) is recorded, as a 16-byte SHA-256 digest, until
// exp + Leeway, after which the assertion is refused as expired anyway.
// The records live in memory in 64 shards, and the check-and-insert holds
// one shard's lock, so of two simultaneous requests with the same jti
// exactly one wins. New records are written behind to the bucket
// "authz.jti" once a second, in one bbolt transaction, so no request
// waits for a disk sync; expired ones are dropped from memory and the
// bucket every 30 s. New loads the records still in force, so a replay is
// refused after a restart; Close writes what is pending.
//
// # Caveats
//
// A crash (not a Close) loses up to a second of records, so an assertion
// accepted in the second before a crash could be replayed within its
// remaining lifetime (at most 300 s + Leeway) after the restart.
//
// Memory grows with the rate of accepted assertions: about 60 bytes per
// record, kept at most 300 s + Leeway.
//
// The inline-JWKS cache is keyed by client_id and checked against the
// registered bytes on every use, so an updated registration takes effect
// at once. A jwks_uri cache is keyed by URL, so clients that share a URL
// share its cache.
package clientauth
