package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"time"
)

// defaultTokenFile is the admin token of a server run from the repository
// root with the default data directory.
const defaultTokenFile = "data/admin-token"

// benchToken resolves the -token flag: a bearer token, or @file to read
// one from a file. Empty means the admin token in data/admin-token when
// that file exists (the trusted path, which sees everything), else none.
func benchToken(flag string) (string, error) {
	name, fromFile := strings.CutPrefix(flag, "@")
	if flag == "" {
		name, fromFile = defaultTokenFile, true
	}
	if !fromFile {
		return flag, nil
	}
	b, err := os.ReadFile(name)
	if flag == "" && errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// withBearer makes c send token as its bearer token ("" leaves c as is).
func withBearer(c *http.Client, token string) {
	if token != "" {
		c.Transport = bearerRoundTripper{next: c.Transport, header: "Bearer " + token}
	}
}

// bearerRoundTripper adds an Authorization header to each request.
type bearerRoundTripper struct {
	next   http.RoundTripper
	header string
}

func (b bearerRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", b.header)
	return b.next.RoundTrip(r)
}

// launchToken signs in as the -user of the authorize flags and runs one
// standalone launch for their -scope, returning its access token: a real
// user's token (a patient's, with patient/ scopes) for the read and
// search scenarios.
func launchToken(ctx context.Context, cfg benchConfig, f authorizeFlags, client *http.Client) (string, error) {
	ep, err := discoverTokenEndpoints(ctx, client, cfg.base)
	if err != nil {
		return "", err
	}
	ab := &authorizeBench{cfg: cfg, flags: f, scope: f.requested(), ep: ep, app: client}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Transport: client.Transport, Timeout: client.Timeout, CheckRedirect: client.CheckRedirect, Jar: jar}
	if err := ab.signIn(ctx, browser); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	var took [stepCount]time.Duration
	var status [stepCount]int
	body, err := ab.launch(ctx, browser, &buf, &took, &status)
	if err != nil {
		return "", err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}
