// Package upstream makes smartd a SMART on FHIR front for an existing FHIR
// server: requests to our FHIR base are authenticated and checked as the
// store path checks them, forwarded to the upstream server with smartd's
// own credentials, and the responses are filtered before they leave.
//
// # Basics
//
// A Handler serves everything below our FHIR base. The CapabilityStatement
// (FHIR R4 §3.1.0.10 capabilities) and CORS preflights are delegated to
// the fhirproxy.Server, whose statement carries the SMART security block;
// every other request needs a valid access token (401 otherwise), is
// decoded with fhirproxy.ParseRequest (unknown types and interactions are
// refused before anything is forwarded) and passes fhirproxy's Permit
// (403 when the token's scopes cannot do the interaction on its type).
//
// The request is then forwarded with the same method, path, query and
// body and the FHIR headers that matter (Content-Type, If-Match,
// If-None-Exist, Prefer); the client's Authorization never is. smartd
// authenticates to the upstream with Credentials: none, a static bearer
// token, or a SMART Backend Services client (SMART App Launch 2.2,
// "Backend Services": a client_credentials grant with a signed
// client_assertion) whose access token is cached, shared by concurrent
// requests and renewed before it expires or once on a 401.
//
// # Filtering
//
// The upstream knows nothing of the token, so every resource that comes
// back is checked with fhirproxy.Access.Sees before it leaves:
//   - read and vread (R4 §3.1.0.2, §3.1.0.3): a resource the token may not
//     see is 404, word for word the store path's answer to a missing one;
//   - search, history and $everything bundles (R4 §3.1.0.8, §3.1.0.12):
//     matches, includes and versions the token may not see are dropped,
//     and Bundle.total is dropped unless the token sees the whole type;
//   - create and update (R4 §3.1.0.4, §3.1.0.5): the new content must lie
//     within the token's reach, and an update or delete first reads the
//     current resource from the upstream, which must too (403 otherwise);
//   - batch and transaction (R4 §3.1.0.11): every entry is checked as its
//     own request first, and one refused entry refuses the whole bundle,
//     batch included; the response's resources are filtered per entry.
//
// Absolute URLs that name the upstream base are rewritten to ours: the
// Location and Content-Location headers, Bundle.link.url,
// Bundle.entry.fullUrl and Bundle.entry.response.location. References
// inside resources are left as they are (relative ones are the norm).
//
// # Caveats
//
// Filtering happens after the upstream's paging, so a page may hold fewer
// entries than _count asked for, or none, while a next link remains.
// _elements and _summary can strip the references a compartment check
// needs; such entries are dropped, never let through. A conditional
// create (If-None-Exist) under a token that does not see every resource
// of the type is refused: the upstream's search would see other patients.
// The upstream must answer FHIR JSON; anything else is a 502.
package upstream
