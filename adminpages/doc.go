// Package adminpages serves the administrator's web pages: the active
// grants and their tokens by user and by app, each revocable, and the
// management of login accounts. Below the base URL's path:
//
//	GET  /admin/grants?user=&client_id=   active grants (authz/grants ListActive); for one user, also
//	                                      their recent authorizations and token requests (audit trail):
//	                                      "which tokens were issued to this user" in one page
//	POST /admin/grants/{id}/revoke        revoke a grant: its refresh tokens stop at once, its access
//	                                      tokens at their next use (the FHIR API asks GrantRevoked)
//	GET  /admin/users, POST /admin/users  the accounts, and the form that adds one
//	GET  /admin/users/{u}, POST           one account: its profile (display name, role, FHIR user)
//	POST /admin/users/{u}/status          disable or enable (disabling ends the account's sessions)
//	POST /admin/users/{u}/password        set a new password (the account's sessions end)
//	GET  /admin/users/{u}/delete, POST    delete, after a confirmation page
//
// Access tokens are signed JWTs that smartd does not store: a grant is
// what can be listed and revoked (RFC 7009 §2.1: revoking a refresh token
// ends the access tokens of its grant), and a grant's tokens are its
// refresh tokens and the access tokens minted from them. Tokens of the
// client_credentials grant belong to no user and no grant; they live at
// most five minutes and are revoked by the app itself (RFC 7009).
//
// Only enabled admin accounts (users.Admin) may open these pages; others
// get 403, and nobody signed in goes to the sign-in page (package
// signin). An admin cannot disable, demote or delete their own account.
// Every form carries the session's CSRF token and every POST is wrapped
// in sessions.Protect. Account fields are validated by package users,
// and each problem is shown next to its field.
package adminpages
