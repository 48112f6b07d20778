// Package ehr serves smartd's EHR view, the clinician's side of the SMART
// EHR launch (SMART App Launch 2.2, app-launch.html, "EHR Launch";
// scopes-and-launch-context.html for the launch context): a sign-in, a
// patient list with search (R4 patient.html#search: name, birthdate,
// identifier) and paging, a patient's chart read from the FHIR store
// (banner, encounters, conditions, medications, allergies, immunizations,
// recent vital signs and laboratory results, a vital-sign trend), and a
// Launch button per registered app with a launch URL.
//
// # Basics
//
// Below the base URL's path:
//
//	GET  /ehr/                        patient list (?name=&birthdate=&identifier=, paging links)
//	GET  /ehr/patients/{id}           chart (?encounter=ID selects the launch encounter)
//	POST /ehr/patients/{id}/launch    launch: client_id, encounter, mode, csrf_token
//	GET  /ehr/login, POST /ehr/login  sign-in (?next= a path of the EHR view)
//	POST /ehr/logout                  sign-out
//	GET  /ehr/smart-style.json        the SMART style document (smart_style_url)
//
// Launching issues a launch.Context bound to the clinician, the app, the
// patient and the selected encounter, and opens the app's launch URL with
// iss (the FHIR base) and launch: as a 303 redirect that the form's "New
// tab" button opens in a new tab, or embedded in an EHR page that keeps
// the patient banner around an iframe, in which case the context says
// need_patient_banner=false. Only that page may be framed, and only by
// our own origin (sessions.PageHeaders).
//
// Only enabled clinician accounts see records. The sign-in is package
// signin's, admitting clinicians only; it uses the same session cookie as
// the authorize endpoint, so a launched app finds the clinician signed
// in. Forms carry the session's CSRF token and are wrapped in
// sessions.Protect; sign-in is throttled by sessions.Limiter.
//
// Records reads the store directly (fhirproxy/store with search
// parameters parsed by fhirproxy/search), a chart in one read
// transaction, and also answers the launch API's questions
// (launch.Resources).
//
// # Caveats
//
// The pages need no JavaScript. The chart shows the newest 50
// encounters, 100 conditions, medications, allergies and immunizations,
// and the latest observation of each code among the newest 300 of each
// category. Paging links carry the cursors of earlier pages in the URL
// (at most 50), since the store's cursors only go forward.
package ehr
