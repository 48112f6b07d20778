package scope

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrMalformed is wrapped by every error Parse returns: the scope string is
// not a space-separated list of RFC 6749 §3.3 scope tokens. An
// authorization server answers it with invalid_scope.
var ErrMalformed = errors.New("scope: malformed scope string")

// Parse parses a scope parameter (RFC 6749 §3.3): tokens separated by
// spaces. Runs of spaces and leading or trailing spaces are tolerated; a
// token that repeats an earlier one exactly is dropped; the order is kept.
// The empty string is the empty Set.
//
// Every token becomes a Scope. A token this package does not define, or
// one that looks like a SMART scope but breaks its grammar
// (`patient/Observation.dus`, `patient/Observation.rs?`), is kept as
// KindOther so that a server can grant what it knows and report the rest
// (Set.Unknown). Parse fails only when a byte is not allowed in a scope
// token: control characters (tab and newline included), DEL, '"', '\' and
// anything outside ASCII.
func Parse(s string) (Set, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && !nqchar(c) {
			return nil, fmt.Errorf("%w: byte %#02x at offset %d is not allowed in a scope token", ErrMalformed, c, i)
		}
	}
	var set Set
	seen := make(map[string]bool)
	for tok := range strings.SplitSeq(s, " ") {
		if tok == "" || seen[tok] {
			continue
		}
		seen[tok] = true
		set = append(set, parseToken(tok))
	}
	return set, nil
}

// nqchar reports whether c is an RFC 6749 NQCHAR: %x21 / %x23-5B / %x5D-7E.
func nqchar(c byte) bool {
	return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\'
}

// parseToken parses one non-empty token of NQCHARs.
func parseToken(tok string) Scope {
	prefix, rest := "", tok
	switch {
	case strings.HasPrefix(tok, SMARTPrefix):
		prefix, rest = SMARTPrefix, tok[len(SMARTPrefix):]
	case strings.HasPrefix(tok, OpenIDPrefix):
		prefix, rest = OpenIDPrefix, tok[len(OpenIDPrefix):]
	}
	s := parseShort(rest)
	if prefix == "" {
		if s.Kind == KindOther {
			s.Text = tok
		}
		return s
	}
	if s.Kind == KindOther {
		if s.Problem == "" {
			s.Problem = "not a scope that " + prefix + " may precede"
		}
		return other(tok, s.Problem)
	}
	if prefix == OpenIDPrefix && s.Kind != KindOpenID && s.Kind != KindProfile && s.Kind != KindOfflineAccess {
		return other(tok, rest+" is not an OpenID Connect scope")
	}
	s.Prefix = prefix
	return s
}

func other(text, problem string) Scope {
	return Scope{Kind: KindOther, Text: text, Problem: problem}
}

// parseShort parses a token without URI prefix. For KindOther results the
// caller sets Text.
func parseShort(tok string) Scope {
	switch tok {
	case "openid":
		return Scope{Kind: KindOpenID}
	case "fhirUser":
		return Scope{Kind: KindFHIRUser}
	case "profile":
		return Scope{Kind: KindProfile}
	case "offline_access":
		return Scope{Kind: KindOfflineAccess}
	case "online_access":
		return Scope{Kind: KindOnlineAccess}
	case "launch":
		return Scope{Kind: KindLaunch}
	}
	if rest, ok := strings.CutPrefix(tok, "launch/"); ok {
		return parseLaunch(tok, rest)
	}
	for c := ContextPatient; c <= ContextSystem; c++ {
		if rest, ok := strings.CutPrefix(tok, c.String()+"/"); ok {
			return parseResource(tok, c, rest)
		}
	}
	return Scope{Kind: KindOther}
}

// parseLaunch parses what follows "launch/": a lowercase type and an
// optional ?role=<uri> (SMART App Launch 2.2, "Scopes for requesting
// context data").
func parseLaunch(tok, rest string) Scope {
	typ, query, hasQuery := strings.Cut(rest, "?")
	if !isLower(typ) {
		return other(tok, fmt.Sprintf("launch type %q is not a lowercase resource type name", typ))
	}
	s := Scope{Kind: KindLaunch, Launch: typ}
	if !hasQuery {
		return s
	}
	p, problem := parseParam(query)
	if problem != "" {
		return other(tok, problem)
	}
	if p.Name != "role" || strings.Contains(query, "&") {
		return other(tok, fmt.Sprintf("launch scopes take only ?role=, not %q", query))
	}
	s.Role, s.roleRaw = p.Value, p.raw[len("role="):]
	return s
}

// parseResource parses what follows "patient/", "user/" or "system/":
// Type.perms[?param=value&...] (SMART App Launch 2.2, "Clinical Scope
// Syntax").
func parseResource(tok string, c Context, rest string) Scope {
	head, query, hasQuery := strings.Cut(rest, "?")
	typ, suffix, ok := strings.Cut(head, ".")
	if !ok {
		return other(tok, "missing the .permissions suffix after the resource type")
	}
	if typ != "*" && !isTypeName(typ) {
		return other(tok, fmt.Sprintf("resource type %q is neither a FHIR type name nor *", typ))
	}
	perms, syntax, ok := parsePerms(suffix)
	if !ok {
		return other(tok, fmt.Sprintf("permissions %q are neither an ordered subset of cruds nor read, write or *", suffix))
	}
	s := Scope{Kind: KindResource, Context: c, ResourceType: typ, Perms: perms, Syntax: syntax}
	if !hasQuery {
		return s
	}
	if query == "" {
		return other(tok, "empty granular query after ?")
	}
	for part := range strings.SplitSeq(query, "&") {
		p, problem := parseParam(part)
		if problem != "" {
			return other(tok, problem)
		}
		s.Params = append(s.Params, p)
	}
	return s
}

// parsePerms parses a v2 suffix (an ordered, non-empty subset of "cruds")
// or a v1 suffix.
func parsePerms(suffix string) (Perms, Syntax, bool) {
	switch suffix {
	case "read":
		return v1Read, V1, true
	case "write":
		return v1Write, V1, true
	case "*":
		return AllPerms, V1, true
	case "":
		return 0, V2, false
	}
	var p Perms
	next := 0 // index in interactions the next letter may take
	for i := 0; i < len(suffix); i++ {
		found := false
		for ; next < len(interactions); next++ {
			if interactions[next].letter == suffix[i] {
				p |= Perms(interactions[next].i)
				next++
				found = true
				break
			}
		}
		if !found {
			return 0, V2, false
		}
	}
	return p, V2, true
}

// parseParam parses one name=value item. Escapes follow URL query rules
// except that '+' stays '+'. It returns a problem description on failure.
func parseParam(item string) (Param, string) {
	rawName, rawValue, ok := strings.Cut(item, "=")
	if !ok || rawName == "" || rawValue == "" {
		return Param{}, fmt.Sprintf("granular parameter %q is not name=value", item)
	}
	name, err1 := url.PathUnescape(rawName)
	value, err2 := url.PathUnescape(rawValue)
	if err1 != nil || err2 != nil {
		return Param{}, fmt.Sprintf("granular parameter %q has a bad %%-escape", item)
	}
	if hasControl(name) || hasControl(value) {
		return Param{}, fmt.Sprintf("granular parameter %q decodes to a control character", item)
	}
	return Param{Name: name, Value: value, raw: item}, ""
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// isTypeName reports whether s looks like a FHIR resource type name: an
// ASCII capital letter followed by letters and digits.
func isTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isLower(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
