// Package users keeps smartd's login accounts: the people who sign in at
// the authorization endpoint before a SMART app is granted user-level
// access.
//
// # Basics
//
// A User is a clinician, a patient, a developer or an admin. Clinicians and patients
// are linked to the FHIR resource that represents them, and that reference
// is the fhirUser claim of the ID token (SMART App Launch 2.2, "Scopes for
// requesting identity data": fhirUser is a Practitioner, Patient,
// RelatedPerson or Person; FHIR R4 §2.1.0 resource references):
//
//	clinician   Practitioner/<id>
//	patient     Patient/<id>, or RelatedPerson/<id> with User.Patient set (a proxy)
//	developer   no resource; developers register and manage their own apps
//	admin       no resource, or Practitioner/<id>; admins manage smartd, not records
//
// Passwords are hashed with argon2id (RFC 9106) and stored in the PHC
// string format, $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>, so the
// parameters travel with each hash and can be raised later: NeedsRehash
// reports a hash made with weaker ones, and Store.Authenticate rehashes it
// on the next successful login.
//
// Store keeps the accounts in their own bucket, "users.accounts", of
// smartd's bbolt file, and the consent decisions a user asked to have
// remembered (RememberConsent: username, client_id and the granted scope)
// in "users.consents"; it touches no other bucket. Authenticate answers
// an unknown username exactly as it answers a wrong password, with
// ErrBadCredentials after verifying against a dummy hash, so that neither
// the error nor the time tells which usernames exist. Get, which the
// authorize and consent pages call on every request, keeps each account
// as it decoded it with the stored bytes it came from, and decodes again
// only when those bytes have changed.
//
// # Sandbox policy
//
// For user/ scopes (SMART App Launch 2.2, "Scopes for requesting
// clinical data") this sandbox lets a clinician see and pick every
// patient, and a patient only their own record; a RelatedPerson proxy sees
// the patient the account is linked to (User.MayAccessPatient,
// User.PatientContext).
//
// # Caveats
//
// Hashing costs about 64 MiB of memory and about 70 ms of two cores per
// attempt: the login endpoint must be rate-limited. SeedDemo creates demo
// accounts with published passwords; it is meant for the sandbox only.
package users
