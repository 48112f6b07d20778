package fhirproxy

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"smartd/fhirproxy/validate"
)

// Interaction names what a FHIR request asks for (FHIR R4 §3.1.0.1, and
// the operations this server supports).
type Interaction string

// The interactions the server supports.
const (
	Capabilities      Interaction = "capabilities"
	Read              Interaction = "read"
	VRead             Interaction = "vread"
	Update            Interaction = "update"
	Delete            Interaction = "delete"
	Create            Interaction = "create"
	SearchType        Interaction = "search-type"
	SearchSystem      Interaction = "search-system"
	SearchCompartment Interaction = "search-compartment"
	HistoryInstance   Interaction = "history-instance"
	HistoryType       Interaction = "history-type"
	HistorySystem     Interaction = "history-system"
	BundleSubmit      Interaction = "batch-transaction"
	Everything        Interaction = "operation-everything"
)

// Request is a decoded FHIR request.
type Request struct {
	Interaction Interaction
	Method      string
	// Type, ID and Version come from the path. For a compartment search,
	// Type is the type searched and Compartment the owner.
	Type, ID string
	Version  uint64
	// CompartmentType and CompartmentID name the compartment of a
	// compartment search (Patient/123/Observation).
	CompartmentType, CompartmentID string
	// Query holds the URL query, and for POST _search the form body too.
	Query url.Values
	// Body is the request body (create, update, bundles).
	Body []byte
	// IfMatch is the version of an If-Match header (0: none).
	IfMatch uint64
	// IfNoneExist is the search of a conditional create.
	IfNoneExist string
	// Return is the Prefer return value: "representation" (default),
	// "minimal" or "OperationOutcome".
	Return string
	// Strict is Prefer: handling=strict.
	Strict bool
	// Access is what the request's access token allows; nil is the
	// trusted internal path. Bundle entries inherit their bundle's.
	Access *Access
}

// ParseRequest decodes a request to the FHIR base. path is the part after
// the base ("" or "/" for the base itself). Unknown resource types are 404;
// methods a path does not take are 405.
func ParseRequest(method, path string, query url.Values, h http.Header) (*Request, error) {
	req := &Request{Method: method, Query: query, Return: "representation"}
	if err := req.parseHeaders(h); err != nil {
		return nil, err
	}
	path = strings.Trim(path, "/")
	var seg []string
	if path != "" {
		seg = strings.Split(path, "/")
	}
	if method == http.MethodHead {
		method = http.MethodGet
	}
	is := func(m string, i Interaction) bool {
		if method == m {
			req.Interaction = i
			return true
		}
		return false
	}
	if len(seg) >= 1 && seg[0] != "metadata" && seg[0] != "_history" && seg[0] != "_search" {
		if !validate.IsResourceType(seg[0]) {
			return nil, errorf(http.StatusNotFound, "not-supported", "unknown resource type %q", seg[0])
		}
		req.Type = seg[0]
	}
	if len(seg) >= 2 && !strings.HasPrefix(seg[1], "_") && !strings.HasPrefix(seg[1], "$") {
		if !validID(seg[1]) {
			return nil, errorf(http.StatusBadRequest, "invalid", "malformed resource id %q", seg[1])
		}
		req.ID = seg[1]
	}
	ok := false
	switch {
	case len(seg) == 0:
		ok = is(http.MethodGet, SearchSystem) || is(http.MethodPost, BundleSubmit)
	case len(seg) == 1 && seg[0] == "metadata":
		ok = is(http.MethodGet, Capabilities)
	case len(seg) == 1 && seg[0] == "_history":
		ok = is(http.MethodGet, HistorySystem)
	case len(seg) == 1 && seg[0] == "_search":
		ok = is(http.MethodPost, SearchSystem)
	case len(seg) == 1:
		ok = is(http.MethodGet, SearchType) || is(http.MethodPost, Create)
	case len(seg) == 2 && seg[1] == "_search":
		ok = is(http.MethodPost, SearchType)
	case len(seg) == 2 && seg[1] == "_history":
		ok = is(http.MethodGet, HistoryType)
	case len(seg) == 2 && req.ID != "":
		ok = is(http.MethodGet, Read) || is(http.MethodPut, Update) || is(http.MethodDelete, Delete)
	case len(seg) == 3 && req.ID != "" && seg[2] == "_history":
		ok = is(http.MethodGet, HistoryInstance)
	case len(seg) == 4 && req.ID != "" && seg[2] == "_history":
		v, err := strconv.ParseUint(seg[3], 10, 64)
		if err != nil || v == 0 {
			return nil, errorf(http.StatusBadRequest, "invalid", "malformed version id %q", seg[3])
		}
		req.Version = v
		ok = is(http.MethodGet, VRead)
	case len(seg) == 3 && req.ID != "" && seg[2] == "$everything":
		if req.Type != "Patient" {
			return nil, errorf(http.StatusBadRequest, "not-supported", "$everything is supported on Patient only")
		}
		ok = is(http.MethodGet, Everything) || is(http.MethodPost, Everything)
	case len(seg) == 3 && req.ID != "" && validate.IsResourceType(seg[2]):
		if req.Type != "Patient" {
			return nil, errorf(http.StatusBadRequest, "not-supported", "compartment searches are supported in the Patient compartment only")
		}
		req.CompartmentType, req.CompartmentID, req.Type = req.Type, req.ID, seg[2]
		req.ID = ""
		ok = is(http.MethodGet, SearchCompartment)
	case len(seg) >= 2 && strings.HasPrefix(seg[len(seg)-1], "$"):
		return nil, errorf(http.StatusBadRequest, "not-supported", "operation %s is not supported", seg[len(seg)-1])
	default:
		return nil, errorf(http.StatusNotFound, "not-supported", "no FHIR interaction at %q", "/"+path)
	}
	if !ok {
		return nil, errorf(http.StatusMethodNotAllowed, "not-supported", "%s is not allowed on %q", method, "/"+path)
	}
	return req, nil
}

func (req *Request) parseHeaders(h http.Header) error {
	if m := h.Get("If-Match"); m != "" {
		v := strings.TrimPrefix(strings.TrimSpace(m), "W/")
		n, err := strconv.ParseUint(strings.Trim(v, `"`), 10, 64)
		if err != nil || n == 0 {
			return &Error{Status: http.StatusBadRequest, Code: "invalid", Diagnostics: "If-Match must be an ETag such as W/\"3\"", Expression: "If-Match"}
		}
		req.IfMatch = n
	}
	req.IfNoneExist = h.Get("If-None-Exist")
	for _, p := range h.Values("Prefer") {
		for part := range strings.SplitSeq(p, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			v = strings.Trim(v, `"`)
			switch strings.ToLower(k) {
			case "return":
				switch v {
				case "minimal", "representation", "OperationOutcome":
					req.Return = v
				}
			case "handling":
				req.Strict = v == "strict"
			}
		}
	}
	return nil
}

// validID checks the FHIR id syntax (R4 datatypes: [A-Za-z0-9\-\.]{1,64}).
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
