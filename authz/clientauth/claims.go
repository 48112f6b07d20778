package clientauth

import (
	"math"
	"time"
)

// maxAssertionLifetime is how far ahead an assertion's exp may be: SMART
// Backend Services, "Protocol details": "no more than five minutes in the
// future". Inferno sends exactly now + 300 s.
const maxAssertionLifetime = 5 * time.Minute

// maxJTI bounds the jti, which is echoed in error descriptions and
// digested into the replay cache (Inferno sends 64 hex characters).
const maxJTI = 255

// claims are an assertion's claims, read by their exact names (RFC 7519
// §4.1).
type claims map[string]any

// str returns a string claim; ok is false if it is present but not a
// string.
func (c claims) str(name string) (string, bool) {
	v, present := c[name]
	if !present {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}

// issuer checks iss and sub (RFC 7523 §3: both the client_id) and a
// client_id form parameter, and returns the client_id.
func (c claims) issuer(formID string) (string, error) {
	iss, ok := c.str("iss")
	switch {
	case !ok:
		return "", invalidClient("assertion iss is not a string; it must be the client_id")
	case iss == "":
		return "", invalidClient("assertion has no iss; iss and sub must both be the client_id (RFC 7523 §3)")
	}
	sub, ok := c.str("sub")
	switch {
	case !ok:
		return "", invalidClient("assertion sub is not a string; it must be the client_id")
	case sub == "":
		return "", invalidClient("assertion has no sub; iss and sub must both be the client_id (RFC 7523 §3)")
	case sub != iss:
		return "", invalidClient("assertion iss %s and sub %s differ; both must be the client_id (RFC 7523 §3)", quote(iss), quote(sub))
	case formID != "" && formID != iss:
		return "", invalidClient("client_id %s in the request body differs from the assertion's iss %s", quote(formID), quote(iss))
	}
	return iss, nil
}

// audience checks that aud, a string or an array of strings (RFC 7519
// §4.1.3), names one of the endpoint's audiences.
func (c claims) audience(audiences []string) error {
	want := "use the token endpoint URL " + quote(audiences[0])
	if len(audiences) > 1 {
		want = "use one of " + audienceList(audiences)
	}
	v, present := c["aud"]
	if !present {
		return invalidClient("assertion has no aud; %s", want)
	}
	var auds []string
	switch v := v.(type) {
	case string:
		auds = []string{v}
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return invalidClient("assertion aud must be a string or an array of strings; %s", want)
			}
			auds = append(auds, s)
		}
	default:
		return invalidClient("assertion aud must be a string or an array of strings; %s", want)
	}
	if len(auds) == 0 {
		return invalidClient("assertion aud is an empty array; %s", want)
	}
	if !containsAny(auds, audiences) {
		return invalidClient("assertion aud %s does not name this endpoint; %s", audienceList(auds), want)
	}
	return nil
}

// times checks exp, nbf and iat against now with leeway for clock skew,
// and returns when a record of this assertion's jti may be forgotten: once
// exp + leeway has passed, the assertion is refused as expired anyway.
func (c claims) times(now time.Time, leeway time.Duration) (time.Time, error) {
	exp, present, ok := c.date("exp")
	switch {
	case !present:
		return time.Time{}, invalidClient("assertion has no exp; SMART requires one at most %d s ahead", secs(maxAssertionLifetime))
	case !ok:
		return time.Time{}, invalidClient("assertion exp is not a number (a NumericDate, RFC 7519 §2)")
	case now.Sub(exp) > leeway:
		return time.Time{}, invalidClient("assertion expired %d s ago (exp %s); sign a new assertion for each request",
			secs(now.Sub(exp)), exp.UTC().Format(time.RFC3339))
	case exp.Sub(now) > maxAssertionLifetime+leeway:
		return time.Time{}, invalidClient("assertion exp is %d s ahead; at most %d s is allowed (plus %d s for clock skew)",
			secs(exp.Sub(now)), secs(maxAssertionLifetime), secs(leeway))
	}
	for _, name := range []string{"nbf", "iat"} {
		t, present, ok := c.date(name)
		switch {
		case !present:
		case !ok:
			return time.Time{}, invalidClient("assertion %s is not a number (a NumericDate, RFC 7519 §2)", name)
		case t.Sub(now) > leeway:
			return time.Time{}, invalidClient("assertion %s is %d s in the future; check the client's clock", name, secs(t.Sub(now)))
		}
	}
	return exp.Add(leeway), nil
}

// id returns the jti, which SMART requires (RFC 7523 §3 makes it optional).
func (c claims) id() (string, error) {
	jti, ok := c.str("jti")
	switch {
	case !ok:
		return "", invalidClient("assertion jti is not a string")
	case jti == "":
		return "", invalidClient("assertion has no jti; SMART requires a new, unique jti in every assertion")
	case len(jti) > maxJTI:
		return "", invalidClient("assertion jti is %d bytes long; at most %d are accepted", len(jti), maxJTI)
	}
	return jti, nil
}

// maxDate keeps absurd NumericDates inside time.Time's range: year 5138.
const maxDate = 1e11

// date returns a NumericDate claim: seconds since the epoch, possibly
// fractional (RFC 7519 §2).
func (c claims) date(name string) (t time.Time, present, ok bool) {
	v, present := c[name]
	if !present {
		return time.Time{}, false, false
	}
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) {
		return time.Time{}, true, false
	}
	f = max(-maxDate, min(f, maxDate))
	whole, frac := math.Modf(f)
	return time.Unix(int64(whole), int64(frac*1e9)), true, true
}

// secs rounds d to whole seconds for a description.
func secs(d time.Duration) int64 {
	return int64(d.Round(time.Second) / time.Second)
}
