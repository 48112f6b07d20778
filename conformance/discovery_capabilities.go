package conformance

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// knownCapabilities are the capabilities SMART App Launch 2.2 defines
// (conformance.html, "Capabilities"), plus the 1.0 passthrough names; any
// other capability MUST be a full URI.
var knownCapabilities = map[string]bool{
	"launch-ehr": true, "launch-standalone": true, "authorize-post": true,
	"client-public": true, "client-confidential-symmetric": true, "client-confidential-asymmetric": true,
	"sso-openid-connect": true, "context-banner": true, "context-style": true,
	"context-ehr-patient": true, "context-ehr-encounter": true,
	"context-standalone-patient": true, "context-standalone-encounter": true,
	"permission-offline": true, "permission-online": true, "permission-patient": true, "permission-user": true,
	"permission-v1": true, "permission-v2": true, "smart-app-state": true,
	"context-passthrough-banner": true, "context-passthrough-style": true,
}

// resourceScope matches a SMART resource scope; group 2 is what follows
// the dot (scopes-and-launch-context.html, "Scopes for requesting FHIR
// Resources").
var resourceScope = regexp.MustCompile(`^(patient|user|system)/[A-Za-z*]+\.(.+)$`)

// v2Permissions matches the v2 permission letters, optionally followed
// by granular parameters.
var v2Permissions = regexp.MustCompile(`^c?r?u?d?s?(\?.*)?$`)

// scopeVersion says whether a scope is a v1 or a v2 resource scope, or
// neither ("").
func scopeVersion(s string) string {
	m := resourceScope.FindStringSubmatch(s)
	switch {
	case m == nil:
		return ""
	case m[2] == "read" || m[2] == "write" || m[2] == "*":
		return "v1"
	case m[2] != "" && m[2][0] != '?' && v2Permissions.MatchString(m[2]):
		return "v2"
	}
	return ""
}

// capabilityProblems lists where the capabilities and the rest of the
// document disagree (conformance.html, "Response": authorization_endpoint
// is REQUIRED with launch-ehr or launch-standalone, issuer and jwks_uri
// with sso-openid-connect; "Capabilities": other capabilities are full
// URIs; the server MUST support every scope it lists, so a v1 or v2 scope
// in scopes_supported needs permission-v1 or permission-v2).
func capabilityProblems(doc map[string]any) []string {
	caps, _ := strList(doc, "capabilities")
	grants, _ := strList(doc, "grant_types_supported")
	has := func(c string) bool { return slices.Contains(caps, c) }
	present := func(f string) bool { s, ok := str(doc, f); return ok && s != "" }
	var p []string
	for _, c := range caps {
		if !knownCapabilities[c] && !strings.Contains(c, ":") {
			p = append(p, fmt.Sprintf("capability %q is neither defined by SMART nor a full URI", c))
		}
	}
	launch := has("launch-ehr") || has("launch-standalone")
	if launch && !present("authorization_endpoint") {
		p = append(p, "a launch capability is advertised without authorization_endpoint")
	}
	if launch && !slices.Contains(grants, "authorization_code") {
		p = append(p, "a launch capability is advertised but grant_types_supported lacks authorization_code")
	}
	if has("sso-openid-connect") {
		for _, f := range []string{"issuer", "jwks_uri"} {
			if !present(f) {
				p = append(p, "sso-openid-connect is advertised without "+f)
			}
		}
	}
	if has("permission-offline") && !slices.Contains(grants, "refresh_token") {
		p = append(p, "permission-offline is advertised but grant_types_supported lacks refresh_token")
	}
	for _, pair := range [][2]string{
		{"context-standalone-patient", "launch-standalone"}, {"context-standalone-encounter", "launch-standalone"},
		{"context-ehr-patient", "launch-ehr"}, {"context-ehr-encounter", "launch-ehr"},
		{"context-banner", "launch-ehr"}, {"context-style", "launch-ehr"},
	} {
		if has(pair[0]) && !has(pair[1]) {
			p = append(p, fmt.Sprintf("%s is advertised without %s", pair[0], pair[1]))
		}
	}
	if has("client-confidential-asymmetric") {
		if m, ok := strList(doc, "token_endpoint_auth_methods_supported"); ok && !slices.Contains(m, "private_key_jwt") {
			p = append(p, "client-confidential-asymmetric is advertised but token_endpoint_auth_methods_supported lacks private_key_jwt")
		}
	}
	if has("client-confidential-symmetric") {
		m, ok := strList(doc, "token_endpoint_auth_methods_supported")
		if ok && !slices.Contains(m, "client_secret_basic") && !slices.Contains(m, "client_secret_post") {
			p = append(p, "client-confidential-symmetric is advertised but token_endpoint_auth_methods_supported has neither client_secret_basic nor client_secret_post")
		}
	}
	scopes, _ := strList(doc, "scopes_supported")
	for _, v := range []string{"v1", "v2"} {
		for _, s := range scopes {
			if scopeVersion(s) == v && !has("permission-"+v) {
				p = append(p, fmt.Sprintf("scopes_supported lists the %s scope %q without permission-%s", v, s, v))
				break
			}
		}
	}
	return p
}
