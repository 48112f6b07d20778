package conformance

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// response is a response read whole.
type response struct {
	// TLS is the connection state of an https response.
	TLS    *tls.ConnectionState
	Status int
	Header http.Header
	Body   []byte
	URL    *url.URL
}

// send sends req with client and reads the response.
func (r *runner) send(client *http.Client, req *http.Request) (*response, error) {
	resp, err := client.Do(req.WithContext(r.ctx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBuffered))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %v", req.Method, req.URL, err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: b, URL: resp.Request.URL, TLS: resp.TLS}, nil
}

// get sends a GET with the given headers (name, value pairs).
func (r *runner) get(u string, header ...string) (*response, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return r.send(r.api, req)
}

// postForm sends a form POST with the given headers (name, value pairs).
func (r *runner) postForm(u string, form url.Values, header ...string) (*response, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return r.send(r.api, req)
}

// bearer is the header pair of a bearer token.
func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// object decodes the body as a JSON object.
func (resp *response) object() (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(resp.Body, &m); err != nil || m == nil {
		return nil, fmt.Errorf("the body is not a JSON object: %s", clip(string(resp.Body), 200))
	}
	return m, nil
}

// oauthError returns the RFC 6749 §5.2 error code of a JSON error body,
// or "" when there is none.
func (resp *response) oauthError() string {
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(resp.Body, &e)
	return e.Error
}

// describe is a short account of a response for a failure reason:
// status, and the OAuth error or the start of the body.
func (resp *response) describe() string {
	if code := resp.oauthError(); code != "" {
		var e struct {
			Desc string `json:"error_description"`
		}
		json.Unmarshal(resp.Body, &e)
		if e.Desc != "" {
			return fmt.Sprintf("%d %s (%s)", resp.Status, code, clip(e.Desc, 160))
		}
		return fmt.Sprintf("%d %s", resp.Status, code)
	}
	if len(resp.Body) == 0 {
		return fmt.Sprintf("%d with an empty body", resp.Status)
	}
	return fmt.Sprintf("%d: %s", resp.Status, clip(strings.Join(strings.Fields(string(resp.Body)), " "), 160))
}

// refused checks that resp refuses a request with one of the statuses
// and, when codes are given, one of the OAuth error codes.
func refused(resp *response, statuses []int, codes ...string) error {
	okStatus := false
	for _, s := range statuses {
		okStatus = okStatus || resp.Status == s
	}
	if !okStatus {
		return fmt.Errorf("got %s, want status %s", resp.describe(), orList(statuses))
	}
	if len(codes) == 0 {
		return nil
	}
	got := resp.oauthError()
	for _, c := range codes {
		if got == c {
			return nil
		}
	}
	return fmt.Errorf("got %s, want error %s", resp.describe(), strings.Join(codes, " or "))
}

func orList[T any](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, " or ")
}

// clip shortens s to n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// str returns a string member of m.
func str(m map[string]any, name string) (string, bool) {
	s, ok := m[name].(string)
	return s, ok
}

// strList returns an array-of-strings member of m; ok is false when it
// is absent or holds anything but strings.
func strList(m map[string]any, name string) ([]string, bool) {
	arr, ok := m[name].([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// number returns a numeric member of m.
func number(m map[string]any, name string) (float64, bool) {
	f, ok := m[name].(float64)
	return f, ok
}
