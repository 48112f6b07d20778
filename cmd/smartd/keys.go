package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"smartd/authz/keys"
)

func (cl *cli) keys(ctx context.Context, args []string) (err error) {
	if len(args) == 0 || args[0] != "rotate" && args[0] != "list" {
		fmt.Fprintln(cl.stderr, "Usage: smartd keys rotate|list [-data DIR] [-key-passphrase P]\n\n"+
			"  rotate  add a new current signing key per algorithm; tokens signed by\n"+
			"          the old ones stay valid until they expire\n"+
			"  list    show the signing keys")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("keys needs a command: rotate or list")
	}
	name := args[0]
	var d dataFlags
	fs := newFlagSet("keys "+name, "smartd keys "+name+" [-data DIR] [-key-passphrase P]", cl.stderr)
	fs.StringVar(&d.data, "data", "data", "data `directory` holding the store file (env SMARTD_DATA)")
	passphrase := fs.String("key-passphrase", "", "the `passphrase` that seals the signing keys, as serve uses it; prefer the environment variable (env SMARTD_KEY_PASSPHRASE)")
	if err := parse(fs, args[1:], cl.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys %s takes no arguments, got %q", name, fs.Args())
	}
	st, err := openData(d.data, name == "list")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	k, err := keys.Open(st.DB(), keys.Options{Passphrase: *passphrase})
	if err != nil {
		return err
	}
	if name == "rotate" {
		if err := k.Rotate(); err != nil {
			return err
		}
		fmt.Fprintln(cl.stdout, "rotated: new tokens are signed with the new keys; the old ones verify until they expire")
	}
	tw := tabwriter.NewWriter(cl.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALG\tCREATED\tRETIRED\tEXPIRES\tCURRENT")
	for _, i := range k.List() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", i.Kid, i.Alg, stamp(i.Created), stamp(i.Retired), stamp(i.Expires), strings.Repeat("yes", btoi(i.Current)))
	}
	return tw.Flush()
}

// stamp formats a time for a table, "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
