package conformance

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// specAdmin names smartd's admin API: a vendor extension, known here only
// as an HTTP API.
const specAdmin = "smartd admin API (README \"Admin API\"; a vendor extension)"

var (
	ckSetupBackend = Check{GroupAdminSetup, "a throwaway Backend Services client is registered",
		specAdmin + ": POST /admin/api/apps with RFC 7591 metadata (private_key_jwt, an inline JWKS)"}
	ckSetupApps = Check{GroupAdminSetup, "throwaway public apps are registered",
		specAdmin + ": POST /admin/api/apps (token_endpoint_auth_method none, initiate_login_uri); RFC 7591 §2"}
	ckSetupUser = Check{GroupAdminSetup, "a throwaway user is created",
		specAdmin + ": POST /admin/api/users (role patient, fhir_user Patient/<id> found with the backend client)"}
	ckCleanup = Check{GroupAdminCleanup, "the throwaway user and apps are removed",
		specAdmin + ": DELETE /admin/api/users/{username} and /admin/api/apps/{client_id}"}
)

var (
	setupChecks   = []Check{ckSetupBackend, ckSetupApps, ckSetupUser}
	cleanupChecks = []Check{ckCleanup}
)

// noAdminToken is why the smartd groups are skipped without a token.
const noAdminToken = "no admin token given (--admin-token): smartd's admin and launch-context APIs need it"

// throwawayRedirect is the redirect URI of the throwaway apps when none
// is configured; the suite stops at it and never connects (.invalid,
// RFC 6761 §6.4).
const throwawayRedirect = "https://conformance.invalid/callback"

// ehrScope is what the EHR launch asks for.
const ehrScope = "launch launch/encounter openid fhirUser patient/*.rs"

// throwaway is what the run made with the admin API, to be removed.
type throwaway struct {
	apps     []string // client_ids, in the order registered
	otherApp string   // a second launchable app, for the other-app check
	user     string
	patient  string // the throwaway user's patient
}

// setup runs the admin-setup group: with an admin token, it registers
// what the configuration lacks (a backend client, a public app, a user)
// and a second public app, and points the run's settings at them.
func (r *runner) setup() {
	if r.cfg.AdminToken == "" {
		r.skipAll(setupChecks, noAdminToken)
		return
	}
	r.tw = &throwaway{}
	r.do(ckSetupBackend, func(st *step) error {
		if r.cfg.ClientID != "" || len(r.cfg.Key) > 0 {
			return skipf("a Backend Services client is configured (--client-id, --key)")
		}
		return r.registerBackend(st)
	})
	r.do(ckSetupApps, func(st *step) error { return r.registerApps(st) })
	r.do(ckSetupUser, func(st *step) error {
		if r.cfg.Username != "" {
			return skipf("a user is configured (--username)")
		}
		return r.createUser(st)
	})
}

// cleanup runs the admin-cleanup group: it removes the user and the apps
// setup made, whatever happened in between.
func (r *runner) cleanup() {
	switch {
	case r.tw == nil:
		r.skipAll(cleanupChecks, noAdminToken)
		return
	case r.tw.user == "" && len(r.tw.apps) == 0:
		r.skipAll(cleanupChecks, "nothing was created")
		return
	}
	r.do(ckCleanup, func(st *step) error {
		var p []string
		remove := func(path, what string) {
			resp, err := r.admin(http.MethodDelete, path, nil)
			switch {
			case err != nil:
				p = append(p, fmt.Sprintf("removing %s: %v", what, err))
			case resp.Status != 200 && resp.Status != 204:
				p = append(p, fmt.Sprintf("removing %s got %s, want 204", what, resp.describe()))
			default:
				st.note("removed %s", what)
			}
		}
		if r.tw.user != "" {
			remove("/admin/api/users/"+url.PathEscape(r.tw.user), "user "+r.tw.user)
		}
		for _, id := range r.tw.apps {
			remove("/admin/api/apps/"+url.PathEscape(id), "app "+id)
		}
		return joinProblems(p)
	})
}

// admin sends a request to smartd's admin or launch-context API (path
// below AdminBase) with the admin token, and body as JSON unless nil.
func (r *runner) admin(method, path string, body any) (*response, error) {
	var req *http.Request
	var err error
	if body != nil {
		b, merr := json.Marshal(body)
		if merr != nil {
			return nil, merr
		}
		req, err = http.NewRequest(method, r.cfg.AdminBase+path, bytes.NewReader(b))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	} else {
		req, err = http.NewRequest(method, r.cfg.AdminBase+path, nil)
	}
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.cfg.AdminToken)
	req.Header.Set("Accept", "application/json")
	return r.send(r.api, req)
}

// registerApp posts RFC 7591 metadata to the admin API and returns the
// client_id it answers with.
func (r *runner) registerApp(md map[string]any) (string, error) {
	resp, err := r.admin(http.MethodPost, "/admin/api/apps", md)
	if err != nil {
		return "", err
	}
	if resp.Status != 201 && resp.Status != 200 {
		return "", fmt.Errorf("registering %v got %s, want 201", md["client_id"], resp.describe())
	}
	m, err := resp.object()
	if err != nil {
		return "", err
	}
	id, _ := str(m, "client_id")
	if id == "" {
		return "", fmt.Errorf("the registration answer has no client_id")
	}
	r.tw.apps = append(r.tw.apps, id)
	return id, nil
}

