package rawjson

// Top returns the raw value of the top-level member key of the JSON object
// obj, or nil and false when there is none. With duplicate names the last
// wins, as in encoding/json. The value aliases obj.
func Top(obj []byte, key string) ([]byte, bool, error) {
	o, err := parseObject(obj)
	if err != nil {
		return nil, false, err
	}
	if _, last := o.find(key); last >= 0 {
		return o.value(last), true, nil
	}
	return nil, false, nil
}

// SetTop returns a copy of the JSON object obj with the top-level member key
// set to the raw JSON value val (surrounding whitespace trimmed). An existing
// member keeps its position and only its value changes (later duplicates are
// dropped); otherwise the member is inserted after the first member named
// after, or at the start when there is none.
func SetTop(obj []byte, key string, val []byte, after string) ([]byte, error) {
	v, err := checkValue(val)
	if err != nil {
		return nil, err
	}
	o, err := parseObject(obj)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(obj)+len(key)+len(v)+4)
	return o.set(out, []field{{key: key, val: v, after: []string{after}}}), nil
}

// DeleteTop returns a copy of the JSON object obj without its top-level
// members named key.
func DeleteTop(obj []byte, key string) ([]byte, error) {
	o, err := parseObject(obj)
	if err != nil {
		return nil, err
	}
	out := make([]outMember, 0, len(o.members))
	for i := range o.members {
		if !o.is(i, key) {
			out = append(out, outMember{orig: i})
		}
	}
	return o.write(make([]byte, 0, len(obj)), out), nil
}

// KeepTop returns a copy of the JSON object obj with only the top-level
// members whose names are true in keys, in their original order. It is the
// core of _elements (FHIR R4 search.html#elements): the caller adds the mandatory
// members (resourceType, id, meta) to keys and tags the result with [AddTag].
func KeepTop(obj []byte, keys map[string]bool) ([]byte, error) {
	o, err := parseObject(obj)
	if err != nil {
		return nil, err
	}
	out := make([]outMember, 0, len(o.members))
	for i := range o.members {
		m := o.members[i]
		var keep bool
		if m.esc {
			keep = keys[unquote(obj[m.ks:m.ke])]
		} else {
			keep = keys[string(obj[m.ks+1:m.ke-1])] // no allocation
		}
		if keep {
			out = append(out, outMember{orig: i})
		}
	}
	return o.write(make([]byte, 0, len(obj)), out), nil
}
