package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// member is one name/value pair of an object.
type member struct {
	key string
	val any
}

// object is a JSON object whose members keep the order they were added in,
// so that resourceType comes first, as the FHIR specification writes it.
type object []member

// obj builds an object from alternating keys and values. Members whose value is
// an empty string, array or object, or nil, are left out: FHIR R4 JSON
// (json.html) forbids empty values, and this lets optional parts be written inline.
func obj(kv ...any) object {
	if len(kv)%2 != 0 {
		panic("obj: odd number of arguments")
	}
	o := make(object, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		if isEmpty(kv[i+1]) {
			continue
		}
		o = append(o, member{key: kv[i].(string), val: kv[i+1]})
	}
	return o
}

// list builds an array, leaving out empty elements like obj does.
func list(vs ...any) []any {
	out := make([]any, 0, len(vs))
	for _, v := range vs {
		if !isEmpty(v) {
			out = append(out, v)
		}
	}
	return out
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case object:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// errEmpty reports an empty value reaching the encoder, which obj and list
// should have removed.
var errEmpty = errors.New("empty JSON value")

// encode writes v as JSON indented by two spaces, with a final newline.
// Strings are written as UTF-8 without HTML escaping.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := write(&b, v, 0); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func write(b *bytes.Buffer, v any, depth int) error {
	switch v := v.(type) {
	case object:
		if len(v) == 0 {
			return errEmpty
		}
		b.WriteString("{\n")
		for i, m := range v {
			b.WriteString(strings.Repeat("  ", depth+1))
			if err := writeString(b, m.key); err != nil {
				return err
			}
			b.WriteString(": ")
			if err := write(b, m.val, depth+1); err != nil {
				return fmt.Errorf("%s: %w", m.key, err)
			}
			if i < len(v)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteByte('}')
	case []any:
		if len(v) == 0 {
			return errEmpty
		}
		b.WriteString("[\n")
		for i, e := range v {
			b.WriteString(strings.Repeat("  ", depth+1))
			if err := write(b, e, depth+1); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
			if i < len(v)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteByte(']')
	case string:
		return writeString(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return fmt.Errorf("cannot encode %T", v)
	}
	return nil
}

// writeString writes s as a JSON string. Empty strings are refused.
func writeString(b *bytes.Buffer, s string) error {
	if s == "" {
		return errEmpty
	}
	var q bytes.Buffer
	enc := json.NewEncoder(&q)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	b.Write(bytes.TrimSuffix(q.Bytes(), []byte("\n")))
	return nil
}
