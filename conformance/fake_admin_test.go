package conformance

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// fakeAdminToken is the fake's admin token, for its imitation of
// smartd's admin and launch-context APIs.
const fakeAdminToken = "fake-admin-token-0123456789"

// fakeLaunch is an EHR launch the fake's launch-context API issued.
type fakeLaunch struct {
	client, patient, encounter string
	fhirContext                []map[string]string
	banner, used               bool
}

var errNoLaunch = errors.New("unknown launch")

// findLaunch returns the launch id issued for client; consume uses it
// up. The fake's breaks can make it accept another client's or a used
// one, or refuse every launch.
func (f *fake) findLaunch(id, client string, consume bool) (*fakeLaunch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.launches[id]
	switch {
	case l == nil:
		return nil, errNoLaunch
	case f.breaks["launch-refused"],
		l.used && !f.breaks["launch-reusable"],
		l.client != client && !f.breaks["launch-any-client"]:
		return nil, errors.New("launch refused")
	}
	if consume {
		l.used = true
	}
	return l, nil
}

// adminRoutes serves the fake's imitation of smartd's admin API (apps
// and users) and launch-context API, and a SMART style document.
func (f *fake) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/api/apps", f.admin(f.createApp))
	mux.HandleFunc("GET /admin/api/apps", f.admin(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		var ids []string
		for id := range f.apps {
			ids = append(ids, id)
		}
		for id := range f.backends {
			ids = append(ids, id)
		}
		f.mu.Unlock()
		sort.Strings(ids)
		writeJSON(w, 200, ids)
	}))
	mux.HandleFunc("DELETE /admin/api/apps/{id}", f.admin(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		_, isApp := f.apps[r.PathValue("id")]
		_, isBackend := f.backends[r.PathValue("id")]
		delete(f.apps, r.PathValue("id"))
		delete(f.backends, r.PathValue("id"))
		f.mu.Unlock()
		f.deleted(w, isApp || isBackend)
	}))
	mux.HandleFunc("POST /admin/api/users", f.admin(func(w http.ResponseWriter, r *http.Request) {
		var u struct{ Username, Password, Role string }
		if f.breaks["admin-no-users"] || json.NewDecoder(r.Body).Decode(&u) != nil || u.Role != "patient" {
			oauthError(w, 404, "not_found")
			return
		}
		f.mu.Lock()
		f.users[u.Username] = u.Password
		f.mu.Unlock()
		writeJSON(w, 201, map[string]string{"username": u.Username})
	}))
	mux.HandleFunc("GET /admin/api/users", f.admin(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		var names []string
		for n := range f.users {
			names = append(names, n)
		}
		f.mu.Unlock()
		sort.Strings(names)
		writeJSON(w, 200, names)
	}))
	mux.HandleFunc("DELETE /admin/api/users/{name}", f.admin(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		_, ok := f.users[r.PathValue("name")]
		delete(f.users, r.PathValue("name"))
		f.mu.Unlock()
		f.deleted(w, ok)
	}))
	mux.HandleFunc("POST /launch/api/launches", f.admin(f.createLaunch))
	mux.HandleFunc("GET /style.json", func(w http.ResponseWriter, r *http.Request) {
		if f.breaks["style-not-json"] {
			w.Write([]byte("body { color: black }"))
			return
		}
		doc := map[string]string{}
		for _, k := range styleKeys {
			doc[k] = "#123456"
		}
		writeJSON(w, 200, doc)
	})
}

// admin wraps an admin endpoint with the bearer token check.
func (f *fake) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeAdminToken {
			oauthError(w, 401, "invalid_token")
			return
		}
		h(w, r)
	}
}

func (f *fake) deleted(w http.ResponseWriter, found bool) {
	switch {
	case f.breaks["admin-delete-fails"]:
		oauthError(w, 500, "server_error")
	case !found:
		oauthError(w, 404, "not_found")
	default:
		w.WriteHeader(204)
	}
}

// createApp registers a public app (its first redirect URI) or a backend
// client (its first ES384 key).
func (f *fake) createApp(w http.ResponseWriter, r *http.Request) {
	var md struct {
		ClientID     string             `json:"client_id"`
		AuthMethod   string             `json:"token_endpoint_auth_method"`
		RedirectURIs []string           `json:"redirect_uris"`
		JWKS         jose.JSONWebKeySet `json:"jwks"`
	}
	if json.NewDecoder(r.Body).Decode(&md) != nil || md.ClientID == "" || f.breaks["admin-apps-refused"] {
		oauthError(w, 400, "invalid_client_metadata")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case md.AuthMethod == "none" && len(md.RedirectURIs) > 0:
		f.apps[md.ClientID] = md.RedirectURIs[0]
	case md.AuthMethod == "private_key_jwt" && len(md.JWKS.Keys) > 0 && !f.breaks["admin-backend-refused"]:
		pub, ok := md.JWKS.Keys[0].Key.(*ecdsa.PublicKey)
		if !ok {
			oauthError(w, 400, "invalid_client_metadata")
			return
		}
		f.backends[md.ClientID] = fakeKey{kid: md.JWKS.Keys[0].KeyID, key: pub}
	default:
		oauthError(w, 400, "invalid_client_metadata")
		return
	}
	writeJSON(w, 201, map[string]string{"client_id": md.ClientID})
}

// createLaunch imitates smartd's POST /launch/api/launches.
func (f *fake) createLaunch(w http.ResponseWriter, r *http.Request) {
	var req launchRequest
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		oauthError(w, 400, "invalid_request")
		return
	}
	f.mu.Lock()
	_, known := f.apps[req.ClientID]
	id := randomString()
	if known {
		f.launches[id] = &fakeLaunch{client: req.ClientID, patient: req.Patient, encounter: req.Encounter,
			fhirContext: req.FHIRContext, banner: req.NeedPatientBanner}
	}
	f.mu.Unlock()
	if !known {
		oauthError(w, 404, "not_found")
		return
	}
	q := url.Values{"iss": {f.base}, "launch": {id}}
	if f.breaks["launch-url-no-iss"] {
		q.Del("iss")
	}
	writeJSON(w, 201, map[string]any{"launch": id, "launch_url": "https://conformance.invalid/launch?" + q.Encode(),
		"expires_at": time.Now().Add(5 * time.Minute).UTC().Format(time.RFC3339)})
}

// launchContext adds the SMART style URL, and an EHR launch's context,
// to a token response.
func (f *fake) launchContext(resp map[string]any, g *fakeGrant) {
	resp["smart_style_url"] = f.url("/style.json")
	if g.ehr == nil {
		return
	}
	if g.ehr.encounter != "" && !f.breaks["ehr-no-encounter"] {
		resp["encounter"] = g.ehr.encounter
	}
	resp["need_patient_banner"] = g.ehr.banner
	if len(g.ehr.fhirContext) == 0 {
		return
	}
	if f.breaks["fhircontext-strings"] {
		var refs []string
		for _, it := range g.ehr.fhirContext {
			refs = append(refs, it["reference"]+it["canonical"])
		}
		resp["fhirContext"] = refs
		return
	}
	resp["fhirContext"] = g.ehr.fhirContext
}
