package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"smartd/apps/registry"
	"smartd/fhirproxy/store"
	"smartd/server"
)

// lockTimeout is how long a subcommand waits for the data file: briefly,
// so that it fails at once while a server holds it.
const lockTimeout = 100 * time.Millisecond

// openData opens the data directory's store file for a subcommand.
func openData(dir string, readOnly bool) (*store.Store, error) {
	file := filepath.Join(dir, server.StoreFile)
	if readOnly {
		if _, err := os.Stat(file); err != nil {
			return nil, fmt.Errorf("no smartd data in %s: %w", dir, err)
		}
	}
	return store.Open(file, store.Options{LockTimeout: lockTimeout, ReadOnly: readOnly})
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// appsCommands are the subcommands of `smartd apps`.
var appsCommands = []struct{ name, synopsis string }{
	{"add", "register an app"},
	{"list", "list the registered apps"},
	{"show", "show one app's metadata as JSON (never secrets)"},
	{"remove", "remove an app"},
	{"export", "write every registration as JSON"},
	{"import", "load registrations exported by another instance"},
}

func (cl *cli) apps(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(cl.stderr, "Usage: smartd apps COMMAND [flags]\n\nCommands:")
		for _, c := range appsCommands {
			fmt.Fprintf(cl.stderr, "  %-7s %s\n", c.name, c.synopsis)
		}
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("apps needs a command: add, list, show, remove, export or import")
	}
	switch args[0] {
	case "add":
		return cl.appsAdd(args[1:])
	case "list":
		return cl.appsList(args[1:])
	case "show":
		return cl.appsShow(args[1:])
	case "remove":
		return cl.appsRemove(args[1:])
	case "export":
		return cl.appsExport(args[1:])
	case "import":
		return cl.appsImport(args[1:])
	}
	return fmt.Errorf("unknown apps command %q", args[0])
}

// openApps parses the flags of an apps subcommand and opens the registry.
func (cl *cli) openApps(fs *flag.FlagSet, d *dataFlags, args []string, readOnly bool, nargs int, what string) (*registry.Store, func() error, error) {
	if err := parse(fs, args, cl.getenv); err != nil {
		return nil, nil, err
	}
	if fs.NArg() != nargs {
		fs.Usage()
		if nargs == 0 {
			return nil, nil, fmt.Errorf("%s takes no arguments, got %q", fs.Name(), fs.Args())
		}
		return nil, nil, fmt.Errorf("%s needs %s", fs.Name(), what)
	}
	st, err := openData(d.data, readOnly)
	if err != nil {
		return nil, nil, err
	}
	apps, err := registry.Open(st.DB(), registry.Options{})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return apps, st.Close, nil
}

func appsFlagSet(cl *cli, name, synopsis string, d *dataFlags) *flag.FlagSet {
	fs := newFlagSet("apps "+name, synopsis, cl.stderr)
	fs.StringVar(&d.data, "data", "data", "data `directory` holding the store file (env SMARTD_DATA)")
	return fs
}

