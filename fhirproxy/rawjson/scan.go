package rawjson

import "fmt"

// maxDepth bounds nesting like encoding/json does, so that hostile input
// cannot grow the stack without limit.
const maxDepth = 10000

// strSpecial marks the bytes that end the fast loop inside a string: the
// closing quote, the escape character and the control characters JSON
// forbids unescaped (RFC 8259 §7).
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'] = true
	t['\\'] = true
	return t
}()

// isSpace reports JSON insignificant whitespace (RFC 8259 §2).
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// syntaxError reports invalid JSON at offset i.
func syntaxError(i int) error {
	return fmt.Errorf("%w at offset %d", ErrSyntax, i)
}

// scanner validates JSON and finds the extent of values without decoding.
type scanner struct {
	src []byte
	// onRef, when set, is called with the extent src[vs:ve] of the string
	// value of every member named "reference", in document order.
	onRef func(vs, ve int) error
}

// skipSpace returns the index of the first non-space byte at or after i.
func (s *scanner) skipSpace(i int) int {
	for i < len(s.src) && isSpace(s.src[i]) {
		i++
	}
	return i
}

// document scans src as one JSON value surrounded by optional whitespace and
// returns the value's start and end.
func (s *scanner) document() (start, end int, err error) {
	start = s.skipSpace(0)
	end, err = s.value(start, 0)
	if err != nil {
		return 0, 0, err
	}
	if j := s.skipSpace(end); j != len(s.src) {
		return 0, 0, syntaxError(j)
	}
	return start, end, nil
}

// value scans the value starting exactly at i and returns the index just past
// it.
func (s *scanner) value(i, depth int) (int, error) {
	if i >= len(s.src) {
		return 0, syntaxError(i)
	}
	switch c := s.src[i]; {
	case c == '"':
		end, _, err := s.str(i)
		return end, err
	case c == '{':
		return s.object(i, depth+1)
	case c == '[':
		return s.array(i, depth+1)
	case c == '-' || isDigit(c):
		return s.number(i)
	case c == 't':
		return s.literal(i, "true")
	case c == 'f':
		return s.literal(i, "false")
	case c == 'n':
		return s.literal(i, "null")
	}
	return 0, syntaxError(i)
}

func (s *scanner) literal(i int, lit string) (int, error) {
	if len(s.src)-i < len(lit) || string(s.src[i:i+len(lit)]) != lit {
		return 0, syntaxError(i)
	}
	return i + len(lit), nil
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (RFC 8259 §6).
func (s *scanner) number(i int) (int, error) {
	src := s.src
	if src[i] == '-' {
		i++
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case i < len(src) && isDigit(src[i]):
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	default:
		return 0, syntaxError(i)
	}
	if i < len(src) && src[i] == '.' {
		i++
		if i >= len(src) || !isDigit(src[i]) {
			return 0, syntaxError(i)
		}
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= len(src) || !isDigit(src[i]) {
			return 0, syntaxError(i)
		}
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	return i, nil
}

// str scans the string whose opening quote is at i and returns the index just
// past the closing quote, and whether it holds an escape. Like
// encoding/json.Valid it does not check UTF-8.
func (s *scanner) str(i int) (end int, esc bool, err error) {
	src := s.src
	i++
	for {
		for i < len(src) && !strSpecial[src[i]] {
			i++
		}
		if i >= len(src) {
			return 0, false, syntaxError(i)
		}
		switch src[i] {
		case '"':
			return i + 1, esc, nil
		case '\\':
			esc = true
			if i+1 >= len(src) {
				return 0, false, syntaxError(i)
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(src)-i < 6 || !isHex(src[i+2]) || !isHex(src[i+3]) || !isHex(src[i+4]) || !isHex(src[i+5]) {
					return 0, false, syntaxError(i)
				}
				i += 6
			default:
				return 0, false, syntaxError(i)
			}
		default: // an unescaped control character
			return 0, false, syntaxError(i)
		}
	}
}

// object scans the object whose '{' is at i.
func (s *scanner) object(i, depth int) (int, error) {
	if depth > maxDepth {
		return 0, fmt.Errorf("%w at offset %d", ErrTooDeep, i)
	}
	src := s.src
	i = s.skipSpace(i + 1)
	if i < len(src) && src[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(src) || src[i] != '"' {
			return 0, syntaxError(i)
		}
		ks := i
		ke, esc, err := s.str(i)
		if err != nil {
			return 0, err
		}
		i = s.skipSpace(ke)
		if i >= len(src) || src[i] != ':' {
			return 0, syntaxError(i)
		}
		vs := s.skipSpace(i + 1)
		ve, err := s.value(vs, depth)
		if err != nil {
			return 0, err
		}
		if s.onRef != nil && src[vs] == '"' && isReferenceKey(src[ks:ke], esc) {
			if err := s.onRef(vs, ve); err != nil {
				return 0, err
			}
		}
		i = s.skipSpace(ve)
		if i >= len(src) {
			return 0, syntaxError(i)
		}
		switch src[i] {
		case ',':
			i = s.skipSpace(i + 1)
		case '}':
			return i + 1, nil
		default:
			return 0, syntaxError(i)
		}
	}
}

// array scans the array whose '[' is at i.
func (s *scanner) array(i, depth int) (int, error) {
	if depth > maxDepth {
		return 0, fmt.Errorf("%w at offset %d", ErrTooDeep, i)
	}
	src := s.src
	i = s.skipSpace(i + 1)
	if i < len(src) && src[i] == ']' {
		return i + 1, nil
	}
	for {
		end, err := s.value(i, depth)
		if err != nil {
			return 0, err
		}
		i = s.skipSpace(end)
		if i >= len(src) {
			return 0, syntaxError(i)
		}
		switch src[i] {
		case ',':
			i = s.skipSpace(i + 1)
		case ']':
			return i + 1, nil
		default:
			return 0, syntaxError(i)
		}
	}
}

// isReferenceKey reports whether the raw key (quotes included) names
// "reference", however it is escaped.
func isReferenceKey(raw []byte, esc bool) bool {
	if !esc {
		return string(raw) == `"reference"`
	}
	return unquote(raw) == "reference"
}
