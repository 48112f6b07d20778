// Package authz holds the HTTP endpoints of smartd's OAuth 2.0
// authorization server for the machine-to-machine half of SMART App
// Launch 2.2: discovery, the token endpoint with the client_credentials
// grant (SMART Backend Services, backend-services.html), token
// introspection (RFC 7662; token-introspection.html), revocation (RFC
// 7009), dynamic client registration and management (RFC 7591, RFC 7592)
// and CORS (app-launch.html, "Considerations for CORS support").
//
// # Basics
//
// The issuer is the FHIR base, <base-url>/fhir. [Server.Handler] serves:
//
//	GET  <base-url>/fhir/.well-known/smart-configuration   SMART discovery (conformance.html)
//	GET  <base-url>/fhir/.well-known/openid-configuration  the same metadata for OpenID clients
//	GET  <base-url>/auth/jwks                              our public keys (RFC 7517 §5)
//	POST <base-url>/auth/token                             RFC 6749 §3.2
//	POST <base-url>/auth/introspect                        RFC 7662 §2
//	POST <base-url>/auth/revoke                            RFC 7009 §2
//	POST <base-url>/auth/register                          RFC 7591 §3
//	GET, PUT, DELETE <base-url>/auth/register/{client_id}  RFC 7592 §2
//
// The JWKS is served beside the other endpoints rather than below
// /fhir/.well-known: only the documents SMART requires at the FHIR base
// live in the FHIR server's namespace, and discovery names jwks_uri.
//
// All HTTP decoding happens in request.go: handlers receive typed,
// already-checked requests (a tokenRequest carries a typed GrantType, and
// the token endpoint switches on it). Handlers return errors; the one
// adapter in server.go writes them through oauth.Write, which sets the
// no-store headers; successful responses set them too (writeJSON).
//
// Access tokens are JWTs signed ES256 by authz/keys (RFC 9068), with iss
// and aud the FHIR base, sub and client_id the client, scope, jti, iat and
// exp; they live at most five minutes (Backend Services: "SHOULD NOT
// exceed five minutes"). No refresh token is issued with
// client_credentials. Revoking one records its jti until its exp in the
// bbolt bucket "authz.revoked" and in memory (Revocations), which the
// enforcement point consults with Revoked.
//
// Dynamic registration follows a RegistrationPolicy: open (rate-limited
// per client IP: a sandbox setting), token (an RFC 7591 §3 initial access
// token is required) or closed (403).
//
// # CORS
//
// Browser apps call these endpoints cross-origin. Preflight requests are
// answered before any authentication. The public documents (discovery,
// JWKS and the FHIR CapabilityStatement) allow any origin with "*"; every
// other endpoint echoes the Origin, with Vary: Origin, only when it is the
// origin (scheme, host and port) of a registered app's redirect URI or
// launch URL, on error responses too. See PublicCORS, RegisteredCORS and
// Origins.
//
// # Caveats
//
// The token endpoint serves the authorization_code grant (PKCE, launch
// context, id_token) and the refresh_token grant (rotation) when
// Options.Grants is set, but the authorization endpoint that issues codes
// is not here yet: discovery lists only the client_credentials grant and
// no authorization_endpoint.
//
// The open registration policy's rate limit is per remote address; behind
// a reverse proxy every client shares the proxy's address.
package authz
