package scope

import "strings"

// String prints s in the style it was written: the same URI prefix, a v1
// suffix for a v1 scope (as long as its permissions are rs, cud or cruds),
// v2 letters in "cruds" order, and granular parameters and roles exactly as
// written. For every token t that Parse understands, Parse(t)[0].String()
// == t. A KindOther scope prints its Text.
func (s Scope) String() string {
	if s.Kind == KindOther {
		return s.Text
	}
	var b strings.Builder
	b.WriteString(s.Prefix)
	switch s.Kind {
	case KindResource:
		b.WriteString(s.Context.String())
		b.WriteByte('/')
		b.WriteString(s.ResourceType)
		b.WriteByte('.')
		b.WriteString(s.suffix())
		for i, p := range s.Params {
			if i == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			b.WriteString(p.String())
		}
	case KindLaunch:
		b.WriteString("launch")
		if s.Launch != "" {
			b.WriteByte('/')
			b.WriteString(s.Launch)
		}
		if r := s.roleText(); r != "" {
			b.WriteString("?role=")
			b.WriteString(r)
		}
	default:
		b.WriteString(s.Kind.String())
	}
	return b.String()
}

// suffix returns the permission suffix without the dot.
func (s Scope) suffix() string {
	if s.Syntax == V1 {
		switch s.Perms {
		case v1Read:
			return "read"
		case v1Write:
			return "write"
		case AllPerms:
			return "*"
		}
	}
	return s.Perms.String()
}

// v1Expressible reports whether p has a v1 spelling.
func v1Expressible(p Perms) bool { return p == v1Read || p == v1Write || p == AllPerms }

// roleText returns the role as written, or escaped from Role when the scope
// was built by hand.
func (s Scope) roleText() string {
	if s.roleRaw != "" {
		return s.roleRaw
	}
	return escape(s.Role, false)
}

// String returns the parameter as written ("category=...|laboratory"). A
// Param built by hand is printed with '%', '&', '#', spaces and non-ASCII
// escaped (and '=' in the name); '|', ':', '/' and '+' are left alone.
func (p Param) String() string {
	if p.raw != "" {
		return p.raw
	}
	return escape(p.Name, true) + "=" + escape(p.Value, false)
}

// String joins the scopes with single spaces: the scope parameter or the
// token response's scope field.
func (set Set) String() string {
	parts := make([]string, len(set))
	for i, s := range set {
		parts[i] = s.String()
	}
	return strings.Join(parts, " ")
}

// escape percent-encodes what cannot appear literally in a granular
// parameter: bytes that are not NQCHAR, and '%', '&', '#' (and '=' in a
// name).
func escape(s string, name bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if nqchar(c) && c != '%' && c != '&' && c != '#' && (!name || c != '=') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
