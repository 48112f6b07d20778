package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// object is a JSON object whose members keep their order and their raw
// values, so that a Bundle can be edited (an entry dropped, a URL
// rewritten) without re-encoding the resources it holds, and still
// starts with resourceType.
type object []member

type member struct {
	name  string
	value json.RawMessage
}

var (
	errNotObject = errors.New("not a JSON object")
	// errDuplicate: a member named twice, which FHIR JSON forbids and
	// JSON decoders resolve differently (the first or the last wins).
	errDuplicate = errors.New("a member is named twice")
)

// parseObject decodes one JSON object.
func parseObject(b []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errNotObject
	}
	var o object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		if o.get(name) != nil {
			return nil, errDuplicate
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		o = append(o, member{name, v})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errNotObject
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return o, nil
}

// get returns the value of member name, nil when there is none.
func (o object) get(name string) json.RawMessage {
	for _, m := range o {
		if m.name == name {
			return m.value
		}
	}
	return nil
}

// str returns the value of member name when it is a string.
func (o object) str(name string) string {
	var s string
	if v := o.get(name); v != nil && json.Unmarshal(v, &s) == nil {
		return s
	}
	return ""
}

// set replaces the value of member name, or appends the member.
func (o *object) set(name string, v json.RawMessage) {
	for i := range *o {
		if (*o)[i].name == name {
			(*o)[i].value = v
			return
		}
	}
	*o = append(*o, member{name, v})
}

// setString sets member name to the string s (with & < > as they are:
// URLs are full of &).
func (o *object) setString(name, s string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	o.set(name, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// del removes member name.
func (o *object) del(name string) {
	out := (*o)[:0]
	for _, m := range *o {
		if m.name != name {
			out = append(out, m)
		}
	}
	*o = out
}

// dropVariants removes the members whose names differ from one of names
// only in case: decoders that match names without regard to case (Go's
// encoding/json into a struct) would read them as the member checked.
func (o *object) dropVariants(names ...string) {
	out := (*o)[:0]
	for _, m := range *o {
		variant := false
		for _, n := range names {
			if m.name != n && strings.EqualFold(m.name, n) {
				variant = true
			}
		}
		if !variant {
			out = append(out, m)
		}
	}
	*o = out
}

// bytes encodes the object.
func (o object) bytes() []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(m.name)
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(m.value)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// objects decodes a JSON array of objects (nil for a missing member).
func objects(v json.RawMessage) ([]object, error) {
	if v == nil {
		return nil, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, err
	}
	out := make([]object, len(raw))
	for i, r := range raw {
		o, err := parseObject(r)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

// array encodes objects as a JSON array.
func array(os []object) json.RawMessage {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, o := range os {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(o.bytes())
	}
	buf.WriteByte(']')
	return buf.Bytes()
}
