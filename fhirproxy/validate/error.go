package validate

import "net/http"

// Error is a resource the server refuses, carrying what an OperationOutcome issue
// needs (R4 §2.38 OperationOutcome; issue types from the IssueType value set).
type Error struct {
	// Status is the HTTP status: 400 for malformed content, 422 for content that
	// is well formed but breaks a rule of the resource (R4 §3.1.0.4, "update").
	Status int
	// Code is the OperationOutcome issue type: "structure", "required",
	// "code-invalid", "value" or "invalid".
	Code string
	// Element is a FHIRPath-like location of the offending element, such as
	// "Observation.code.coding[0].system"; empty when the body is not a JSON object.
	Element string
	// Diagnostics says what is wrong, for a person.
	Diagnostics string
}

// Error returns the location and the diagnostics.
func (e *Error) Error() string {
	if e.Element == "" {
		return e.Diagnostics
	}
	return e.Element + ": " + e.Diagnostics
}

// Issue types used (R4 ValueSet issue-type).
const (
	codeStructure   = "structure"
	codeRequired    = "required"
	codeCodeInvalid = "code-invalid"
	codeValue       = "value"
	codeInvalid     = "invalid"
)

func structureError(element, diagnostics string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: codeStructure, Element: element, Diagnostics: diagnostics}
}

func invalidError(element, diagnostics string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: codeInvalid, Element: element, Diagnostics: diagnostics}
}

func valueError(element, diagnostics string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: codeValue, Element: element, Diagnostics: diagnostics}
}

func requiredError(element, diagnostics string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: codeRequired, Element: element, Diagnostics: diagnostics}
}

func codeInvalidError(element, diagnostics string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: codeCodeInvalid, Element: element, Diagnostics: diagnostics}
}
