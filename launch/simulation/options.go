package simulation

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxAccessTokenLifetime is the longest simulated access token lifetime
// in seconds: the server's own maximum (five minutes, SMART Backend
// Services: "SHOULD NOT exceed five minutes").
const MaxAccessTokenLifetime = 300

// MaxFHIR401After bounds FHIR401After; a larger count simulates nothing
// a test would wait for.
const MaxFHIR401After = 100_000

// tokenErrors are the error codes TokenError may name (RFC 6749 §5.2,
// plus server_error and temporarily_unavailable, which token endpoints
// send in practice), in the order forms offer them.
var tokenErrors = []string{
	"invalid_grant", "invalid_request", "invalid_client", "unauthorized_client",
	"invalid_scope", "server_error", "temporarily_unavailable",
}

// TokenErrors returns the error codes TokenError may name.
func TokenErrors() []string { return slices.Clone(tokenErrors) }

// Options are the errors a launch simulates. The zero value simulates
// nothing; so does a nil *Options, which every method accepts.
type Options struct {
	// InvalidClient: the authorization endpoint answers as for an
	// unregistered client_id, with an error page and no redirect.
	InvalidClient bool `json:"invalid_client,omitempty"`
	// InvalidScope: the authorization endpoint redirects to the app with
	// error=invalid_scope and the app's state.
	InvalidScope bool `json:"invalid_scope,omitempty"`
	// InvalidState: the redirect with the code carries a state other
	// than the one the app sent.
	InvalidState bool `json:"invalid_state,omitempty"`
	// TokenError, when set, is the OAuth error (one of TokenErrors) the
	// token endpoint answers to the request that redeems the code.
	TokenError string `json:"token_error,omitempty"`
	// AccessTokenLifetime, when set, is the lifetime in seconds of every
	// access token of the grant (0: expired when issued), at most
	// MaxAccessTokenLifetime; expires_in says the same.
	AccessTokenLifetime *int `json:"access_token_lifetime,omitempty"`
	// RefreshRevoked: every refresh of the grant fails with
	// invalid_grant, as though its refresh token were revoked.
	RefreshRevoked bool `json:"refresh_revoked,omitempty"`
	// FHIR401After, when set, is how many FHIR requests each access
	// token of the grant may make; later ones get 401 invalid_token.
	FHIR401After *int `json:"fhir_401_after,omitempty"`
	// SkipLogin signs the browser in without the login page: as the
	// user an EHR launch names, or in a standalone launch as the
	// server's configured sandbox user.
	SkipLogin bool `json:"skip_login,omitempty"`
	// SkipConsent approves the requested scopes (within the app's)
	// without the consent page.
	SkipConsent bool `json:"skip_consent,omitempty"`
}

// IsZero reports whether o simulates nothing.
func (o *Options) IsZero() bool { return o == nil || *o == Options{} }

// Clone returns a deep copy of o (nil for nil).
func (o *Options) Clone() *Options {
	if o == nil {
		return nil
	}
	c := *o
	c.AccessTokenLifetime = cloneInt(o.AccessTokenLifetime)
	c.FHIR401After = cloneInt(o.FHIR401After)
	return &c
}

// Equal reports whether o and p simulate the same things; nil equals
// the zero value.
func (o *Options) Equal(p *Options) bool {
	if o.IsZero() || p.IsZero() {
		return o.IsZero() && p.IsZero()
	}
	a, b := *o, *p
	a.AccessTokenLifetime, a.FHIR401After, b.AccessTokenLifetime, b.FHIR401After = nil, nil, nil, nil
	return a == b && equalInt(o.AccessTokenLifetime, p.AccessTokenLifetime) && equalInt(o.FHIR401After, p.FHIR401After)
}

// Validate checks the values: a known TokenError, AccessTokenLifetime
// between 0 and MaxAccessTokenLifetime, FHIR401After between 0 and
// MaxFHIR401After. Every problem is in the one error.
func (o *Options) Validate() error {
	if o == nil {
		return nil
	}
	var errs []error
	if o.TokenError != "" && !slices.Contains(tokenErrors, o.TokenError) {
		errs = append(errs, fmt.Errorf("token_error %q is not one of %s", clip(o.TokenError), strings.Join(tokenErrors, ", ")))
	}
	if n := o.AccessTokenLifetime; n != nil && (*n < 0 || *n > MaxAccessTokenLifetime) {
		errs = append(errs, fmt.Errorf("access_token_lifetime %d is not between 0 and %d seconds", *n, MaxAccessTokenLifetime))
	}
	if n := o.FHIR401After; n != nil && (*n < 0 || *n > MaxFHIR401After) {
		errs = append(errs, fmt.Errorf("fhir_401_after %d is not between 0 and %d", *n, MaxFHIR401After))
	}
	return errors.Join(errs...)
}

// Effective returns the simulation that applies to a launch: none (nil)
// unless the server runs in sandbox mode and the app opted in; then the
// launch's own options when it has them (even empty ones, which turn the
// app's defaults off), else the app's defaults. The result is nil when
// it simulates nothing, so callers test one pointer.
func Effective(sandbox, optedIn bool, launch, app *Options) *Options {
	if !sandbox || !optedIn {
		return nil
	}
	o := app
	if launch != nil {
		o = launch
	}
	if o.IsZero() {
		return nil
	}
	return o
}

// Summary lists what o simulates, for the audit trail and the logs:
// "invalid scope; token endpoint error (server_error); ...", "" for
// nothing.
func (o *Options) Summary() string {
	if o.IsZero() {
		return ""
	}
	var parts []string
	add := func(on bool, s string) {
		if on {
			parts = append(parts, s)
		}
	}
	add(o.InvalidClient, "invalid client")
	add(o.InvalidScope, "invalid scope")
	add(o.InvalidState, "invalid state")
	add(o.TokenError != "", "token endpoint error ("+o.TokenError+")")
	if n := o.AccessTokenLifetime; n != nil {
		parts = append(parts, "access token lifetime "+strconv.Itoa(*n)+"s")
	}
	add(o.RefreshRevoked, "refresh token revoked")
	if n := o.FHIR401After; n != nil {
		parts = append(parts, "FHIR 401 after "+strconv.Itoa(*n)+" requests")
	}
	add(o.SkipLogin, "skip login")
	add(o.SkipConsent, "skip consent")
	return strings.Join(parts, "; ")
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	n := *p
	return &n
}

func equalInt(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// clip bounds a value quoted in an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
