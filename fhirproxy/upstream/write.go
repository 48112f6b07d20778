package upstream

import (
	"context"
	"encoding/json"
	"net/http"

	"smartd/fhirproxy"
)

// checkWrite checks a create, update or delete against the token before
// it is forwarded, as the store path does (FHIR R4 §3.1.0.4-7 with SMART
// App Launch 2.2 scopes): the resource an update or delete replaces must
// be one the token may change, read from the upstream first, and the new
// content must lie within the token's reach (a patient-scoped write
// cannot put a resource into another patient's compartment). It returns
// the ETag of the version checked, for an If-Match that keeps the check
// and the write together.
func (h *Handler) checkWrite(ctx context.Context, req *fhirproxy.Request) (etag string, err error) {
	a := req.Access
	if a == nil {
		return "", nil
	}
	if req.Interaction == fhirproxy.Create && req.IfNoneExist != "" && !a.SeesAll(fhirproxy.SearchType, req.Type) {
		return "", &fhirproxy.Error{Status: http.StatusBadRequest, Code: "not-supported", Expression: "If-None-Exist",
			Diagnostics: "a conditional create through this proxy needs a token that may search every " + req.Type + ": the upstream's search would see resources this token may not"}
	}
	if (req.Interaction == fhirproxy.Update || req.Interaction == fhirproxy.Delete) && !a.SeesAll(req.Interaction, req.Type) {
		rep, err := h.send(ctx, &call{method: http.MethodGet, path: "/" + req.Type + "/" + req.ID, header: http.Header{}})
		if err != nil {
			return "", err
		}
		switch {
		case rep.status == http.StatusOK:
			if hd, ok := h.sees(a, req.Interaction, rep.body); !ok || hd.ResourceType != req.Type {
				return "", fhirproxy.Forbidden("%s/%s lies outside what this token may %s", req.Type, req.ID, req.Interaction)
			}
			etag = rep.header.Get("ETag")
		case rep.status != http.StatusNotFound && rep.status != http.StatusGone:
			_, err := h.passError(rep, nil)
			if err == nil {
				err = errUnreachable("the upstream FHIR server did not answer the read of the resource to " + string(req.Interaction))
			}
			return "", err
		}
	}
	if req.Interaction == fhirproxy.Delete {
		return etag, nil
	}
	var hd head
	if err := json.Unmarshal(req.Body, &hd); err != nil || hd.ResourceType == "" {
		return "", &fhirproxy.Error{Status: http.StatusBadRequest, Code: "structure", Diagnostics: "the request body is not a FHIR JSON resource"}
	}
	if hd.ResourceType != req.Type {
		return "", &fhirproxy.Error{Status: http.StatusBadRequest, Code: "invalid", Expression: "resourceType",
			Diagnostics: "the body's resourceType " + hd.ResourceType + " does not match the URL's " + req.Type}
	}
	ok, err := a.Sees(req.Interaction, req.Type, req.ID, req.Body, h.base)
	if err != nil {
		return "", &fhirproxy.Error{Status: http.StatusBadRequest, Code: "structure", Diagnostics: "the request body is not a FHIR JSON resource"}
	}
	if !ok {
		return "", fhirproxy.Forbidden("this %s would lie outside what this token may %s (the patient in context, or the granted scope's filter)", req.Type, req.Interaction)
	}
	return etag, nil
}
