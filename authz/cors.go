package authz

import (
	"net/http"
	"strings"
)

// CORS response headers (Fetch Standard, "CORS protocol").
const (
	corsMaxAge = "600"
	// corsExposed are the response headers a browser app may read besides
	// the CORS-safelisted ones: FHIR's Location, ETag and Last-Modified,
	// the OAuth challenge and our request id.
	corsExposed = "Location, Content-Location, ETag, Last-Modified, WWW-Authenticate, X-Request-Id"
	// corsMethods are the methods a preflight may ask for: every method
	// some smartd endpoint answers.
	corsMethods = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
)

// PublicCORS lets any origin read the responses of next with
// "Access-Control-Allow-Origin: *": for the public documents, discovery,
// the JWKS and the FHIR CapabilityStatement (SMART App Launch 2.2,
// "Considerations for CORS support": any origin may read
// .well-known/smart-configuration and metadata).
func PublicCORS(next http.Handler) http.Handler {
	return cors(nil, next)
}

// RegisteredCORS lets a browser read the responses of next only from an
// origin that allowed accepts (Origins.Allowed: the origin of a registered
// app), echoing it with Vary: Origin; other origins get no CORS headers
// and the browser withholds the response. Error responses carry the
// headers too, so that an app can read the OAuth error.
func RegisteredCORS(allowed func(origin string) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return cors(allowed, next) }
}

// cors answers preflight requests itself, before next and so before any
// authentication (a preflight never carries credentials), and adds the
// CORS headers to every other response. allowed nil means any origin.
func cors(allowed func(string) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
		ok := origin != "" && (allowed == nil || origin != "null" && allowed(origin))
		if allowed != nil {
			h.Add("Vary", "Origin")
		}
		if ok {
			if allowed == nil {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
		}
		if !preflight {
			if ok {
				h.Set("Access-Control-Expose-Headers", corsExposed)
			}
			next.ServeHTTP(w, r)
			return
		}
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		if ok {
			h.Set("Access-Control-Allow-Methods", corsMethods)
			if hs := requestedHeaders(r.Header.Get("Access-Control-Request-Headers")); hs != "" {
				h.Set("Access-Control-Allow-Headers", hs)
			}
			h.Set("Access-Control-Max-Age", corsMaxAge)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// requestedHeaders returns the header names a preflight asks for, if
// every one is a valid field name; "" otherwise. Echoing them is safe:
// smartd never allows credentials (cookies) cross-origin, and every
// endpoint authenticates what it receives.
func requestedHeaders(list string) string {
	var names []string
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !isToken(name) {
			return ""
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// isToken reports whether s is an RFC 9110 §5.6.2 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}
