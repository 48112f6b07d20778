package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"smartd/conformance"
)

// conformanceFlags are the settings of smartd conformance; a non-empty
// flag wins over the --config file.
type conformanceFlags struct {
	config                              string
	fhirBase, clientID, key, keyID, alg string
	scope, launchScope                  string
	publicClientID, redirectURI         string
	username, password                  string
	adminToken, adminBase               string
	junit, html                         string
	color                               bool
}

func (cl *cli) conformance(ctx context.Context, args []string) error {
	fs := newFlagSet("conformance", "smartd conformance --fhir-base URL [flags]", cl.stderr)
	var f conformanceFlags
	fs.StringVar(&f.config, "config", "", "JSON `file` with the settings (fhir_base, client_id, key_file, key_id, alg, backend_scope, in_scope_type, out_of_scope_type, public_client_id, redirect_uri, username, password, launch_scope, admin_token, admin_base); flags win (env SMARTD_CONFIG)")
	fs.StringVar(&f.fhirBase, "fhir-base", "", "FHIR base `URL` of the server to test (env SMARTD_FHIR_BASE)")
	fs.StringVar(&f.clientID, "client-id", "", "Backend Services `client_id` (private_key_jwt) (env SMARTD_CLIENT_ID)")
	fs.StringVar(&f.key, "key", "", "the backend client's private key `file` (PEM) (env SMARTD_KEY)")
	fs.StringVar(&f.keyID, "key-id", "", "`kid` of the key as registered; default its RFC 7638 thumbprint (env SMARTD_KEY_ID)")
	fs.StringVar(&f.alg, "alg", "", "assertion signing `alg`; default ES384 for P-384, RS384 for RSA (env SMARTD_ALG)")
	fs.StringVar(&f.scope, "scope", "", "backend `scope`; default system/Patient.rs (env SMARTD_SCOPE)")
	fs.StringVar(&f.publicClientID, "public-client-id", "", "public app `client_id` for the interactive launch (env SMARTD_PUBLIC_CLIENT_ID)")
	fs.StringVar(&f.redirectURI, "redirect-uri", "", "a registered redirect `URI` of the public app; never contacted (env SMARTD_REDIRECT_URI)")
	fs.StringVar(&f.username, "username", "", "`user` to sign in as at the login form (env SMARTD_USERNAME)")
	fs.StringVar(&f.password, "password", "", "the user's `password`; prefer SMARTD_PASSWORD, which ps does not show (env SMARTD_PASSWORD)")
	fs.StringVar(&f.launchScope, "launch-scope", "", "`scope` of the interactive launch; default \""+conformance.DefaultLaunchScope+"\" (env SMARTD_LAUNCH_SCOPE)")
	fs.StringVar(&f.adminToken, "admin-token", "", "smartd only: admin API bearer `token`; registers a throwaway backend client, apps and user for what is not given, runs the EHR launch, and removes them afterwards; prefer the environment variable (env SMARTD_ADMIN_TOKEN)")
	fs.StringVar(&f.adminBase, "admin-base", "", "smartd only: its base `URL` (of /admin/api and /launch/api); default the FHIR base without its last segment (env SMARTD_ADMIN_BASE)")
	fs.StringVar(&f.junit, "junit", "", "also write JUnit XML to `file` (env SMARTD_JUNIT)")
	fs.StringVar(&f.html, "html", "", "also write an HTML report to `file` (env SMARTD_HTML)")
	fs.BoolVar(&f.color, "color", false, "colour the terminal report even when stdout is not a terminal (env SMARTD_COLOR)")
	if err := parse(fs, args, cl.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("conformance takes no arguments, got %q", fs.Args())
	}
	cfg, err := f.settings()
	if err != nil {
		return err
	}
	suite, err := conformance.New(cfg)
	if err != nil {
		return err
	}
	report := suite.Run(ctx)
	color := f.color || isTerminal(cl.stdout) && cl.getenv("NO_COLOR") == ""
	if err := report.WriteText(cl.stdout, color); err != nil {
		return err
	}
	if f.junit != "" {
		if err := writeReport(f.junit, report.WriteJUnit); err != nil {
			return err
		}
	}
	if f.html != "" {
		if err := writeReport(f.html, report.WriteHTML); err != nil {
			return err
		}
	}
	if _, failed, _ := report.Counts(); failed > 0 {
		return fmt.Errorf("conformance: %d checks failed", failed)
	}
	return ctx.Err()
}

// settings merges the --config file and the flags.
func (f *conformanceFlags) settings() (conformance.Config, error) {
	var cfg conformance.Config
	if f.config != "" {
		var err error
		if cfg, err = conformance.LoadConfig(f.config); err != nil {
			return cfg, err
		}
	}
	for _, s := range []struct {
		dst *string
		v   string
	}{
		{&cfg.FHIRBase, f.fhirBase}, {&cfg.ClientID, f.clientID}, {&cfg.KeyFile, f.key}, {&cfg.KeyID, f.keyID},
		{&cfg.Alg, f.alg}, {&cfg.BackendScope, f.scope}, {&cfg.PublicClientID, f.publicClientID},
		{&cfg.RedirectURI, f.redirectURI}, {&cfg.Username, f.username}, {&cfg.Password, f.password},
		{&cfg.LaunchScope, f.launchScope}, {&cfg.AdminToken, f.adminToken}, {&cfg.AdminBase, f.adminBase},
	} {
		if s.v != "" {
			*s.dst = s.v
		}
	}
	if cfg.FHIRBase == "" {
		return cfg, errors.New("conformance needs --fhir-base (or fhir_base in --config)")
	}
	return cfg, nil
}

// writeReport writes one report file.
func writeReport(path string, write func(io.Writer) error) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(file); err != nil {
		file.Close()
		return fmt.Errorf("%s: %v", path, err)
	}
	return file.Close()
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := file.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
