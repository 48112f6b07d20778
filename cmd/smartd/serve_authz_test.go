package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestServeAuthzFlagErrors: bad authorization server settings stop serve
// before it listens.
func TestServeAuthzFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-registration", "sometimes"}, nil, "-registration"},
		{nil, map[string]string{"SMARTD_REGISTRATION": "token"}, "SMARTD_REGISTRATION_TOKEN"},
		{[]string{"-access-token-lifetime", "10m"}, nil, "-access-token-lifetime"},
		{[]string{"-access-token-lifetime", "0s"}, nil, "-access-token-lifetime"},
		{[]string{"-user-access-token-lifetime", "48h"}, nil, "-user-access-token-lifetime"},
		{nil, map[string]string{"SMARTD_USER_ACCESS_TOKEN_LIFETIME": "0s"}, "-user-access-token-lifetime"},
	} {
		c, _, _ := newCLI(tc.env)
		err := c.run(context.Background(), append([]string{"serve", "-addr", "127.0.0.1:0", "-data", t.TempDir()}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: %v, want an error naming %s", tc.args, tc.env, err, tc.want)
		}
	}
}

// TestServeRegistrationPolicy: -registration and SMARTD_REGISTRATION_TOKEN
// reach the registration endpoint.
func TestServeRegistrationPolicy(t *testing.T) {
	body := `{"client_name":"x","redirect_uris":["https://app.example/cb"],"scope":"launch","token_endpoint_auth_method":"none"}`
	register := func(base, token string) int {
		req, _ := http.NewRequest("POST", strings.TrimSuffix(base, "/fhir")+"/auth/register", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	base, _ := startServe(t, map[string]string{"SMARTD_REGISTRATION": "token", "SMARTD_REGISTRATION_TOKEN": "s3cret-initial-token"}, "-data", t.TempDir(), "-no-samples")
	if got := register(base, ""); got != http.StatusUnauthorized {
		t.Errorf("token policy without the token: %d", got)
	}
	if got := register(base, "s3cret-initial-token"); got != http.StatusCreated {
		t.Errorf("token policy with the token: %d", got)
	}
	var doc map[string]any
	if getJSON(t, http.DefaultClient, base+"/.well-known/smart-configuration", &doc) != 200 || doc["registration_endpoint"] == nil {
		t.Errorf("discovery: %v", doc)
	}

	closed, _ := startServe(t, nil, "-data", t.TempDir(), "-no-samples", "-registration", "closed")
	if got := register(closed, ""); got != http.StatusForbidden {
		t.Errorf("closed: %d", got)
	}
}
