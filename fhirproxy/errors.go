package fhirproxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/fhirproxy/validate"
)

// Error is a FHIR request the server refuses or cannot complete. It is
// rendered as an OperationOutcome (FHIR R4 §3.1.0.4.1) with Status.
type Error struct {
	Status int
	// Code is the OperationOutcome issue type (IssueType value set), e.g.
	// "invalid", "not-found", "conflict", "not-supported".
	Code string
	// Diagnostics is shown to the client; Expression names the element
	// or parameter when there is one.
	Diagnostics string
	Expression  string
	// Severity is "error" unless set.
	Severity string
	// Challenge, when set, is sent as WWW-Authenticate (RFC 6750 §3).
	Challenge string
	// cause is logged, never sent.
	cause error
}

func (e *Error) Error() string {
	msg := e.Diagnostics
	if e.Expression != "" {
		msg += " (at " + e.Expression + ")"
	}
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.cause }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Diagnostics: fmt.Sprintf(format, args...)}
}

// asError turns any error from the layers below into an *Error: store
// errors by kind, validation and search errors with their element, and
// anything else into a 500 that names nothing internal.
func asError(err error) *Error {
	var fe *Error
	var ve *validate.Error
	var se *search.Error
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.As(err, &ve):
		return &Error{Status: ve.Status, Code: ve.Code, Diagnostics: ve.Diagnostics, Expression: ve.Element}
	case errors.As(err, &se):
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: se.Error(), Expression: se.Param}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not-found", Diagnostics: err.Error()}
	case errors.Is(err, store.ErrGone):
		return &Error{Status: http.StatusGone, Code: "deleted", Diagnostics: err.Error()}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusPreconditionFailed, Code: "conflict", Diagnostics: err.Error()}
	case errors.Is(err, store.ErrDuplicate):
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: err.Error()}
	case errors.Is(err, store.ErrBadCursor):
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: "the paging link is malformed or expired", Expression: "_cursor"}
	case errors.Is(err, store.ErrTooCostly):
		return &Error{Status: http.StatusBadRequest, Code: "too-costly", Diagnostics: err.Error()}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "exception", Diagnostics: "internal error", cause: err}
}

// outcome is the OperationOutcome JSON of one issue.
func outcome(severity, code, diagnostics, expression string) []byte {
	type issue struct {
		Severity    string   `json:"severity"`
		Code        string   `json:"code"`
		Diagnostics string   `json:"diagnostics,omitempty"`
		Expression  []string `json:"expression,omitempty"`
	}
	is := issue{Severity: severity, Code: code, Diagnostics: diagnostics}
	if expression != "" {
		is.Expression = []string{expression}
	}
	b, _ := json.Marshal(struct {
		ResourceType string  `json:"resourceType"`
		Issue        []issue `json:"issue"`
	}{"OperationOutcome", []issue{is}})
	return b
}

// render is the one place a FHIR error reaches the wire.
func render(log *slog.Logger, r *http.Request, err error) response {
	e := asError(err)
	if e.Status >= 500 {
		log.ErrorContext(r.Context(), "fhir request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	sev := e.Severity
	if sev == "" {
		sev = "error"
	}
	return response{status: e.Status, body: outcome(sev, e.Code, e.Diagnostics, e.Expression), challenge: e.Challenge}
}

// challenge is an RFC 6750 §3 Bearer challenge with an error code and a
// description (quotes and backslashes removed: they would end the value).
func challenge(code, description string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, description)
	return `Bearer realm="smartd", error="` + code + `", error_description="` + clean + `"`
}
