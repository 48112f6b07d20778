package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"smartd/server"
)

type serveConfig struct {
	dataFlags
	tlsCert, tlsKey string
	maxBodyMB       int64
	logLevel        string
	noSamples       bool
}

func serveFlags(out io.Writer) (*flag.FlagSet, *serveConfig) {
	c := &serveConfig{}
	fs := newFlagSet("serve", "smartd [serve] [flags]", out)
	c.dataFlags.register(fs)
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate `file` (PEM); with -tls-key, serve HTTPS with TLS 1.2+ (env SMARTD_TLS_CERT)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key `file` (PEM) (env SMARTD_TLS_KEY)")
	fs.Int64Var(&c.maxBodyMB, "max-body-mb", 128, "largest request body in `MiB` (env SMARTD_MAX_BODY_MB)")
	fs.StringVar(&c.logLevel, "log-level", "info", "log `level`: debug, info, warn or error (env SMARTD_LOG_LEVEL)")
	fs.BoolVar(&c.noSamples, "no-samples", false, "do not load the sample patients into an empty store (env SMARTD_NO_SAMPLES)")
	return fs, c
}

func (cl *cli) serve(ctx context.Context, args []string) error {
	stdout, stderr := cl.stdout, cl.stderr
	fs, c := serveFlags(stderr)
	if err := parse(fs, args, cl.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("-log-level: %v", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	// Listen first, so that a port of 0 and the base URL agree.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	base := c.baseURL
	if base == "" {
		base = server.DefaultBaseURL(ln.Addr().String(), c.tlsCert != "")
	}
	srv, err := server.New(server.Config{
		Addr: ln.Addr().String(), DataDir: c.data, BaseURL: base, TLSCert: c.tlsCert, TLSKey: c.tlsKey,
		MaxBody: c.maxBodyMB << 20, NoSamples: c.noSamples, Log: log, Version: version,
	})
	if err != nil {
		ln.Close()
		return err
	}
	base = srv.BaseURL()
	fmt.Fprintf(stdout, "smartd %s listening on %s\n", version, ln.Addr())
	fmt.Fprintf(stdout, "  FHIR base:   %s/fhir\n", base)
	fmt.Fprintf(stdout, "  metadata:    %s/fhir/metadata\n", base)
	fmt.Fprintf(stdout, "  health:      %s/healthz\n", base)
	fmt.Fprintf(stdout, "  data:        %s\n", c.data)
	return srv.Run(ctx, ln)
}
