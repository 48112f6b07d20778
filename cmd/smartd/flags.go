package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// envName is the environment variable of a flag: SMARTD_ and the flag's
// name in upper case with dashes as underscores.
func envName(flagName string) string {
	return "SMARTD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse parses args into fs after applying SMARTD_* variables, so that a
// flag given on the command line wins over the environment.
func parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, e)
			}
		}
	})
	if err != nil {
		return err
	}
	return fs.Parse(args)
}

// newFlagSet returns a flag set whose usage lists each flag with its
// environment variable.
func newFlagSet(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s\n\nFlags (each also settable as SMARTD_<NAME>):\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// dataFlags are the flags of every command that opens the data directory.
type dataFlags struct {
	addr, data, baseURL string
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.addr, "addr", "127.0.0.1:8080", "listen address `host:port` (env SMARTD_ADDR)")
	fs.StringVar(&d.data, "data", "data", "data `directory` holding the store file (env SMARTD_DATA)")
	fs.StringVar(&d.baseURL, "base-url", "", "public `URL` of the server, for links and token audiences; defaults from -addr (env SMARTD_BASE_URL)")
}
