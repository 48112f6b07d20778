package search

import (
	"slices"
	"strings"
)

// supportedModifiers are the modifiers each parameter type accepts, besides
// :missing and (for references) a resource type.
var supportedModifiers = map[ParamType][]string{
	Token:     {"", "not"},
	String:    {"", "exact", "contains"},
	Date:      {""},
	Reference: {""},
}

// emptyValue refuses a parameter without a value. R4 search.html#errors:
// "Empty parameters are not an error - they are just ignored by the
// server."
func emptyValue() *refusal { return &refusal{reason: "empty value", empty: true} }

// criterion parses one occurrence of a parameter: its modifier and its
// comma-separated values.
func criterion(def Definition, mod, raw string) (Criterion, *refusal) {
	c := Criterion{Param: def, Modifier: mod}
	if raw == "" {
		return c, emptyValue()
	}
	if mod == "missing" { // R4 search, "Modifiers"
		switch raw {
		case "true", "false":
			c.Values = []Value{{Missing: raw == "true"}}
			return c, nil
		}
		return c, malformedf(":missing takes true or false, not %q", raw)
	}
	typeMod := def.Type == Reference && isTypeName(mod)
	if typeMod {
		if r := checkTarget(def, mod); r != nil {
			return c, r
		}
	} else if !slices.Contains(supportedModifiers[def.Type], mod) {
		return c, unsupportedf("modifier :%s is not supported on %s parameters", mod, def.Type)
	}
	for _, part := range splitEscaped(raw, ',') {
		if part == "" {
			continue
		}
		v, r := parseValue(def, mod, part)
		if r != nil {
			return c, r
		}
		c.Values = append(c.Values, v)
	}
	if len(c.Values) == 0 {
		return c, emptyValue()
	}
	return c, nil
}

// parseValue parses one of the ORed values, escapes still in place.
func parseValue(def Definition, mod, part string) (Value, *refusal) {
	switch def.Type {
	case Token:
		return tokenValue(part)
	case String:
		t := unescape(part)
		return Value{Norm: Normalize(t), Text: t}, nil
	case Date:
		return dateValue(unescape(part))
	case Reference:
		ref, r := referenceValue(unescape(part), mod)
		return Value{Ref: ref}, r
	}
	return Value{}, unsupportedf("%s parameters are not supported", def.Type)
}

// tokenValue reads "code", "system|code", "|code" or "system|" (R4
// search.html#token).
func tokenValue(part string) (Value, *refusal) {
	pieces := splitEscaped(part, '|')
	switch len(pieces) {
	case 1:
		return Value{Code: unescape(pieces[0])}, nil
	case 2:
		v := Value{System: unescape(pieces[0]), HasSystem: true, Code: unescape(pieces[1])}
		if v.System == "" && v.Code == "" {
			return v, malformedf("token %q has neither a system nor a code", part)
		}
		return v, nil
	}
	return Value{}, malformedf("token %q has more than one unescaped '|'", part)
}

// datePrefixes are the R4 search "Prefixes" the server evaluates; "ap"
// (approximately) is the one it does not.
var datePrefixes = []string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb"}

// dateValue reads [prefix]date. Since an unencoded '+' in a query string
// decodes to a space, a space where a time zone sign belongs is read as
// '+'.
func dateValue(s string) (Value, *refusal) {
	v := Value{Prefix: "eq"}
	if len(s) >= 2 && isLower(s[0]) && isLower(s[1]) {
		p := s[:2]
		switch {
		case p == "ap":
			return v, unsupportedf("prefix ap is not supported")
		case !slices.Contains(datePrefixes, p):
			return v, malformedf("unknown prefix %q", p)
		}
		v.Prefix, s = p, s[2:]
	}
	if len(s) > 10 {
		if i := strings.LastIndexByte(s, ' '); i > 10 {
			s = s[:i] + "+" + s[i+1:]
		}
	}
	lo, hi, ok := DateRange(s)
	if !ok {
		return v, malformedf("%q is not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm])", s)
	}
	v.Lo, v.Hi = lo, hi
	return v, nil
}

// referenceValue reads "Type/id", a bare "id", or an absolute URL (kept as
// written) under an optional type modifier (R4 search.html#reference). A "/_history/n"
// suffix is dropped from relative references, as the index drops it.
func referenceValue(s, typeMod string) (string, *refusal) {
	if strings.Contains(s, "://") {
		return s, nil
	}
	s = stripHistory(s)
	if typ, id, ok := strings.Cut(s, "/"); ok {
		if !isTypeName(typ) || !isID(id) {
			return "", malformedf("%q is not a reference (Type/id, id or an absolute URL)", s)
		}
		if typeMod != "" && typ != typeMod {
			return "", malformedf("reference %q does not match modifier :%s", s, typeMod)
		}
		return s, nil
	}
	if !isID(s) {
		return "", malformedf("%q is not a resource id", s)
	}
	if typeMod != "" {
		return typeMod + "/" + s, nil
	}
	return s, nil
}

// splitEscaped splits s at each sep not preceded by a backslash, leaving
// escapes in place (R4 search, "Escaping Search Parameters").
func splitEscaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unescape removes the backslash of "\,", "\|", "\$" and "\\".
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`,|$\`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
