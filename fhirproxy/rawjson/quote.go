package rawjson

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// unquote decodes the valid JSON string literal raw (quotes included) the way
// encoding/json does, replacing invalid UTF-8 and lone surrogates with U+FFFD.
func unquote(raw []byte) string {
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		// Unreachable for input the scanner accepted; keep the bytes.
		return string(body)
	}
	return s
}

const hexDigits = "0123456789abcdef"

// appendString appends s to dst as a JSON string literal. Unlike
// encoding/json.Marshal it leaves <, > and & alone (references such as
// "Patient?name=a&birthdate=b" stay readable); like it, it escapes control
// characters, U+2028 and U+2029, and writes invalid UTF-8 as \ufffd.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// checkValue returns val without surrounding whitespace after checking that
// it is exactly one valid JSON value.
func checkValue(val []byte) ([]byte, error) {
	s := scanner{src: val}
	start, end, err := s.document()
	if err != nil {
		return nil, err
	}
	return val[start:end], nil
}
