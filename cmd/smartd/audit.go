package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"smartd/audit"
	"smartd/server"
)

// auditConfig are the flags of `smartd audit`.
type auditConfig struct {
	dataFlags
	since, until, kind, outcome, format string
	filter                              audit.Filter
	limit                               int
	json                                bool
}

// audit prints the audit trail of a stopped server's data directory.
func (cl *cli) audit(_ context.Context, args []string) error {
	var c auditConfig
	fs := newFlagSet("audit", "smartd audit [-data DIR] [-since 1h] [-client ID] [-outcome denied] [-json | -format auditevent] [flags]", cl.stderr)
	c.dataFlags.register(fs)
	fs.StringVar(&c.since, "since", "24h", "records from this `time` on: a duration before now (90m, 24h, 7d), an RFC 3339 time or a date; \"\" for all")
	fs.StringVar(&c.until, "until", "", "records before this `time` (same forms as -since)")
	fs.StringVar(&c.filter.ClientID, "client", "", "only this app's records (`client_id`)")
	fs.StringVar(&c.filter.User, "user", "", "only this `user` (fhirUser reference or username)")
	fs.StringVar(&c.filter.Patient, "patient", "", "only records in this launch patient's context (`id`)")
	fs.StringVar(&c.kind, "kind", "", "only this `kind`: fhir or auth")
	fs.StringVar(&c.outcome, "outcome", "", "only this `outcome`: success, denied or failure")
	fs.StringVar(&c.filter.ResourceType, "type", "", "only this resource `type`")
	fs.IntVar(&c.limit, "limit", 50, "print at most `n` records, newest first")
	fs.BoolVar(&c.json, "json", false, "print one JSON record per line (-format json)")
	fs.StringVar(&c.format, "format", "table", "output `format`: table, json (lines) or auditevent (a FHIR Bundle of AuditEvents)")
	if err := parse(fs, args, cl.getenv); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("audit takes no arguments, got %q", fs.Args())
	}
	if c.json {
		if c.format != "table" && c.format != "json" {
			return fmt.Errorf("-json and -format %s: give one", c.format)
		}
		c.format = "json"
	}
	switch c.format {
	case "table", "json", "auditevent":
	default:
		return fmt.Errorf("-format %q: want table, json or auditevent", c.format)
	}
	if c.limit < 1 {
		return fmt.Errorf("-limit %d: want at least 1", c.limit)
	}
	now := time.Now()
	var err error
	if c.filter.Since, err = audit.ParseTime(c.since, now); err != nil {
		return fmt.Errorf("-since: %v", err)
	}
	if c.filter.Until, err = audit.ParseTime(c.until, now); err != nil {
		return fmt.Errorf("-until: %v", err)
	}
	c.filter.Kind, c.filter.Outcome = audit.Kind(c.kind), audit.Outcome(c.outcome)
	base := c.baseURL
	if base == "" {
		base = server.DefaultBaseURL(c.addr, false)
	}
	base = strings.TrimSuffix(base, "/")

	file := filepath.Join(c.data, audit.FileName)
	l, err := audit.Open(file, audit.Options{ReadOnly: true, LockTimeout: lockTimeout})
	if errors.Is(err, audit.ErrLocked) {
		return fmt.Errorf("%w; ask the running server instead: GET %s%s/audit", err, base, server.AdminAPIPrefix)
	}
	if err != nil {
		return err
	}
	recs, err := auditRecords(l, c.filter, c.limit)
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	switch c.format {
	case "json":
		for _, r := range recs {
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			fmt.Fprintf(cl.stdout, "%s\n", b)
		}
	case "auditevent":
		cl.stdout.Write(audit.Bundle(base+"/fhir", recs))
	default:
		return printAuditTable(cl, recs)
	}
	return nil
}

// auditRecords pages through the trail until it has limit records or
// there are no more.
func auditRecords(l *audit.Log, f audit.Filter, limit int) ([]audit.Record, error) {
	var out []audit.Record
	for len(out) < limit {
		f.Limit = min(limit-len(out), audit.MaxLimit)
		recs, next, err := l.Query(f)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return out, nil
}

func printAuditTable(cl *cli, recs []audit.Record) error {
	if len(recs) == 0 {
		fmt.Fprintln(cl.stderr, "no audit records match")
		return nil
	}
	tw := tabwriter.NewWriter(cl.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tKIND\tOUTCOME\tSTATUS\tCLIENT\tUSER\tPATIENT\tACTION\tRESOURCE\tREASON")
	for _, r := range recs {
		status := "-"
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Time.UTC().Format("2006-01-02T15:04:05.000Z"), r.Kind, orDash(string(r.Outcome)), status,
			orDash(r.ClientID), orDash(r.User), orDash(r.Patient), orDash(r.Interaction),
			orDash(auditResource(r)), oneLine(r.Reason))
	}
	return tw.Flush()
}

// auditResource is Type/id, or Type?query for a search, cut to 60 bytes.
func auditResource(r audit.Record) string {
	s := r.ResourceType
	switch {
	case r.ResourceID != "":
		s += "/" + r.ResourceID
	case r.Query != "":
		s += "?" + r.Query
	}
	return oneLine(truncate(s, 60))
}

// oneLine keeps a table cell on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(s)
}

// truncate cuts s to n bytes with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
