package conformance

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

var (
	ckInScope = Check{GroupFHIRAccess, "a search and a read in scope succeed",
		"SMART App Launch 2.2, scopes-and-launch-context.html (system/<Type>.rs); FHIR R4 http.html#search, http.html#read"}
	ckOutOfScope = Check{GroupFHIRAccess, "a search out of scope is refused with 403",
		"SMART App Launch 2.2, backend-services.html (the server SHOULD fail unauthorised requests); RFC 6750 §3.1 (insufficient_scope, 403)"}
	ckNoToken = Check{GroupFHIRAccess, "a request without a token is refused with 401",
		"RFC 6750 §3 (401 with WWW-Authenticate); ONC (g)(10) unauthorized access test"}
	ckBadToken = Check{GroupFHIRAccess, "a request with an invalid token is refused with 401",
		"RFC 6750 §3.1 (invalid_token, 401)"}
)

var fhirAccessChecks = []Check{ckInScope, ckOutOfScope, ckNoToken, ckBadToken}

// searchURL is a one-result search of a resource type.
func (r *runner) searchURL(typ string) string {
	return r.cfg.FHIRBase + "/" + url.PathEscape(typ) + "?_count=1"
}

// fhirGet reads a FHIR URL, with a token when one is given.
func (r *runner) fhirGet(u, token string) (*response, error) {
	h := []string{"Accept", "application/fhir+json"}
	if token != "" {
		h = append(h, bearer(token)...)
	}
	return r.get(u, h...)
}

// fhirAccess runs the FHIR access scenario with the backend token.
func (r *runner) fhirAccess() {
	tokenCheck := func(c Check, fn func(st *step) error) {
		r.do(c, func(st *step) error {
			if r.status[ckBackendToken.ID()] != Pass {
				if miss := r.cfg.backendMissing(); miss != "" {
					return skipf("%s", miss)
				}
				return r.needs(ckBackendToken)
			}
			return fn(st)
		})
	}
	tokenCheck(ckInScope, func(st *step) error {
		resp, err := r.fhirGet(r.searchURL(r.cfg.InScopeType), r.bs.token)
		if err != nil {
			return err
		}
		if resp.Status != 200 {
			return fmt.Errorf("searching %s got %s, want 200", r.cfg.InScopeType, resp.describe())
		}
		var b struct {
			ResourceType string `json:"resourceType"`
			Entry        []struct {
				Resource struct {
					ResourceType string `json:"resourceType"`
					ID           string `json:"id"`
				} `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(resp.Body, &b); err != nil || b.ResourceType != "Bundle" {
			return fmt.Errorf("the search result is not a Bundle: %s", resp.describe())
		}
		if len(b.Entry) == 0 || b.Entry[0].Resource.ID == "" {
			st.note("the search found no %s to read", r.cfg.InScopeType)
			return nil
		}
		res := b.Entry[0].Resource
		read, err := r.fhirGet(r.cfg.FHIRBase+"/"+res.ResourceType+"/"+url.PathEscape(res.ID), r.bs.token)
		if err != nil {
			return err
		}
		if read.Status != 200 {
			return fmt.Errorf("reading %s/%s got %s, want 200", res.ResourceType, res.ID, read.describe())
		}
		return nil
	})
	tokenCheck(ckOutOfScope, func(st *step) error {
		if s := covering(r.bs.scope, "system", r.cfg.OutOfScopeType); s != "" {
			return skipf("the granted scope %q covers %s (%s); configure another out-of-scope type", r.bs.scope, r.cfg.OutOfScopeType, s)
		}
		resp, err := r.fhirGet(r.searchURL(r.cfg.OutOfScopeType), r.bs.token)
		if err != nil {
			return err
		}
		if resp.Status != 403 {
			return fmt.Errorf("searching %s with a token for %q got %d, want 403", r.cfg.OutOfScopeType, r.bs.scope, resp.Status)
		}
		return nil
	})
	r.do(ckNoToken, func(st *step) error {
		resp, err := r.fhirGet(r.searchURL(r.cfg.InScopeType), "")
		if err != nil {
			return err
		}
		if resp.Status != 401 {
			return fmt.Errorf("searching %s without a token got %d, want 401", r.cfg.InScopeType, resp.Status)
		}
		if !strings.HasPrefix(strings.ToLower(resp.Header.Get("WWW-Authenticate")), "bearer") {
			return fmt.Errorf("the 401 has WWW-Authenticate %q, want a Bearer challenge (RFC 6750 §3)", resp.Header.Get("WWW-Authenticate"))
		}
		return nil
	})
	r.do(ckBadToken, func(st *step) error {
		resp, err := r.fhirGet(r.searchURL(r.cfg.InScopeType), "conformance-not-a-token-"+newJTI()[:16])
		if err != nil {
			return err
		}
		if resp.Status != 401 {
			return fmt.Errorf("searching %s with an invalid token got %d, want 401", r.cfg.InScopeType, resp.Status)
		}
		return nil
	})
}

// covering returns the scope in granted that lets context (system, user
// or patient) read typ, or "".
func covering(granted, context, typ string) string {
	for _, s := range strings.Fields(granted) {
		m := resourceScope.FindStringSubmatch(s)
		if m == nil || m[1] != context {
			continue
		}
		t := strings.TrimPrefix(s, m[1]+"/")
		t = t[:strings.IndexByte(t, '.')]
		if t != "*" && t != typ {
			continue
		}
		switch perm, _, _ := strings.Cut(m[2], "?"); {
		case perm == "read" || perm == "*":
			return s
		case perm != "write" && v2Permissions.MatchString(perm) && strings.ContainsAny(perm, "rs"):
			return s
		}
	}
	return ""
}
