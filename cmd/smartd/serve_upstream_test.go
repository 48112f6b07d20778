package main

import (
	"context"
	"strings"
	"testing"
)

// TestServeUpstreamFlagErrors: bad upstream settings stop serve before it
// serves, naming the flag at fault.
func TestServeUpstreamFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-upstream-key", "key.pem"}, nil, "need -upstream"},
		{nil, map[string]string{"SMARTD_UPSTREAM_TOKEN": "t"}, "need -upstream"},
		{[]string{"-upstream", "fhir.example.org/fhir"}, nil, "absolute"},
		{[]string{"-upstream", "https://fhir.example.org/fhir", "-upstream-client-id", "c", "-upstream-key", "no-such-key.pem"}, nil, "-upstream-key"},
		{[]string{"-upstream", "https://fhir.example.org/fhir", "-upstream-client-id", "c"}, nil, "private key"},
		{[]string{"-upstream", "https://fhir.example.org/fhir", "-upstream-client-id", "c", "-upstream-key", "serve.go"}, nil, "-upstream-key"},
	} {
		c, _, _ := newCLI(tc.env)
		err := c.run(context.Background(), append([]string{"serve", "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-no-samples"}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: %v, want an error naming %s", tc.args, tc.env, err, tc.want)
		}
	}
}