// throwawayID is a fresh name for something the run creates.
func throwawayID(kind string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return "conformance-" + kind + "-" + hex.EncodeToString(b)
}

// registerBackend makes a P-384 key, registers a Backend Services client
// with its public half and uses both for the backend groups.
func (r *runner) registerBackend(st *step) error {
	priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	key, err := parseSigningKey(pemKey, "", "")
	if err != nil {
		return err
	}
	scopes := strings.Fields(r.cfg.BackendScope)
	if !slices.Contains(scopes, "system/Patient.rs") {
		scopes = append(scopes, "system/Patient.rs") // setup finds the user's patient with it
	}
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: key.kid, Algorithm: key.alg, Use: "sig"}}}
	id, err := r.registerApp(map[string]any{
		"client_id": throwawayID("backend"), "client_name": "smartd conformance throwaway backend client",
		"token_endpoint_auth_method": "private_key_jwt", "grant_types": []string{"client_credentials"},
		"scope": strings.Join(scopes, " "), "jwks": jwks,
	})
	if err != nil {
		return err
	}
	r.cfg.ClientID, r.cfg.Key, r.key = id, pemKey, key
	st.note("client %s", id)
	return nil
}

// registerApps registers the public app the launches use (when none is
// configured) and a second one, for the check that a launch issued for
// another app is refused.
func (r *runner) registerApps(st *step) error {
	redirect := r.cfg.RedirectURI
	if redirect == "" {
		redirect = throwawayRedirect
	}
	scopes := strings.Fields(r.cfg.LaunchScope)
	for _, s := range strings.Fields(ehrScope) {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	md := func(id string) map[string]any {
		return map[string]any{
			"client_id": id, "client_name": "smartd conformance throwaway app", "token_endpoint_auth_method": "none",
			"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
			"redirect_uris": []string{redirect}, "initiate_login_uri": "https://conformance.invalid/launch",
			"scope": strings.Join(scopes, " "),
		}
	}
	if r.cfg.PublicClientID == "" {
		id, err := r.registerApp(md(throwawayID("app")))
		if err != nil {
			return err
		}
		r.cfg.PublicClientID, r.cfg.RedirectURI = id, redirect
		st.note("app %s", id)
	}
	id, err := r.registerApp(md(throwawayID("other-app")))
	if err != nil {
		return err
	}
	r.tw.otherApp = id
	st.note("other app %s", id)
	return nil
}

// createUser creates a patient user linked to a patient the backend
// client finds, with a random password, for the interactive launches.
func (r *runner) createUser(st *step) error {
	if r.key == nil || r.cfg.ClientID == "" || r.disc == nil || r.disc.token == "" {
		return fmt.Errorf("finding a patient for the user needs a Backend Services client and a token_endpoint; or configure --username")
	}
	patient, err := r.somePatient()
	if err != nil {
		return fmt.Errorf("finding a patient for the user: %v", err)
	}
	name, password := throwawayID("user"), randomString()
	resp, err := r.admin(http.MethodPost, "/admin/api/users", map[string]string{
		"username": name, "password": password, "role": "patient", "fhir_user": "Patient/" + patient,
		"display_name": "Conformance Throwaway",
	})
	if err != nil {
		return err
	}
	if resp.Status != 201 && resp.Status != 200 {
		return fmt.Errorf("creating the user got %s, want 201", resp.describe())
	}
	r.tw.user, r.tw.patient = name, patient
	r.cfg.Username, r.cfg.Password = name, password
	st.note("user %s for Patient/%s", name, patient)
	return nil
}

// somePatient returns the id of the first Patient a system/Patient.rs
// backend token finds.
func (r *runner) somePatient() (string, error) {
	jws, err := r.newAssertion().sign()
	if err != nil {
		return "", err
	}
	resp, err := r.postForm(r.disc.token, url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Patient.rs"},
		"client_assertion_type": {jwtBearer}, "client_assertion": {jws}})
	if err != nil {
		return "", err
	}
	m, err := tokenResponse(resp)
	if err != nil {
		return "", fmt.Errorf("a system/Patient.rs token: %v", err)
	}
	tok, _ := str(m, "access_token")
	return r.firstID(r.searchURL("Patient"), tok)
}

// firstID returns the id of the first resource of a search, or an error
// saying why there is none.
func (r *runner) firstID(searchURL, token string) (string, error) {
	resp, err := r.fhirGet(searchURL, token)
	if err != nil {
		return "", err
	}
	if resp.Status != 200 {
		return "", fmt.Errorf("the search got %s", resp.describe())
	}
	var b struct {
		Entry []struct {
			Resource struct {
				ID string `json:"id"`
			} `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(resp.Body, &b); err != nil {
		return "", fmt.Errorf("the search answer is not a Bundle: %v", err)
	}
	for _, e := range b.Entry {
		if e.Resource.ID != "" {
			return e.Resource.ID, nil
		}
	}
	return "", fmt.Errorf("the search found nothing")
}
