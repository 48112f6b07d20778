package conformance

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// requested reports whether the launch asked for scope s.
func (r *runner) requested(s string) bool {
	return slices.Contains(strings.Fields(r.cfg.LaunchScope), s)
}

// patientContext: with launch/patient the token response names a
// patient, which the token can read.
func (r *runner) patientContext(st *step) error {
	if !r.requested("launch/patient") {
		return skipf("launch/patient was not requested")
	}
	if err := r.needs(ckLaunchToken); err != nil {
		return err
	}
	id, _ := str(r.ls.token, "patient")
	if id == "" {
		return fmt.Errorf("the token response has no patient")
	}
	resp, err := r.fhirGet(r.cfg.FHIRBase+"/Patient/"+url.PathEscape(id), r.ls.access)
	if err != nil {
		return err
	}
	if err := isResource(resp, "Patient", id); err != nil {
		return fmt.Errorf("reading the patient in context: %v", err)
	}
	st.note("patient %s", id)
	return nil
}

// isResource checks that resp is a 200 holding resource typ/id.
func isResource(resp *response, typ, id string) error {
	if resp.Status != 200 {
		return fmt.Errorf("got %s, want 200", resp.describe())
	}
	var res struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &res); err != nil || res.ResourceType != typ || id != "" && res.ID != id {
		return fmt.Errorf("the body is not %s/%s: %s", typ, id, resp.describe())
	}
	return nil
}

// fhirUserTypes are the resource types fhirUser may name
// (scopes-and-launch-context.html, "Scopes for requesting identity data").
var fhirUserTypes = []string{"Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Person"}

// idToken verifies the id_token (OpenID Connect Core §3.1.3.7 as SMART
// profiles it: RS256, a key from jwks_uri, iss the discovered issuer, aud
// the client, exp, iat, sub, the nonce sent, and fhirUser when asked for)
// and returns its fhirUser.
func (r *runner) idToken(st *step) (string, error) {
	if !r.requested("openid") {
		return "", skipf("openid was not requested")
	}
	if err := r.needs(ckLaunchToken); err != nil {
		return "", err
	}
	raw, _ := str(r.ls.token, "id_token")
	if raw == "" {
		return "", fmt.Errorf("openid was requested but the token response has no id_token")
	}
	d := r.disc
	if d.issuer == "" {
		return "", fmt.Errorf("no issuer is advertised to check the id_token against")
	}
	if d.jwks == nil {
		if d.jwksURI == "" {
			return "", fmt.Errorf("no jwks_uri is advertised to verify the id_token with")
		}
		return "", fmt.Errorf("the JWKS could not be read (see %q)", ckJWKS.Name)
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return d.jwks.rsaKey(kid)
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(d.issuer), jwt.WithAudience(r.cfg.PublicClientID),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(time.Minute), jwt.WithTimeFunc(r.cfg.Now))
	if err != nil {
		return "", fmt.Errorf("the id_token does not verify: %v", err)
	}
	var p []string
	if _, ok := claims["iat"]; !ok {
		p = append(p, "iat is missing")
	}
	if sub, _ := claims["sub"].(string); strings.TrimSpace(sub) == "" || len(sub) >= 256 {
		p = append(p, fmt.Sprintf("sub %q is blank or 256 characters or longer", clip(sub, 40)))
	}
	if n, _ := claims["nonce"].(string); n != r.ls.nonce {
		p = append(p, fmt.Sprintf("nonce is %q, sent %q", n, r.ls.nonce))
	}
	fhirUser, _ := claims["fhirUser"].(string)
	if r.requested("fhirUser") {
		if fhirUser == "" {
			p = append(p, "fhirUser was requested but the id_token has no fhirUser claim")
		} else if typ, _ := fhirUserRef(fhirUser); !slices.Contains(fhirUserTypes, typ) {
			p = append(p, fmt.Sprintf("fhirUser %q is not a %s", fhirUser, strings.Join(fhirUserTypes, ", ")))
		}
	} else {
		fhirUser = ""
	}
	if fhirUser != "" {
		st.note("fhirUser %s", fhirUser)
	}
	return fhirUser, joinProblems(p)
}

// fhirUserRef splits a fhirUser (an absolute URL or Type/id) into the
// type and id of its last two path segments.
func fhirUserRef(s string) (typ, id string) {
	if u, err := url.Parse(s); err == nil && u.IsAbs() {
		s = u.Path
	}
	parts := strings.Split(strings.Trim(s, "/"), "/")
	if len(parts) < 2 {
		return "", ""
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}

// readFHIRUser reads the fhirUser resource with the launch's token.
func (r *runner) readFHIRUser(fhirUser string) error {
	u := fhirUser
	if p, err := url.Parse(fhirUser); err != nil || !p.IsAbs() {
		u = r.cfg.FHIRBase + "/" + strings.TrimPrefix(fhirUser, "/")
	}
	resp, err := r.fhirGet(u, r.ls.access)
	if err != nil {
		return err
	}
	typ, id := fhirUserRef(fhirUser)
	return isResource(resp, typ, id)
}

// consentNarrowing launches again, clears the consent checkbox of the
// last resource scope requested, and checks that it is not granted.
func (r *runner) consentNarrowing(st *step) error {
	if err := r.needs(ckLaunchToken); err != nil {
		return err
	}
	var drop string
	for _, s := range strings.Fields(r.cfg.LaunchScope) {
		if resourceScope.MatchString(s) {
			drop = s
		}
	}
	if drop == "" {
		return skipf("the launch scope %q has no resource scope to untick", r.cfg.LaunchScope)
	}
	a := r.newAuthRequest(r.cfg.LaunchScope)
	unticked := false
	out, err := r.authorize(a, false, func(name, value string) bool {
		if value == drop {
			unticked = true
		}
		return value == drop
	})
	if err != nil {
		return err
	}
	if out.consent == nil {
		return skipf("no consent page was shown")
	}
	if !unticked {
		return skipf("the consent page has no ticked checkbox for %s, so the user cannot narrow the scopes", drop)
	}
	code, err := r.codeFrom(out)
	if err != nil {
		return err
	}
	resp, err := r.exchange(code, a.verifier)
	if err != nil {
		return err
	}
	m, err := tokenResponse(resp)
	if err != nil {
		return err
	}
	granted, _ := str(m, "scope")
	if slices.Contains(strings.Fields(granted), drop) {
		return fmt.Errorf("%s was unticked at consent but granted: %q", drop, granted)
	}
	st.note("unticked %s, granted %q", drop, granted)
	return nil
}
