package sampleapp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Bounds of the pending launches.
const (
	// pendingLifetime is how long a launch may take from the redirect to
	// the authorization server to the callback.
	pendingLifetime = 10 * time.Minute
	// maxPending bounds the launches in progress, so that strangers
	// cannot grow the map without limit.
	maxPending = 10000
)

// Why a callback's state is refused (pending.take).
var (
	// errUnknownState: no launch in progress has this state (never
	// issued, already used, or forgotten by a restart).
	errUnknownState = errors.New("unknown state")
	// errExpiredState: the launch took longer than pendingLifetime.
	errExpiredState = errors.New("expired state")
	// errOtherBrowser: the launch was started in another browser (the
	// binding cookie is missing or different): a login CSRF attempt, or
	// cookies blocked.
	errOtherBrowser = errors.New("state from another browser")
	// errTooMany: maxPending launches are in progress.
	errTooMany = errors.New("too many launches in progress")
)

// flight is one launch in progress, from the redirect to the
// authorization server to the callback.
type flight struct {
	// binding is the value of the browser's binding cookie.
	binding string
	// verifier is the PKCE code_verifier (RFC 7636 §4.1).
	verifier string
	// iss is the FHIR base; tokenURL its token endpoint.
	iss, tokenURL string
	// standalone is a standalone launch (else an EHR launch).
	standalone bool
	expires    time.Time
}

// pending holds the launches in progress, keyed by state.
type pending struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]flight
}

func newPending(now func() time.Time) *pending {
	return &pending{now: now, m: make(map[string]flight)}
}

// put stores f under a new random state and returns the state.
func (p *pending) put(f flight) (string, error) {
	state, err := randomToken()
	if err != nil {
		return "", err
	}
	now := p.now()
	f.expires = now.Add(pendingLifetime)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) >= maxPending {
		for k, v := range p.m {
			if !now.Before(v.expires) {
				delete(p.m, k)
			}
		}
		if len(p.m) >= maxPending {
			return "", errTooMany
		}
	}
	p.m[state] = f
	return state, nil
}

// take removes and returns the launch of state, which must have been
// started by the browser holding binding and not have expired. A state is
// used up by its first callback, whatever the outcome.
func (p *pending) take(state, binding string) (flight, error) {
	p.mu.Lock()
	f, ok := p.m[state]
	delete(p.m, state)
	p.mu.Unlock()
	switch {
	case !ok || state == "":
		return flight{}, errUnknownState
	case !p.now().Before(f.expires):
		return flight{}, errExpiredState
	case binding == "" || subtle.ConstantTimeCompare([]byte(binding), []byte(f.binding)) != 1:
		return flight{}, errOtherBrowser
	}
	return f, nil
}

// randomToken returns 32 bytes from crypto/rand, base64url.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// bindingCookie names the cookie that binds launches to a browser.
const bindingCookie = "smartd_sample_app"

// binding returns the browser's binding value, a new one when the
// browser has none, and (re)sets the cookie so that it outlives the
// launch being started. The cookie is HttpOnly, SameSite=Lax (the
// callback is a top-level redirect from the authorization server) and
// limited to the app's paths. One value serves every launch of the
// browser, so two launches in two tabs both finish.
func (h *Handler) binding(w http.ResponseWriter, r *http.Request) (string, error) {
	var v string
	if c, err := r.Cookie(bindingCookie); err == nil && len(c.Value) == 43 {
		v = c.Value
	} else if v, err = randomToken(); err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{
		Name: bindingCookie, Value: v, Path: h.basePath + HomePath,
		MaxAge: int(pendingLifetime / time.Second), HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode,
	})
	return v, nil
}
