package main

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"strings"
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
