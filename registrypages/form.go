package registrypages

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"smartd/apps/registry"
	"smartd/ui"
)

// Default scopes for a form that leaves the scope field empty: a user
// facing app may ask for a patient launch, identity, refresh and the
// patient's data; a backend service for the whole system's.
const (
	defaultUserScopes    = "launch launch/patient openid fhirUser offline_access patient/*.rs"
	defaultBackendScopes = "system/*.rs"
)

// defaultScopesHint tells the form what an empty scope field means.
const defaultScopesHint = defaultUserScopes + " (a backend service: " + defaultBackendScopes + ")"

// maxPEMBytes bounds an uploaded PEM file.
const maxPEMBytes = 64 << 10

// readForm reads the posted fields of the registration form.
func readForm(r *http.Request) (ui.AppForm, error) {
	f := ui.AppForm{
		Name:         strings.TrimSpace(r.PostFormValue(ui.AppFieldName)),
		LaunchURL:    strings.TrimSpace(r.PostFormValue(ui.AppFieldLaunchURL)),
		RedirectURIs: strings.TrimSpace(r.PostFormValue(ui.AppFieldRedirectURIs)),
		ClientType:   r.PostFormValue(ui.AppFieldClientType),
		GrantTypes:   r.PostForm[ui.AppFieldGrantTypes],
		JWKSURI:      strings.TrimSpace(r.PostFormValue(ui.AppFieldJWKSURI)),
		JWKS:         strings.TrimSpace(r.PostFormValue(ui.AppFieldJWKS)),
		PEM:          strings.TrimSpace(r.PostFormValue(ui.AppFieldPEM)),
		Scope:        strings.TrimSpace(r.PostFormValue(ui.AppFieldScope)),
		LogoURI:      strings.TrimSpace(r.PostFormValue(ui.AppFieldLogoURI)),
	}
	file, _, err := r.FormFile(ui.AppFieldPEMFile)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxPEMBytes+1))
	if err != nil {
		return f, err
	}
	if up := strings.TrimSpace(string(b)); up != "" {
		if f.PEM != "" && f.PEM != up {
			return f, errPEMTwice
		}
		f.PEM = up
	}
	return f, nil
}

// errPEMTwice: a PEM key pasted and another uploaded.
var errPEMTwice = errors.New("paste a PEM key or upload one, not both")

// apply sets what the form manages on a (a new App, or a clone of the
// stored one, whose other fields are kept) and returns the problems the
// form itself finds; the registry's validation finds the rest.
func apply(a *registry.App, f ui.AppForm) ui.FieldErrors {
	errs := ui.FieldErrors{}
	a.Name, a.LaunchURL, a.LogoURI, a.JWKSURI = f.Name, f.LaunchURL, f.LogoURI, f.JWKSURI
	a.RedirectURIs = nil
	for _, line := range strings.Split(f.RedirectURIs, "\n") {
		if u := strings.TrimSpace(line); u != "" {
			a.RedirectURIs = append(a.RedirectURIs, u)
		}
	}
	a.GrantTypes = slices.Clone(f.GrantTypes)
	typ := registry.ClientType(f.ClientType)
	switch {
	case typ.DefaultAuthMethod() == "":
		errs[ui.AppFieldClientType] = append(errs[ui.AppFieldClientType], "Choose a client type.")
	case a.Type() != typ:
		a.AuthMethod = typ.DefaultAuthMethod()
	}
	if a.Type() != registry.ConfidentialSymmetric {
		a.SecretHash = nil
	}
	a.Scope = strings.Join(strings.Fields(f.Scope), " ")
	if a.Scope == "" {
		a.Scope = defaultUserScopes
		if slices.Equal(a.GrantTypes, []string{registry.GrantClientCredentials}) {
			a.Scope = defaultBackendScopes
		}
	}
	a.JWKS = nil
	switch {
	case f.PEM != "" && f.JWKS != "":
		errs[ui.AppFieldPEM] = append(errs[ui.AppFieldPEM], "Give a JWKS or a PEM key, not both.")
	case f.PEM != "":
		jwks, err := registry.ParsePEMKey([]byte(f.PEM), "")
		if err != nil {
			errs[ui.AppFieldPEM] = append(errs[ui.AppFieldPEM], err.Error())
		}
		a.JWKS = jwks
	case f.JWKS != "":
		if !json.Valid([]byte(f.JWKS)) {
			errs[ui.AppFieldJWKS] = append(errs[ui.AppFieldJWKS], "The JWKS is not valid JSON.")
		} else {
			a.JWKS = json.RawMessage(f.JWKS)
		}
	}
	return errs
}

// formField maps the registry's RFC 7591 field names to the form's.
var formField = map[string]string{
	"client_name":                ui.AppFieldName,
	"initiate_login_uri":         ui.AppFieldLaunchURL,
	"redirect_uris":              ui.AppFieldRedirectURIs,
	"token_endpoint_auth_method": ui.AppFieldClientType,
	"client_secret":              ui.AppFieldClientType,
	"grant_types":                ui.AppFieldGrantTypes,
	"response_types":             ui.AppFieldGrantTypes,
	"jwks":                       ui.AppFieldJWKS,
	"jwks_uri":                   ui.AppFieldJWKSURI,
	"scope":                      ui.AppFieldScope,
	"logo_uri":                   ui.AppFieldLogoURI,
}

// addValidation adds the registry's problems to errs, each next to its
// form field (those of a key made from a PEM next to the PEM field; none
// to a field the form already found at fault), and reports whether err
// was a validation error.
func addValidation(errs ui.FieldErrors, err error, f ui.AppForm) bool {
	var v *registry.ValidationError
	if !errors.As(err, &v) {
		return false
	}
	own := map[string]bool{} // fields the form already found a problem with
	for k := range errs {
		own[k] = true
	}
	for _, fe := range v.Errors {
		field := formField[fe.Field]
		if field == ui.AppFieldJWKS && f.PEM != "" {
			field = ui.AppFieldPEM
		}
		if !own[field] {
			errs[field] = append(errs[field], fe.Message)
		}
	}
	return true
}

// formOf fills the form from a stored app, for editing.
func formOf(a *registry.App) ui.AppForm {
	f := ui.AppForm{
		Name: a.Name, LaunchURL: a.LaunchURL, RedirectURIs: strings.Join(a.RedirectURIs, "\n"),
		ClientType: string(a.Type()), GrantTypes: slices.Clone(a.GrantTypes),
		JWKSURI: a.JWKSURI, Scope: a.Scope, LogoURI: a.LogoURI,
	}
	if a.HasJWKS() {
		var b bytes.Buffer
		if json.Indent(&b, a.JWKS, "", "  ") == nil {
			f.JWKS = b.String()
		} else {
			f.JWKS = string(a.JWKS)
		}
	}
	return f
}

// newForm is the blank registration form: a public app launched in the
// browser, with the default scopes.
func newForm() ui.AppForm {
	return ui.AppForm{
		ClientType: string(registry.Public),
		GrantTypes: []string{registry.GrantAuthorizationCode, registry.GrantRefreshToken},
		Scope:      defaultUserScopes,
	}
}
