// Package grants holds the storage and rules of the authorization code
// flow with PKCE and of refresh tokens, with no HTTP: SMART App Launch 2.2
// (app-launch.html, "Obtain authorization code", "Obtain access token",
// "Refresh access token"), RFC 6749 §4.1 and §6, RFC 7636 and the OAuth 2.0
// Security BCP (RFC 9700 §4.14, refresh token rotation).
//
// # Basics
//
// A [Grant] is what a user approved for a client: scope, launch context,
// session. [Store.IssueCode] binds a grant to a one-time authorization
// code, [Store.RedeemCode] exchanges it (with the PKCE verifier) for the
// grant, [Store.IssueRefresh] gives the grant a refresh token, and
// [Store.RotateRefresh] exchanges a refresh token for the grant and a new
// token. [Store.Revoked] answers, from memory, whether the access tokens
// minted for a grant must stop working; the token endpoint and the
// enforcement point ask it. For an administrator, [Store.ListActive]
// lists the grants whose tokens may still work (by client and by user)
// and [Store.Revoke] revokes one.
//
// PKCE is S256 only, for every client (SMART 2.2: "plain" is refused and
// so is a missing challenge): [CheckChallenge] at the authorization
// endpoint, [Verify] at the token endpoint.
//
// # Storage
//
// Codes live in memory only. They last 60 seconds, so a restart loses at
// most a minute of pending codes, whose apps simply start again; in return
// issuing and redeeming a code does no I/O at all ("codes and sessions
// must not fsync one by one"). A redeemed code is kept as a tombstone for
// ten minutes so that a second redemption is recognised (RFC 6749
// §10.5) and revokes the grant. Expired codes and tombstones are swept
// lazily by IssueCode.
//
// Refresh tokens and the grants that own them are stored in bbolt, in the
// buckets "authz.grants", "authz.refresh" and "authz.grants.revoked",
// written with db.Batch so that concurrent token requests share one
// fsync'd transaction. Only the SHA-256 of a code or a refresh token is
// ever stored. Revoked grant ids are also held in memory, loaded at Open.
//
// # Rules
//
// A code is consumed by its first redemption attempt whatever the outcome
// (RFC 6749 §4.1.2: used at most once); a failed first attempt issued
// nothing, so only a second presentation revokes the grant.
//
// Refresh tokens rotate: each RotateRefresh marks the presented token
// rotated and issues a new one. A rotated token presented again is taken
// as theft (RFC 9700 §4.14.2): the grant is revoked, and with it every
// refresh token it has, the newest included. A refresh token is bound to
// its client. A grant without offline access ends with its session:
// [Options.SessionAlive] is asked at each rotation. The scope of a
// refreshed access token may be narrowed with [Narrow]; the grant keeps
// its original scope (RFC 6749 §6).
//
// # Caveats
//
// A revocation is written (one Batch) before the call that caused it
// returns, then held in memory. A grant that never received a refresh
// token exists only in memory, for ten minutes after its code was
// redeemed: IssueRefresh must follow RedeemCode within that time. Expired
// refresh records are not yet purged from bbolt.
package grants
