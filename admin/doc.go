// Package admin is smartd's administration API: a thin JSON layer over
// the app registry (apps/registry), the signing keys (authz/keys) and the
// login accounts (users) for a running server, which holds the data file
// that `smartd apps`, `smartd keys` and `smartd users` would otherwise
// open.
//
// Every request needs "Authorization: Bearer <admin token>" (RFC 6750
// §2.1); the token is compared by SHA-256 digest in constant time.
// Errors are OAuth-style JSON ({"error", "error_description"}), as the
// authorization server writes them.
//
// Below the mount point (smartd mounts it at /admin/api):
//
//	GET    /apps                      every app's metadata (RFC 7591 §2), no secrets
//	POST   /apps                      register (RFC 7591 metadata; client_id may be chosen);
//	                                  the response carries the secret and registration token once
//	GET    /apps/{client_id}          one app's metadata
//	PUT    /apps/{client_id}          replace its metadata
//	DELETE /apps/{client_id}          remove it
//	POST   /apps/{client_id}/secret   issue a new client secret
//	GET    /apps/export               the registry.ExportFile of every app
//	POST   /apps/import[?replace=true] load an export, all or nothing
//	GET    /keys                      the signing keys
//	POST   /keys/rotate               add a new current key per algorithm
//	GET    /audit                     audit records, newest first: {"records": [...], "next": cursor};
//	                                  filters since, until (1h, 7d, RFC 3339), client_id, user,
//	                                  patient, kind, outcome, type, limit, cursor
//	GET    /users                     every login account (no password hashes)
//	POST   /users                     create one: {username, password, role, fhir_user,
//	                                  display_name, patient}; 201 with the account
//	GET    /users/{username}          one account
//	DELETE /users/{username}          remove it and end its login sessions
//
// The export path shadows a client_id "export" for GET; read such an app
// through the export.
package admin
