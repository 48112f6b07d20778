package signin

import (
	"net/url"
	"path"
	"strings"
)

// SafeNext returns next when it is a path of this site below within (a
// path ending in "/", such as "/base/ehr/"), in its own clean form, and ""
// otherwise: never another host, a scheme, a backslash or a control
// character, dot segments or doubled slashes (also percent-encoded,
// which browsers resolve too). It keeps sign-in redirects on the site
// (RFC 9700 §4.11, open redirectors).
func SafeNext(next, within string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") || !strings.HasPrefix(u.Path, within) {
		return ""
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if clean != u.Path {
		return ""
	}
	return next
}
