package rawjson

import "fmt"

// member locates one member of an object: its raw key src[ks:ke], quotes
// included (esc when the key holds an escape), and its value src[vs:ve].
type member struct {
	ks, ke int
	esc    bool
	vs, ve int
}

// object is the layout of a JSON object document: the members of its top
// level, in order, with every nested value already validated.
type object struct {
	src         []byte
	open, close int // indexes of the '{' and the '}'
	members     []member
}

// parseObject validates src as one JSON object, optionally surrounded by
// whitespace, and records the extent of its top-level members.
func parseObject(src []byte) (object, error) {
	s := scanner{src: src}
	i := s.skipSpace(0)
	if i >= len(src) || src[i] != '{' {
		if _, _, err := s.document(); err != nil {
			return object{}, err
		}
		return object{}, fmt.Errorf("%w: want an object, have %.20q", ErrWrongType, src[i:])
	}
	o := object{src: src, open: i, members: make([]member, 0, 24)}
	i = s.skipSpace(i + 1)
	if i < len(src) && src[i] == '}' {
		o.close = i
	} else {
		for {
			if i >= len(src) || src[i] != '"' {
				return object{}, syntaxError(i)
			}
			m := member{ks: i}
			var err error
			if m.ke, m.esc, err = s.str(i); err != nil {
				return object{}, err
			}
			i = s.skipSpace(m.ke)
			if i >= len(src) || src[i] != ':' {
				return object{}, syntaxError(i)
			}
			m.vs = s.skipSpace(i + 1)
			if m.ve, err = s.value(m.vs, 1); err != nil {
				return object{}, err
			}
			o.members = append(o.members, m)
			i = s.skipSpace(m.ve)
			if i < len(src) && src[i] == ',' {
				i = s.skipSpace(i + 1)
				continue
			}
			if i >= len(src) || src[i] != '}' {
				return object{}, syntaxError(i)
			}
			o.close = i
			break
		}
	}
	if j := s.skipSpace(o.close + 1); j != len(src) {
		return object{}, syntaxError(j)
	}
	return o, nil
}

// is reports whether member i is named key.
func (o *object) is(i int, key string) bool {
	m := o.members[i]
	if !m.esc {
		return string(o.src[m.ks+1:m.ke-1]) == key
	}
	return unquote(o.src[m.ks:m.ke]) == key
}

// find returns the indexes of the first and last members named key, or -1, -1.
func (o *object) find(key string) (first, last int) {
	first, last = -1, -1
	for i := range o.members {
		if o.is(i, key) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last
}

// value returns the raw value of member i.
func (o *object) value(i int) []byte {
	return o.src[o.members[i].vs:o.members[i].ve]
}

// outMember is one member of an object being written: an original member
// (orig >= 0, with its value replaced when val is not nil) or a new one
// (orig < 0) named key.
type outMember struct {
	orig int
	key  string
	val  []byte
}

// write appends the object made of out to dst. It keeps the bytes before the
// first member and after the last, and gives every original member the
// separator (comma and whitespace) that preceded it; new members borrow the
// separator and the key-value spacing of the first members, so pretty input
// stays roughly pretty.
func (o *object) write(dst []byte, out []outMember) []byte {
	src, ms := o.src, o.members
	if len(out) == 0 {
		dst = append(dst, src[:o.open+1]...)
		return append(dst, src[o.close:]...)
	}
	sep, colon := []byte(","), []byte(":")
	if len(ms) > 0 {
		colon = src[ms[0].ke:ms[0].vs]
	}
	if len(ms) > 1 {
		sep = src[ms[0].ve:ms[1].ks]
	}
	head, tail := o.close, o.close
	if len(ms) > 0 {
		head, tail = ms[0].ks, ms[len(ms)-1].ve
	}
	dst = append(dst, src[:head]...)
	for j, om := range out {
		if j > 0 {
			if om.orig > 0 {
				dst = append(dst, src[ms[om.orig-1].ve:ms[om.orig].ks]...)
			} else {
				dst = append(dst, sep...)
			}
		}
		switch {
		case om.orig < 0:
			dst = appendString(dst, om.key)
			dst = append(dst, colon...)
			dst = append(dst, om.val...)
		case om.val == nil:
			m := ms[om.orig]
			dst = append(dst, src[m.ks:m.ve]...)
		default:
			m := ms[om.orig]
			dst = append(dst, src[m.ks:m.vs]...)
			dst = append(dst, om.val...)
		}
	}
	return append(dst, src[tail:]...)
}

// field is a member to set: its raw value, and where to insert it when the
// object lacks it, after the first of the members named in after that is
// present, else at the end when atEnd, else at the start.
type field struct {
	key   string
	val   []byte
	after []string
	atEnd bool
}

// set appends to dst the object with every field set: the first member of
// each field's name gets the new value in place, later ones are dropped, and
// absent fields are inserted in order (so a field may follow one inserted
// before it).
func (o *object) set(dst []byte, fields []field) []byte {
	out := make([]outMember, 0, len(o.members)+len(fields))
	var buf [4]bool // fields are few: SetMeta sets two
	found := append(buf[:0], make([]bool, len(fields))...)
members:
	for i := range o.members {
		for f := range fields {
			if o.is(i, fields[f].key) {
				if !found[f] {
					found[f] = true
					out = append(out, outMember{orig: i, val: fields[f].val})
				}
				continue members
			}
		}
		out = append(out, outMember{orig: i})
	}
	for f, fl := range fields {
		if found[f] {
			continue
		}
		at := 0
		if fl.atEnd {
			at = len(out)
		}
	after:
		for _, name := range fl.after {
			for j, om := range out {
				if om.orig < 0 && om.key == name || om.orig >= 0 && o.is(om.orig, name) {
					at = j + 1
					break after
				}
			}
		}
		out = append(out, outMember{})
		copy(out[at+1:], out[at:])
		out[at] = outMember{orig: -1, key: fl.key, val: fl.val}
	}
	return o.write(dst, out)
}
