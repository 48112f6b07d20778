package simulation

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The form fields of a launch form's simulation choices (the EHR chart's
// "Simulate" section). FormMarker says the form offered them, so that a
// form with nothing ticked turns the app's defaults off; the others are
// "sim." and the JSON name of the option. Checkboxes send "1"; the
// number fields send digits, or nothing for "not simulated".
const (
	FormMarker               = "sim"
	FieldInvalidClient       = "sim.invalid_client"
	FieldInvalidScope        = "sim.invalid_scope"
	FieldInvalidState        = "sim.invalid_state"
	FieldTokenError          = "sim.token_error"
	FieldAccessTokenLifetime = "sim.access_token_lifetime"
	FieldRefreshRevoked      = "sim.refresh_revoked"
	FieldFHIR401After        = "sim.fhir_401_after"
	FieldSkipLogin           = "sim.skip_login"
	FieldSkipConsent         = "sim.skip_consent"
)

// maxNumberField bounds the digits read from a number field.
const maxNumberField = 9

// FromForm reads the simulation choices of a posted launch form. It
// returns nil when the form did not offer them (no FormMarker), else the
// options chosen (possibly none), checked with Validate.
func FromForm(form url.Values) (*Options, error) {
	if form.Get(FormMarker) == "" {
		return nil, nil
	}
	on := func(field string) bool { return form.Get(field) != "" }
	o := &Options{
		InvalidClient:  on(FieldInvalidClient),
		InvalidScope:   on(FieldInvalidScope),
		InvalidState:   on(FieldInvalidState),
		TokenError:     strings.TrimSpace(form.Get(FieldTokenError)),
		RefreshRevoked: on(FieldRefreshRevoked),
		SkipLogin:      on(FieldSkipLogin),
		SkipConsent:    on(FieldSkipConsent),
	}
	var errs []error
	var err error
	if o.AccessTokenLifetime, err = number(form, FieldAccessTokenLifetime, "the access token lifetime"); err != nil {
		errs = append(errs, err)
	}
	if o.FHIR401After, err = number(form, FieldFHIR401After, "the number of FHIR requests before a 401"); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return o, nil
}

// number reads an optional whole number field: nil when empty.
func number(form url.Values, field, what string) (*int, error) {
	v := strings.TrimSpace(form.Get(field))
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > maxNumberField {
		return nil, fmt.Errorf("%s must be a whole number, not %q", what, clip(v))
	}
	return &n, nil
}
