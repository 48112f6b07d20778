package conformance

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// oauthError writes an RFC 6749 §5.2 error.
func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code})
}

// tokenHeaders sets the headers of a token response.
func (f *fake) tokenHeaders(w http.ResponseWriter) {
	if !f.breaks["no-cache-control"] {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.Header().Set("Pragma", "no-cache")
}

func (f *fake) newToken(t *fakeToken) string {
	s := randomString()
	f.mu.Lock()
	f.tokens[s] = t
	f.mu.Unlock()
	return s
}

func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		f.clientCredentials(w, r)
	case "authorization_code":
		f.authorizationCode(w, r)
	case "refresh_token":
		f.refreshToken(w, r)
	default:
		if f.breaks["bad-grant-type-401"] {
			oauthError(w, 401, "invalid_client")
			return
		}
		oauthError(w, 400, "unsupported_grant_type")
	}
}

// authenticate checks a client assertion, bending the rules its breaks
// say to bend, and returns the client.
func (f *fake) authenticate(r *http.Request) (string, bool) {
	if r.PostForm.Get("client_assertion_type") != jwtBearer && !f.breaks["bad-assertion-type-ok"] {
		return "", false
	}
	raw := r.PostForm.Get("client_assertion")
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", false
	}
	claims := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(raw, claims)
	if err != nil {
		return "", false
	}
	alg, _ := tok.Header["alg"].(string)
	kid, _ := tok.Header["kid"].(string)
	iss, _ := claims["iss"].(string)
	sub, _ := claims["sub"].(string)
	aud, _ := claims["aud"].(string)
	jti, _ := claims["jti"].(string)
	exp, _ := claims["exp"].(float64)
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	input := parts[0] + "." + parts[1]
	now := time.Now().Unix()
	f.mu.Lock()
	be, known := f.backends[iss]
	if !known && f.breaks["accept-unknown-iss"] {
		be = f.backends[fakeBackend]
	}
	f.mu.Unlock()
	switch {
	case alg == "HS256" && !f.breaks["accept-hs256"],
		alg == "none" && !f.breaks["accept-none"],
		alg != "ES384" && alg != "HS256" && alg != "none",
		be.key == nil,
		kid != be.kid && !f.breaks["ignore-kid"],
		sub != iss && !f.breaks["ignore-sub"],
		aud != f.url("/token") && !f.breaks["accept-wrong-aud"],
		int64(exp) < now && !f.breaks["accept-expired"],
		int64(exp) > now+360 && !f.breaks["accept-far-exp"]:
		return "", false
	}
	switch alg {
	case "ES384":
		if !f.breaks["skip-signature"] && jwt.SigningMethodES384.Verify(input, sig, be.key) != nil {
			return "", false
		}
	case "HS256":
		der, _ := x509.MarshalPKIXPublicKey(be.key)
		secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		if jwt.SigningMethodHS256.Verify(input, sig, secret) != nil {
			return "", false
		}
	case "none":
		if len(sig) != 0 {
			return "", false
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jtis[jti] && !f.breaks["replay-jti"] {
		return "", false
	}
	f.jtis[jti] = true
	if !known {
		return fakeBackend, true
	}
	return iss, true
}

func (f *fake) clientCredentials(w http.ResponseWriter, r *http.Request) {
	client, ok := f.authenticate(r)
	if !ok {
		oauthError(w, 401, "invalid_client")
		return
	}
	scope := r.PostForm.Get("scope")
	life := 300 * time.Second
	if f.breaks["long-lifetime"] {
		life = time.Hour
	}
	tok := f.newToken(&fakeToken{client: client, scope: scope, exp: time.Now().Add(life)})
	f.tokenHeaders(w)
	resp := map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": life.Seconds(), "scope": scope}
	if f.breaks["backend-no-expires-in"] {
		delete(resp, "expires_in")
	}
	writeJSON(w, 200, resp)
}

func (f *fake) authorizationCode(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	f.mu.Lock()
	g := f.codes[form.Get("code")]
	delete(f.codes, form.Get("code"))
	f.mu.Unlock()
	if g == nil {
		if f.breaks["invalid-code-500"] {
			oauthError(w, 500, "server_error")
			return
		}
		oauthError(w, 400, "invalid_grant")
		return
	}
	verifier := form.Get("code_verifier")
	switch {
	case form.Get("client_id") != g.client:
		oauthError(w, 401, "invalid_client")
		return
	case form.Get("redirect_uri") != g.redirect:
		oauthError(w, 400, "invalid_grant")
		return
	case verifier == "" && !f.breaks["no-verifier-ok"]:
		oauthError(w, 400, "invalid_request")
		return
	case verifier != "" && !f.breaks["wrong-verifier-ok"] && (g.method == "S256" && s256(verifier) != g.challenge || g.method == "plain" && verifier != g.challenge):
		oauthError(w, 400, "invalid_grant")
		return
	}
	f.issue(w, g, "", true)
}

// issue answers a user grant with tokens; refresh is the refresh token
// to return, "" for a new one when offline_access is granted; code says
// the grant is the authorization_code one.
func (f *fake) issue(w http.ResponseWriter, g *fakeGrant, refresh string, code bool) {
	scopes := strings.Fields(g.scope)
	fhirUser := f.base + "/" + fakePractitoner
	tokenType := "Bearer"
	if code && f.breaks["code-token-type-mac"] {
		tokenType = "mac"
	}
	resp := map[string]any{"token_type": tokenType, "expires_in": 300, "scope": g.scope,
		"access_token": f.newToken(&fakeToken{client: g.client, scope: g.scope, patient: g.patient, fhirUser: fhirUser, exp: time.Now().Add(5 * time.Minute)})}
	if !f.breaks["no-patient"] {
		resp["patient"] = g.patient
	}
	f.launchContext(resp, g)
	if slices.Contains(scopes, "openid") {
		aud := g.client
		if f.breaks["id-token-wrong-aud"] {
			aud = "someone-else"
		}
		claims := jwt.MapClaims{"iss": f.base, "sub": "user-1", "aud": aud, "iat": time.Now().Unix(),
			"exp": time.Now().Add(5 * time.Minute).Unix(), "fhirUser": fhirUser}
		if !f.breaks["id-token-no-nonce"] {
			claims["nonce"] = g.nonce
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tok.Header["kid"] = "id-key"
		resp["id_token"], _ = tok.SignedString(f.idKey)
	}
	if refresh == "" && slices.Contains(scopes, "offline_access") {
		refresh = randomString()
	}
	if refresh != "" {
		f.mu.Lock()
		f.refresh[refresh] = g
		f.mu.Unlock()
		resp["refresh_token"] = refresh
	}
	f.tokenHeaders(w)
	writeJSON(w, 200, resp)
}

func (f *fake) refreshToken(w http.ResponseWriter, r *http.Request) {
	old := r.PostForm.Get("refresh_token")
	f.mu.Lock()
	g := f.refresh[old]
	if g != nil && !f.breaks["old-refresh-valid"] {
		delete(f.refresh, old)
	}
	f.mu.Unlock()
	if g == nil || r.PostForm.Get("client_id") != g.client {
		oauthError(w, 400, "invalid_grant")
		return
	}
	next := *g
	if s := r.PostForm.Get("scope"); s != "" && !f.breaks["widen-refresh-scope"] {
		if !subset(s, g.scope) {
			oauthError(w, 400, "invalid_scope")
			return
		}
		next.scope = s
	}
	reuse := ""
	if f.breaks["same-refresh"] {
		reuse = old
	}
	f.issue(w, &next, reuse, false)
}

func (f *fake) introspect(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	raw, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	caller, tok := f.tokens[raw], f.tokens[r.PostForm.Get("token")]
	f.mu.Unlock()
	if caller == nil || caller.revoked {
		oauthError(w, 401, "invalid_token")
		return
	}
	switch {
	case tok != nil && !tok.revoked:
		resp := map[string]any{"active": true, "scope": tok.scope, "client_id": tok.client, "exp": tok.exp.Unix()}
		if f.breaks["introspect-no-client-id"] {
			delete(resp, "client_id")
		}
		writeJSON(w, 200, resp)
	case tok == nil && f.breaks["introspect-garbage-active"]:
		writeJSON(w, 200, map[string]any{"active": true})
	default:
		writeJSON(w, 200, map[string]any{"active": false})
	}
}

func (f *fake) revoke(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if _, ok := f.authenticate(r); !ok {
		oauthError(w, 401, "invalid_client")
		return
	}
	f.mu.Lock()
	if tok := f.tokens[r.PostForm.Get("token")]; tok != nil && !f.breaks["revoke-noop"] {
		tok.revoked = true
	}
	f.mu.Unlock()
	w.WriteHeader(200)
}
