// Package launch issues and resolves EHR launch contexts (SMART App Launch
// 2.2, "EHR Launch" and "Launch context arrives with your access_token"):
// an opaque, single-use, short-lived launch id bound to the user who
// clicked Launch, the app, and the patient, encounter and fhirContext in
// view. The authorization server resolves the id when the app authorizes
// with the `launch` scope and consumes it when the code is issued.
package launch
