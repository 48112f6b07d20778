package conformance

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// maxDumpBody clips each body in a recorded exchange.
const maxDumpBody = 16 << 10

// maxBuffered is how much of a response body the recorder buffers; the
// rest streams through unrecorded.
const maxBuffered = 8 << 20

const redacted = "[redacted]"

// secretParams are form and query parameters whose values never appear
// in a report (RFC 6749, RFC 7521, RFC 7636, RFC 7662, RFC 7009 names).
var secretParams = map[string]bool{
	"password": true, "client_secret": true, "client_assertion": true,
	"code": true, "code_verifier": true, "token": true, "refresh_token": true,
	"access_token": true, "id_token": true, "registration_access_token": true,
}

// secretJSON matches a JSON member holding a secret, keeping its name.
var secretJSON = regexp.MustCompile(`("(?:access_token|refresh_token|id_token|client_secret|registration_access_token|password)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// recorder is an http.RoundTripper that hands a redacted dump of every
// exchange to sink.
type recorder struct {
	next http.RoundTripper
	sink func(Exchange)
}

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if req.GetBody != nil {
			var rc io.ReadCloser
			if rc, err = req.GetBody(); err == nil {
				reqBody, err = io.ReadAll(rc)
				rc.Close()
			}
		} else {
			reqBody, err = io.ReadAll(req.Body)
			req.Body.Close()
			req = req.Clone(req.Context())
			req.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		if err != nil {
			return nil, err
		}
	}
	ex := Exchange{Method: req.Method, URL: redactURL(req.URL), Request: dumpRequest(req, reqBody)}
	resp, err := rec.next.RoundTrip(req)
	if err != nil {
		ex.Response = "error: " + err.Error()
		rec.sink(ex)
		return nil, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBuffered))
	orig := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), orig), orig}
	ex.Status = resp.StatusCode
	ex.Response = dumpResponse(resp, body)
	if rerr != nil {
		ex.Response += "\n[reading the body failed: " + rerr.Error() + "]"
	}
	rec.sink(ex)
	return resp, nil
}

func dumpRequest(req *http.Request, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, redactURL(&url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}), req.URL.Host)
	writeHeaders(&b, req.Header)
	b.WriteString("\r\n")
	b.WriteString(redactBody(req.Header.Get("Content-Type"), body))
	return b.String()
}

func dumpResponse(resp *http.Response, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %s\r\n", resp.Status)
	writeHeaders(&b, resp.Header)
	b.WriteString("\r\n")
	b.WriteString(redactBody(resp.Header.Get("Content-Type"), body))
	return b.String()
}

func writeHeaders(b *strings.Builder, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\r\n", k, redactHeader(k, v))
		}
	}
}

// redactHeader hides credentials: the Authorization value after its
// scheme, cookies entirely, and secrets in a Location URL.
func redactHeader(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		scheme, _, _ := strings.Cut(value, " ")
		return scheme + " " + redacted
	case "Cookie", "Set-Cookie":
		return redacted
	case "Location", "Content-Location":
		if u, err := url.Parse(value); err == nil {
			return redactURL(u)
		}
	}
	return value
}

// redactURL is u with the values of secret query parameters hidden.
func redactURL(u *url.URL) string {
	c := *u
	c.RawQuery = redactPairs(c.RawQuery)
	c.Fragment = ""
	return c.String()
}

// redactPairs hides the values of secret parameters in an
// application/x-www-form-urlencoded string, keeping the rest as sent.
func redactPairs(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && secretParams[name] {
			parts[i] = k + "=" + url.QueryEscape(redacted)
		}
	}
	return strings.Join(parts, "&")
}

// redactBody hides secrets in a form or JSON body and clips it.
func redactBody(contentType string, body []byte) string {
	var s string
	switch {
	case strings.HasPrefix(contentType, "application/x-www-form-urlencoded"):
		s = redactPairs(string(body))
	case strings.Contains(contentType, "json"):
		s = secretJSON.ReplaceAllString(string(body), `$1"`+redacted+`"`)
	default:
		s = string(body)
	}
	if len(s) > maxDumpBody {
		s = s[:maxDumpBody] + fmt.Sprintf("\n[… %d more bytes]", len(s)-maxDumpBody)
	}
	return s
}
