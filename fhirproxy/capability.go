package fhirproxy

import (
	"encoding/json"
	"slices"
	"time"

	"smartd/fhirproxy/search"
	"smartd/fhirproxy/validate"
)

// typeInteractions are the interactions every resource type supports.
var typeInteractions = []string{"read", "vread", "update", "delete", "history-instance", "history-type", "create", "search-type"}

// capabilityStatement describes what this server does (FHIR R4 §3.1.0.10),
// generated from the code's own tables: the resource types validate
// knows, the search parameters search defines, and the interactions
// ParseRequest routes; so it cannot drift from the code.
func capabilityStatement(base, software, version string, date time.Time, oauth *OAuthURIs) []byte {
	type code struct {
		Code string `json:"code"`
	}
	type param struct {
		Name          string `json:"name"`
		Definition    string `json:"definition,omitempty"`
		Type          string `json:"type"`
		Documentation string `json:"documentation,omitempty"`
	}
	type operation struct {
		Name       string `json:"name"`
		Definition string `json:"definition"`
	}
	type resource struct {
		Type              string      `json:"type"`
		Profile           string      `json:"profile"`
		Interaction       []code      `json:"interaction"`
		Versioning        string      `json:"versioning"`
		ReadHistory       bool        `json:"readHistory"`
		UpdateCreate      bool        `json:"updateCreate"`
		ConditionalCreate bool        `json:"conditionalCreate"`
		ConditionalRead   string      `json:"conditionalRead"`
		ConditionalUpdate bool        `json:"conditionalUpdate"`
		ConditionalDelete string      `json:"conditionalDelete"`
		ReferencePolicy   []string    `json:"referencePolicy"`
		SearchInclude     []string    `json:"searchInclude,omitempty"`
		SearchRevInclude  []string    `json:"searchRevInclude,omitempty"`
		SearchParam       []param     `json:"searchParam,omitempty"`
		Operation         []operation `json:"operation,omitempty"`
	}
	revIncludes := map[string][]string{}
	for _, t := range validate.ResourceTypes() {
		for _, d := range search.Definitions(t) {
			if d.Type != search.Reference {
				continue
			}
			for _, target := range d.Targets {
				revIncludes[target] = append(revIncludes[target], t+":"+d.Name)
			}
		}
	}
	var resources []resource
	for _, t := range validate.ResourceTypes() {
		r := resource{
			Type: t, Profile: "http://hl7.org/fhir/StructureDefinition/" + t,
			Versioning: "versioned", ReadHistory: true, UpdateCreate: true, ConditionalCreate: true,
			ConditionalRead: "not-supported", ConditionalDelete: "not-supported",
			ReferencePolicy: []string{"literal", "local"},
		}
		for _, i := range typeInteractions {
			r.Interaction = append(r.Interaction, code{i})
		}
		for _, d := range search.Definitions(t) {
			r.SearchParam = append(r.SearchParam, param{Name: d.Name, Type: d.Type.String(), Documentation: d.Description})
			if d.Type == search.Reference {
				r.SearchInclude = append(r.SearchInclude, t+":"+d.Name)
			}
		}
		if len(r.SearchInclude) > 0 {
			r.SearchInclude = append(r.SearchInclude, "*")
		}
		if rev := revIncludes[t]; len(rev) > 0 {
			slices.Sort(rev)
			r.SearchRevInclude = rev
		}
		if t == "Patient" {
			r.Operation = []operation{{"everything", "http://hl7.org/fhir/OperationDefinition/Patient-everything"}}
		}
		resources = append(resources, r)
	}
	rest := map[string]any{
		"mode":     "server",
		"resource": resources,
		"interaction": []code{
			{"transaction"}, {"batch"}, {"search-system"}, {"history-system"},
		},
		"searchParam": commonParams(),
	}
	if oauth != nil {
		rest["security"] = oauth.security()
	}
	cs := map[string]any{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         date.UTC().Format("2006-01-02T15:04:05Z07:00"),
		"kind":         "instance",
		"software":     map[string]string{"name": software, "version": version},
		"implementation": map[string]string{
			"description": software + " FHIR R4 server",
			"url":         base,
		},
		"fhirVersion": "4.0.1",
		"format":      []string{"application/fhir+json", "json"},
		"rest":        []map[string]any{rest},
	}
	b, _ := json.Marshal(cs)
	return b
}

// commonParams are the parameters every type and system search takes.
func commonParams() []map[string]string {
	var out []map[string]string
	for _, d := range search.Definitions("Resource") {
		out = append(out, map[string]string{"name": d.Name, "type": d.Type.String(), "documentation": d.Description})
	}
	return out
}

// OAuthURIs are the authorization server's endpoints, for the
// CapabilityStatement's oauth-uris extension. Empty ones are left out.
type OAuthURIs struct {
	Token, Authorize, Register, Manage, Introspect, Revoke string
}

// security is CapabilityStatement.rest.security for a SMART server (SMART
// App Launch 2.2, conformance.html: the SMART-on-FHIR service coding, and
// the oauth-uris extension, deprecated in 2.x but still read by Inferno's
// STU1 discovery test, which checks it matches the well-known document).
func (o *OAuthURIs) security() map[string]any {
	type ext struct {
		URL      string `json:"url"`
		ValueURI string `json:"valueUri"`
	}
	var uris []ext
	for _, u := range []struct{ name, uri string }{
		{"token", o.Token}, {"authorize", o.Authorize}, {"register", o.Register},
		{"manage", o.Manage}, {"introspect", o.Introspect}, {"revoke", o.Revoke},
	} {
		if u.uri != "" {
			uris = append(uris, ext{u.name, u.uri})
		}
	}
	return map[string]any{
		"cors": true,
		"service": []map[string]any{{
			"coding": []map[string]string{{
				"system":  "http://terminology.hl7.org/CodeSystem/restful-security-service",
				"code":    "SMART-on-FHIR",
				"display": "SMART-on-FHIR",
			}},
			"text": "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)",
		}},
		"extension": []map[string]any{{
			"url":       "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
			"extension": uris,
		}},
	}
}
