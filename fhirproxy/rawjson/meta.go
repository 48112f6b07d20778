package rawjson

import (
	"fmt"
	"time"
)

// instantLayout is a FHIR instant (FHIR R4 datatypes.html#instant) in UTC with
// milliseconds, e.g. 2026-11-23T03:30:16.123Z.
const instantLayout = "2006-01-02T15:04:05.000Z07:00"

// FormatInstant formats t for meta.lastUpdated: a FHIR instant in UTC with
// milliseconds, e.g. 2026-11-23T03:30:16.123Z.
func FormatInstant(t time.Time) string {
	return t.UTC().Format(instantLayout)
}

// SetMeta returns a copy of the resource obj with id, meta.versionId and
// meta.lastUpdated set (FHIR R4 resource.html#Meta). lastUpdated is written as given;
// make it with [FormatInstant]. An existing id or meta keeps its position,
// otherwise id is inserted after resourceType (or first) and meta after id.
// Inside meta, the other members (profile, security, tag, source, extension)
// stay as and where they were; versionId and lastUpdated are replaced in
// place or else appended. A meta that is not an object is an [ErrWrongType].
func SetMeta(obj []byte, id, versionID, lastUpdated string) ([]byte, error) {
	o, err := parseObject(obj)
	if err != nil {
		return nil, err
	}
	metaFields := []field{
		{key: "versionId", val: appendString(nil, versionID), atEnd: true},
		{key: "lastUpdated", val: appendString(nil, lastUpdated), atEnd: true},
	}
	var meta []byte
	if _, last := o.find("meta"); last >= 0 {
		mo, err := parseObject(o.value(last))
		if err != nil {
			return nil, fmt.Errorf("meta: %w", err)
		}
		meta = mo.set(make([]byte, 0, len(mo.src)+64), metaFields)
	} else {
		meta = (&object{src: []byte("{}"), open: 0, close: 1}).set(make([]byte, 0, 96), metaFields)
	}
	out := make([]byte, 0, len(obj)+len(id)+len(meta)+32)
	return o.set(out, []field{
		{key: "id", val: appendString(nil, id), after: []string{"resourceType"}},
		{key: "meta", val: meta, after: []string{"id"}},
	}), nil
}

// AddTag returns a copy of the resource obj with the Coding {system, code}
// appended to meta.tag (FHIR R4 resource.html#Meta), creating meta.tag, or meta after
// id (else after resourceType, else first), as needed. An empty system or code
// is left out of the Coding. When meta.tag already holds a Coding with the
// same system and code, the copy is unchanged. A meta that is not an object,
// or a meta.tag that is not an array, is an [ErrWrongType].
func AddTag(obj []byte, system, code string) ([]byte, error) {
	o, err := parseObject(obj)
	if err != nil {
		return nil, err
	}
	coding := []byte{'{'}
	if system != "" {
		coding = appendString(append(coding, `"system":`...), system)
	}
	if code != "" {
		if system != "" {
			coding = append(coding, ',')
		}
		coding = appendString(append(coding, `"code":`...), code)
	}
	coding = append(coding, '}')

	_, lastMeta := o.find("meta")
	if lastMeta < 0 {
		meta := append(append([]byte(`{"tag":[`), coding...), "]}"...)
		return o.set(make([]byte, 0, len(obj)+len(meta)+16), []field{
			{key: "meta", val: meta, after: []string{"id", "resourceType"}},
		}), nil
	}
	mo, err := parseObject(o.value(lastMeta))
	if err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	var tag []byte
	if _, lastTag := mo.find("tag"); lastTag >= 0 {
		if tag, err = appendCoding(mo.value(lastTag), coding, system, code); err != nil {
			return nil, fmt.Errorf("meta.tag: %w", err)
		}
	} else {
		tag = append(append([]byte{'['}, coding...), ']')
	}
	meta := mo.set(make([]byte, 0, len(mo.src)+len(coding)+16), []field{{key: "tag", val: tag, atEnd: true}})
	return o.set(make([]byte, 0, len(obj)+len(coding)+16), []field{{key: "meta", val: meta}}), nil
}

// appendCoding returns the JSON array arr with coding appended, or arr itself
// when it already holds a Coding with the same system and code.
func appendCoding(arr, coding []byte, system, code string) ([]byte, error) {
	s := scanner{src: arr}
	i := s.skipSpace(0)
	if arr[i] != '[' {
		return nil, fmt.Errorf("%w: want an array", ErrWrongType)
	}
	i = s.skipSpace(i + 1)
	if arr[i] == ']' {
		out := append(append([]byte{}, arr[:i]...), coding...)
		return append(out, arr[i:]...), nil
	}
	sep := []byte(",")
	var last int
	for n := 0; ; n++ {
		end, err := s.value(i, 1)
		if err != nil {
			return nil, err
		}
		if arr[i] == '{' && sameCoding(arr[i:end], system, code) {
			return arr, nil
		}
		last = end
		i = s.skipSpace(end)
		if arr[i] == ']' {
			break
		}
		next := s.skipSpace(i + 1) // past the comma
		if n == 0 {
			sep = arr[end:next]
		}
		i = next
	}
	out := make([]byte, 0, len(arr)+len(sep)+len(coding))
	out = append(append(append(out, arr[:last]...), sep...), coding...)
	return append(out, arr[last:]...), nil
}

// sameCoding reports whether the object c has the given system and code (an
// absent member counting as "").
func sameCoding(c []byte, system, code string) bool {
	o, err := parseObject(c)
	if err != nil {
		return false
	}
	return stringMember(&o, "system") == system && stringMember(&o, "code") == code
}

// stringMember returns the decoded string value of the last member key, or ""
// when it is absent or not a string.
func stringMember(o *object, key string) string {
	if _, last := o.find(key); last >= 0 {
		if v := o.value(last); v[0] == '"' {
			return unquote(v)
		}
	}
	return ""
}
