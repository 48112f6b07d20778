package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is what a Suite needs. Only FHIRBase is required; a scenario
// whose settings are missing is skipped with the reason.
type Config struct {
	// FHIRBase is the FHIR base URL; discovery is read below it.
	FHIRBase string `json:"fhir_base"`

	// ClientID is a Backend Services client (private_key_jwt,
	// client_credentials); "" skips the backend-services, introspection,
	// revocation and fhir-access scenarios.
	ClientID string `json:"client_id,omitempty"`
	// KeyFile is the client's private key (PEM: PKCS #8, PKCS #1 or SEC 1),
	// read when Key is empty.
	KeyFile string `json:"key_file,omitempty"`
	// Key is the client's private key as PEM; it wins over KeyFile.
	Key []byte `json:"-"`
	// KeyID is the kid of the key as registered; "" means its RFC 7638
	// thumbprint (SHA-256, base64url).
	KeyID string `json:"key_id,omitempty"`
	// Alg signs the assertions; "" means ES384 for a P-384 key, ES256 for
	// P-256, ES512 for P-521 and RS384 for RSA.
	Alg string `json:"alg,omitempty"`
	// BackendScope is the scope asked for with client_credentials; ""
	// means system/<InScopeType>.rs.
	BackendScope string `json:"backend_scope,omitempty"`
	// InScopeType is a resource type BackendScope covers, searched with
	// the backend token; "" means Patient.
	InScopeType string `json:"in_scope_type,omitempty"`
	// OutOfScopeType is a resource type BackendScope does not cover; ""
	// means Observation.
	OutOfScopeType string `json:"out_of_scope_type,omitempty"`

	// PublicClientID is a public app (token_endpoint_auth_method none)
	// registered with RedirectURI; with Username and Password it enables
	// the interactive scenarios.
	PublicClientID string `json:"public_client_id,omitempty"`
	// RedirectURI is one of the public app's registered redirect URIs.
	// The suite never connects to it: it stops at the redirect.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// Username and Password sign in at the server's login form.
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// LaunchScope is asked for in the standalone launch; "" means
	// "launch/patient openid fhirUser offline_access patient/*.rs".
	LaunchScope string `json:"launch_scope,omitempty"`

	// AdminToken is the bearer token of smartd's admin API, a vendor
	// extension: with it the suite registers a throwaway Backend Services
	// client, public apps and a user for whatever is not configured above,
	// runs the EHR launch through smartd's launch-context API, and removes
	// what it created afterwards. "" skips the smartd-only groups.
	AdminToken string `json:"admin_token,omitempty"`
	// AdminBase is smartd's base URL, below which /admin/api and
	// /launch/api live; "" means FHIRBase without its last path segment
	// (smartd serves FHIR at <base>/fhir).
	AdminBase string `json:"admin_base,omitempty"`

	// HTTPClient gives the Transport and Timeout of every request; nil
	// means http.DefaultTransport and 30 s. Its Jar and CheckRedirect are
	// not used: the suite's API client follows no redirects, and its
	// browser has its own cookie jar and stops at redirects to
	// RedirectURI.
	HTTPClient *http.Client `json:"-"`
	// Now is the clock for assertions and token expiry; nil means
	// time.Now.
	Now func() time.Time `json:"-"`
}

// Defaults of the optional settings.
const (
	DefaultInScopeType    = "Patient"
	DefaultOutOfScopeType = "Observation"
	DefaultLaunchScope    = "launch/patient openid fhirUser offline_access patient/*.rs"
)

// LoadConfig reads a Config from a JSON file with the field names of its
// json tags (fhir_base, client_id, key_file, ...). Unknown fields are
// refused, so that a misspelt setting is not silently ignored. A relative
// key_file is relative to the file's directory.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %v", path, err)
	}
	if c.KeyFile != "" && !filepath.IsAbs(c.KeyFile) {
		c.KeyFile = filepath.Join(filepath.Dir(path), c.KeyFile)
	}
	return c, nil
}

// normalize checks c and fills in the defaults.
func (c Config) normalize() (Config, error) {
	u, err := url.Parse(c.FHIRBase)
	if c.FHIRBase == "" {
		return c, errors.New("conformance: the FHIR base URL is required")
	}
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return c, fmt.Errorf("conformance: FHIR base %q is not an absolute http(s) URL", c.FHIRBase)
	}
	c.FHIRBase = strings.TrimSuffix(c.FHIRBase, "/")
	if c.InScopeType == "" {
		c.InScopeType = DefaultInScopeType
	}
	if c.OutOfScopeType == "" {
		c.OutOfScopeType = DefaultOutOfScopeType
	}
	if c.BackendScope == "" {
		c.BackendScope = "system/" + c.InScopeType + ".rs"
	}
	if c.LaunchScope == "" {
		c.LaunchScope = DefaultLaunchScope
	}
	if c.AdminBase == "" {
		c.AdminBase = c.FHIRBase
		if i := strings.LastIndexByte(c.FHIRBase, '/'); u.Path != "" && i > len(u.Scheme)+2 {
			c.AdminBase = c.FHIRBase[:i]
		}
	} else if a, err := url.Parse(c.AdminBase); err != nil || !a.IsAbs() || a.Host == "" {
		return c, fmt.Errorf("conformance: admin base %q is not an absolute URL", c.AdminBase)
	}
	c.AdminBase = strings.TrimSuffix(c.AdminBase, "/")
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.KeyFile != "" && len(c.Key) == 0 {
		if c.Key, err = os.ReadFile(c.KeyFile); err != nil {
			return c, fmt.Errorf("conformance: reading the key: %v", err)
		}
	}
	if c.RedirectURI != "" {
		if u, err := url.Parse(c.RedirectURI); err != nil || !u.IsAbs() {
			return c, fmt.Errorf("conformance: redirect URI %q is not absolute", c.RedirectURI)
		}
	}
	return c, nil
}

// backendMissing says what the backend scenarios lack, "" if nothing.
func (c Config) backendMissing() string {
	switch {
	case c.ClientID == "" && len(c.Key) == 0:
		return "no Backend Services client given (--client-id and --key)"
	case c.ClientID == "":
		return "no Backend Services client_id given (--client-id)"
	case len(c.Key) == 0:
		return "no private key given for client " + c.ClientID + " (--key)"
	}
	return ""
}

// launchMissing says what the interactive scenarios lack, "" if nothing.
func (c Config) launchMissing() string {
	var miss []string
	for _, f := range []struct{ v, flag string }{
		{c.PublicClientID, "--public-client-id"}, {c.RedirectURI, "--redirect-uri"},
		{c.Username, "--username"}, {c.Password, "--password"},
	} {
		if f.v == "" {
			miss = append(miss, f.flag)
		}
	}
	if len(miss) == 0 {
		return ""
	}
	return "no interactive launch configured (missing " + strings.Join(miss, ", ") + ")"
}
