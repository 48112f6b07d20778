// Package launch issues and resolves EHR launch contexts (SMART App Launch
// 2.2, "EHR Launch" and "Launch context arrives with your access_token"):
// an opaque, single-use, short-lived launch id bound to the user who
// clicked Launch, the app, and the patient, encounter and fhirContext in
// view. The authorization server resolves the id when the app authorizes
// with the `launch` scope and consumes it when the code is issued.
//
// # Basics
//
// Store.Issue gives a Context a random id (32 bytes from crypto/rand,
// base64url) that lives Lifetime (five minutes). Store.Peek resolves an id
// for the client presenting it without using it up; Store.Consume does the
// same once only. Both refuse with one of the sentinel errors ErrUnknown,
// ErrOtherApp, ErrExpired or ErrUsed. URL builds what the EHR opens: the
// app's launch URL with iss (the FHIR base, verbatim) and launch added.
// CheckApp says whether an app can be launched at all.
//
// API is the launch-context API for integrations (a CDS Hooks card's
// SMART link, a Task-driven launch): POST <base>/launch/api/launches with
// a bearer token creates a launch for a given app, user, patient,
// encounter and fhirContext and answers with the URL to open.
//
// # Caveats
//
// Launches live in memory only, in one process. A launch id is meant to
// be used within seconds of its creation and lives five minutes at most,
// so losing the ones in flight on a restart costs a clinician one more
// click; writing each one to disk would cost an fsync per click for no
// gain. Several smartd replicas behind a load balancer would need a
// shared store (DESIGN.md, "Growth beyond one machine"): the Peek and
// Consume signatures are what such a store must offer. Expired launches
// are forgotten by a sweep on each Issue and Consume, in issue order, at
// constant cost per launch; MaxLive bounds the memory held meanwhile.
//
// On a sandbox server a launch may carry Context.Simulate, the errors it
// simulates (package launch/simulation); the API accepts them as the
// simulate member for apps that opted in and refuses them otherwise.
package launch
