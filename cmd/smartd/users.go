package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"smartd/users"
)

// usersCommands are the subcommands of `smartd users`.
var usersCommands = []struct{ name, synopsis string }{
	{"add", "create a login account"},
	{"list", "list the login accounts (never passwords)"},
	{"passwd", "set an account's password"},
	{"remove", "remove a login account"},
}

func (cl *cli) users(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(cl.stderr, "Usage: smartd users COMMAND [flags]\n\nCommands:")
		for _, c := range usersCommands {
			fmt.Fprintf(cl.stderr, "  %-7s %s\n", c.name, c.synopsis)
		}
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("users needs a command: add, list, passwd or remove")
	}
	switch args[0] {
	case "add":
		return cl.usersAdd(args[1:])
	case "list":
		return cl.usersList(args[1:])
	case "passwd":
		return cl.usersPasswd(args[1:])
	case "remove":
		return cl.usersRemove(args[1:])
	}
	return fmt.Errorf("unknown users command %q", args[0])
}

// passwordFlags are -password and -password-stdin.
type passwordFlags struct {
	password string
	stdin    bool
}

func (p *passwordFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.password, "password", "", "the `password` (visible to other local users in the process list: prefer -password-stdin)")
	fs.BoolVar(&p.stdin, "password-stdin", false, "read the password from the first line of standard input")
}

// read returns the password from the flag or standard input.
func (p *passwordFlags) read(in io.Reader) (string, error) {
	switch {
	case p.stdin && p.password != "":
		return "", errors.New("-password and -password-stdin: give one")
	case p.stdin:
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	case p.password == "":
		return "", errors.New("a password is required: -password-stdin (or -password)")
	}
	return p.password, nil
}

// withUsers parses the flags of a users subcommand, opens the accounts,
// runs fn, and closes the store, reporting a close error fn did not.
func (cl *cli) withUsers(fs *flag.FlagSet, d *dataFlags, args []string, readOnly bool, fn func(*users.Store) error) error {
	if err := parse(fs, args, cl.getenv); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("%s takes no arguments, got %q", fs.Name(), fs.Args())
	}
	st, err := openData(d.data, readOnly)
	if err != nil {
		return err
	}
	s, err := users.Open(st.DB(), users.Options{})
	if err == nil {
		err = fn(s)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

func usersFlagSet(cl *cli, name, synopsis string, d *dataFlags, username *string) *flag.FlagSet {
	fs := newFlagSet("users "+name, synopsis, cl.stderr)
	fs.StringVar(&d.data, "data", "data", "data `directory` holding the store file (env SMARTD_DATA)")
	if username != nil {
		fs.StringVar(username, "username", "", "the account's `username` (env SMARTD_USERNAME)")
	}
	return fs
}

func (cl *cli) usersAdd(args []string) error {
	var d dataFlags
	var u users.User
	var role string
	var pw passwordFlags
	fs := usersFlagSet(cl, "add", "smartd users add -username NAME -role ROLE -fhir-user TYPE/ID -password-stdin [flags]", &d, &u.Username)
	fs.StringVar(&u.DisplayName, "name", "", "the `name` shown on the login pages (env SMARTD_NAME)")
	fs.StringVar(&role, "role", "", "`role`: clinician, patient, developer or admin (env SMARTD_ROLE)")
	fs.StringVar(&u.FHIRUser, "fhir-user", "", "the linked `resource`, the fhirUser claim: Practitioner/ID for a clinician, Patient/ID or RelatedPerson/ID for a patient (env SMARTD_FHIR_USER)")
	fs.StringVar(&u.Patient, "patient", "", "for a RelatedPerson proxy: the `id` of the Patient it acts for (env SMARTD_PATIENT)")
	fs.BoolVar(&u.Disabled, "disabled", false, "create the account disabled")
	pw.register(fs)
	return cl.withUsers(fs, &d, args, false, func(s *users.Store) error {
		u.Role = users.Role(role)
		if err := u.Validate(); err != nil {
			return err
		}
		password, err := pw.read(os.Stdin)
		if err != nil {
			return err
		}
		created, err := s.Create(&u, password)
		if err != nil {
			return err
		}
		fmt.Fprintf(cl.stdout, "added %s (%s, fhirUser %s)\n", created.Username, created.Role, orDash(created.FHIRUser))
		return nil
	})
}

func (cl *cli) usersList(args []string) error {
	var d dataFlags
	fs := usersFlagSet(cl, "list", "smartd users list [-data DIR]", &d, nil)
	return cl.withUsers(fs, &d, args, true, func(s *users.Store) error {
		all, err := s.List()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(cl.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tFHIR_USER\tPATIENT\tSTATUS\tNAME")
		for _, u := range all {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, orDash(u.FHIRUser), orDash(u.PatientContext()), status, u.DisplayName)
		}
		return tw.Flush()
	})
}

func (cl *cli) usersPasswd(args []string) error {
	var d dataFlags
	var username string
	var pw passwordFlags
	fs := usersFlagSet(cl, "passwd", "smartd users passwd -username NAME -password-stdin [-data DIR]", &d, &username)
	pw.register(fs)
	return cl.withUsers(fs, &d, args, false, func(s *users.Store) error {
		if username == "" {
			return errors.New("-username is required")
		}
		password, err := pw.read(os.Stdin)
		if err != nil {
			return err
		}
		if err := s.SetPassword(username, password); err != nil {
			return err
		}
		fmt.Fprintf(cl.stdout, "password of %s changed\n", username)
		return nil
	})
}

func (cl *cli) usersRemove(args []string) error {
	var d dataFlags
	var username string
	fs := usersFlagSet(cl, "remove", "smartd users remove -username NAME [-data DIR]", &d, &username)
	return cl.withUsers(fs, &d, args, false, func(s *users.Store) error {
		if username == "" {
			return errors.New("-username is required")
		}
		if err := s.Delete(username); err != nil {
			return err
		}
		fmt.Fprintf(cl.stdout, "removed %s\n", username)
		return nil
	})
}

// orDash prints an empty column as "-".
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