func (cl *cli) appsAdd(args []string) (err error) {
	var d dataFlags
	fs := appsFlagSet(cl, "add", "smartd apps add -name NAME -type TYPE [flags]", &d)
	var a registry.App
	var redirects, grants, contacts listFlag
	var typ, jwksFile, pemFile, kid string
	fs.StringVar(&a.ClientID, "client-id", "", "the `client_id`; default: a random one (env SMARTD_CLIENT_ID)")
	fs.StringVar(&a.Name, "name", "", "the app's `name` (env SMARTD_NAME)")
	fs.StringVar(&typ, "type", "", "client `type`: public, confidential-symmetric or confidential-asymmetric (env SMARTD_TYPE)")
	fs.StringVar(&a.AuthMethod, "auth-method", "", "token_endpoint_auth_method, instead of -type: none, client_secret_basic, client_secret_post or private_key_jwt")
	fs.Var(&redirects, "redirect-uri", "a redirect `URI`; repeat for more")
	fs.StringVar(&a.LaunchURL, "launch-url", "", "the EHR launch `URL`")
	fs.StringVar(&a.Scope, "scope", "", "the `scopes` the app may be granted, space-separated")
	fs.Var(&grants, "grant-type", "a grant `type`: authorization_code, refresh_token or client_credentials; repeat for more (default authorization_code, or client_credentials for confidential-asymmetric)")
	fs.StringVar(&jwksFile, "jwks", "", "a `file` holding the app's public JWKS")
	fs.StringVar(&a.JWKSURI, "jwks-uri", "", "the `URL` of the app's JWKS")
	fs.StringVar(&pemFile, "pem", "", "a `file` holding the app's public key or certificate (PEM), registered as a JWK")
	fs.StringVar(&kid, "kid", "", "the `kid` of the -pem key; default its RFC 7638 thumbprint")
	fs.StringVar(&a.LogoURI, "logo-uri", "", "the `URL` of the app's logo")
	fs.Var(&contacts, "contact", "a contact `address`; repeat for more")
	apps, closeStore, err := cl.openApps(fs, &d, args, false, 0, "")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := closeStore(); err == nil {
			err = cerr
		}
	}()
	if typ != "" {
		m := registry.ClientType(typ).DefaultAuthMethod()
		if m == "" {
			return fmt.Errorf("-type %q is not public, confidential-symmetric or confidential-asymmetric", typ)
		}
		if a.AuthMethod != "" && (&registry.App{AuthMethod: a.AuthMethod}).Type() != registry.ClientType(typ) {
			return fmt.Errorf("-type %s and -auth-method %s disagree", typ, a.AuthMethod)
		}
		if a.AuthMethod == "" {
			a.AuthMethod = m
		}
	}
	if a.AuthMethod == "" {
		return errors.New("-type (or -auth-method) is required")
	}
	a.RedirectURIs, a.GrantTypes, a.Contacts = redirects, grants, contacts
	if len(a.GrantTypes) == 0 {
		a.GrantTypes = []string{registry.GrantAuthorizationCode}
		if a.Type() == registry.ConfidentialAsymmetric && len(redirects) == 0 {
			a.GrantTypes = []string{registry.GrantClientCredentials}
		}
	}
	switch {
	case jwksFile != "" && pemFile != "":
		return errors.New("-jwks and -pem: give one")
	case jwksFile != "":
		if a.JWKS, err = os.ReadFile(jwksFile); err != nil {
			return err
		}
	case pemFile != "":
		b, err := os.ReadFile(pemFile)
		if err != nil {
			return err
		}
		if a.JWKS, err = registry.ParsePEMKey(b, kid); err != nil {
			return fmt.Errorf("-pem %s: %w", pemFile, err)
		}
	}
	app, cred, err := apps.Create(&a)
	var v *registry.ValidationError
	if errors.As(err, &v) {
		fmt.Fprintln(cl.stderr, "the registration is not valid:")
		for _, fe := range v.Errors {
			fmt.Fprintf(cl.stderr, "  %s: %s\n", fe.Field, fe.Message)
		}
		return errors.New("nothing registered")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(cl.stdout, "client_id:                 %s\n", app.ClientID)
	if cred.ClientSecret != "" {
		fmt.Fprintf(cl.stdout, "client_secret:             %s\n", cred.ClientSecret)
	}
	if cred.RegistrationAccessToken != "" {
		fmt.Fprintf(cl.stdout, "registration_access_token: %s\n", cred.RegistrationAccessToken)
	}
	if cred != (registry.Credentials{}) {
		fmt.Fprintln(cl.stdout, "Keep the secrets now: smartd stores only their digests and cannot show them again.")
	}
	return nil
}

func (cl *cli) appsList(args []string) error {
	var d dataFlags
	fs := appsFlagSet(cl, "list", "smartd apps list [-data DIR]", &d)
	apps, closeStore, err := cl.openApps(fs, &d, args, true, 0, "")
	if err != nil {
		return err
	}
	defer closeStore()
	all, err := apps.List()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(cl.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT_ID\tNAME\tTYPE\tGRANTS\tREDIRECTS")
	for _, a := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", a.ClientID, a.Name, a.Type(), strings.Join(a.GrantTypes, ","), len(a.RedirectURIs))
	}
	return tw.Flush()
}

func (cl *cli) appsShow(args []string) error {
	var d dataFlags
	fs := appsFlagSet(cl, "show", "smartd apps show [-data DIR] CLIENT_ID", &d)
	apps, closeStore, err := cl.openApps(fs, &d, args, true, 1, "one CLIENT_ID")
	if err != nil {
		return err
	}
	defer closeStore()
	a, err := apps.Get(fs.Arg(0))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(cl.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(a.Metadata())
}

func (cl *cli) appsRemove(args []string) (err error) {
	var d dataFlags
	fs := appsFlagSet(cl, "remove", "smartd apps remove [-data DIR] CLIENT_ID", &d)
	apps, closeStore, err := cl.openApps(fs, &d, args, false, 1, "one CLIENT_ID")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := closeStore(); err == nil {
			err = cerr
		}
	}()
	if err := apps.Delete(fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(cl.stdout, "removed %s\n", fs.Arg(0))
	return nil
}

func (cl *cli) appsExport(args []string) error {
	var d dataFlags
	fs := appsFlagSet(cl, "export", "smartd apps export [-data DIR] [-o FILE]", &d)
	out := fs.String("o", "", "write to `file` (0600) instead of standard output")
	apps, closeStore, err := cl.openApps(fs, &d, args, true, 0, "")
	if err != nil {
		return err
	}
	defer closeStore()
	var w io.Writer = cl.stdout
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if err := apps.Export(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return apps.Export(w)
}

func (cl *cli) appsImport(args []string) (err error) {
	var d dataFlags
	fs := appsFlagSet(cl, "import", "smartd apps import [-data DIR] [-replace] FILE", &d)
	replace := fs.Bool("replace", false, "overwrite apps whose client_id exists (env SMARTD_REPLACE)")
	apps, closeStore, err := cl.openApps(fs, &d, args, false, 1, "one FILE (- for standard input)")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := closeStore(); err == nil {
			err = cerr
		}
	}()
	var r io.Reader = os.Stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	res, err := apps.Import(r, registry.ImportOptions{Replace: *replace})
	if err != nil {
		return err
	}
	fmt.Fprintf(cl.stdout, "imported %d apps: %d new, %d replaced\n", len(res.Created)+len(res.Replaced), len(res.Created), len(res.Replaced))
	return nil
}
