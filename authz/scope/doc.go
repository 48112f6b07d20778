// Package scope is smartd's typed model of SMART on FHIR scopes (SMART App
// Launch 2.2, "Scopes and Launch Context", scopes-and-launch-context.html):
// the authorization server parses, grants and prints scopes with it, and the
// FHIR enforcement point decides requests with it. Scope strings are parsed
// once and never matched as text. The package imports only the standard
// library.
//
// # Basics
//
// Parse turns a scope parameter into a Set of Scope values, in order:
//
//   - resource scopes `(patient|user|system)/(Type|*).<perms>[?p=v&...]`
//     ("Clinical Scope Syntax"), with v2 permissions (an ordered subset of
//     cruds) or v1 ones (`.read` ⇒ rs, `.write` ⇒ cud, `.*` ⇒ cruds) and
//     granular search-parameter constraints ("Finer-grained resource
//     constraints using search parameters");
//   - launch scopes `launch`, `launch/patient`, `launch/encounter`,
//     `launch/<type>[?role=...]` ("Scopes for requesting context data");
//   - `openid`, `fhirUser`, `profile` ("Scopes for requesting identity
//     data") and `offline_access`, `online_access` ("Scopes for requesting
//     a refresh token");
//   - the URI forms with SMARTPrefix or OpenIDPrefix ("Appendix: URI
//     representation of scopes");
//   - everything else as KindOther: extensions (`__x`, full URIs,
//     "Extensibility") and malformed SMART scopes such as `.dus`, which the
//     IG lets a server ignore. Set.Unknown lists them.
//
// Scope.String and Set.String print scopes back in the client's style, so
// Parse(s).String() is s for every canonical scope string.
//
// Grant computes requested ∩ allowed (and then ∩ consented), narrowing
// wildcards, permissions and granular constraints; see its comment for the
// rules where the IG is silent. Set.Decide answers the enforcement point
// with a Decision: allow or deny, and per context the filters the store must
// apply. Describe writes one consent-page sentence per scope.
//
// # Caveats
//
//   - Contexts never cross: a `user/` allowance does not grant a `patient/`
//     request, and a `patient/` grant is only as narrow as the patient in
//     launch context, which this package does not know. The caller binds
//     ContextPatient to that patient's compartment.
//   - Resource type names are checked for shape, not against FHIR R4's list:
//     `patient/Foo.rs` parses, and the FHIR layer answers 404 for it.
//   - Granular parameters are kept and compared by decoded name and value;
//     whether the store can evaluate one is the caller's knowledge
//     (GrantOptions.Supports), and modifiers, chaining and _filter are
//     experimental in the IG.
//   - Patient.link is not considered (IG: a server supporting it must
//     document its effect on authorisation).
package scope
