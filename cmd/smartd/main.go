// Command smartd is a SMART on FHIR launch and authorization platform: a
// FHIR R4 server over an embedded bbolt store, with the sample patients it
// starts with.
//
// Usage:
//
//	smartd [serve] [flags]        serve (the default)
//	smartd import [flags] PATH... load bundle files or folders
//	smartd bench [flags]          load-test a running smartd over loopback
//	smartd bench-token [flags]    load-test its token endpoint over loopback
//	smartd apps COMMAND [flags]   add, list, show, remove, export, import apps
//	smartd keys rotate|list       rotate or list the signing keys
//	smartd users COMMAND [flags]  add, list, passwd, remove login accounts
//	smartd audit [flags]          print the audit trail of a stopped server
//	smartd conformance [flags]    run the SMART conformance checks against a server
//
// Every flag can also be set by an environment variable SMARTD_<NAME>,
// e.g. SMARTD_ADDR or SMARTD_BASE_URL; a flag on the command line wins.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is the build's version, set with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := (&cli{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}).run(ctx, os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "smartd:", err)
		os.Exit(1)
	}
}

// cli is one invocation: its output streams and environment.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(c *cli, ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the FHIR API (the default when no subcommand is given)", (*cli).serve},
		{"import", "load FHIR bundle files or folders (.json, .json.gz) into the data directory", (*cli).importBundles},
		{"bench", "load-test a running smartd on this machine (loopback only): requests/s and latency percentiles", (*cli).bench},
		{"bench-token", "load-test the token endpoint (client_credentials, pre-signed assertions; loopback only): tokens/s", (*cli).benchToken},
		{"apps", "manage app registrations: add, list, show, remove, export, import", (*cli).apps},
		{"keys", "manage the token signing keys: rotate, list", (*cli).keys},
		{"users", "manage login accounts: add, list, passwd, remove", (*cli).users},
		{"audit", "print the audit trail (FHIR accesses, logins, token decisions) of a stopped server", (*cli).audit},
		{"conformance", "run the SMART App Launch conformance checks against a server (ours or another's)", (*cli).conformance},
	}
}

// run dispatches to a subcommand; no subcommand (or a flag first) serves.
func (c *cli) run(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		usage(c.stderr)
		return flag.ErrHelp
	}
	if len(args) == 0 || len(args[0]) > 0 && args[0][0] == '-' {
		return c.serve(ctx, args)
	}
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			return cmd.run(c, ctx, args[1:])
		}
	}
	usage(c.stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "smartd %s: a SMART on FHIR launch and authorization platform\n\n", version)
	fmt.Fprintln(w, "Usage: smartd [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'smartd COMMAND -h' for a command's flags. Every flag can also be set")
	fmt.Fprintln(w, "with an environment variable SMARTD_<NAME> (e.g. SMARTD_ADDR, SMARTD_BASE_URL).")
	fmt.Fprintln(w, "\nFlags of serve:")
	fs, _ := serveFlags(w)
	fs.PrintDefaults()
}
