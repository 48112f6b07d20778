package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	"smartd/fhirproxy/search"
)

// Index terms: the byte after the parameter name says what follows.
const (
	termToken = 'T' // token: code 0 system
	termRef   = 'R' // reference: "Type/id"
	termNorm  = 'N' // string: normalized value
	termDate  = 'D' // date: lo(8) hi(8)
)

func resourceKey(typ, id string) []byte { return []byte(typ + "/" + id) }

func splitRef(ref string) (typ, id string) {
	i := strings.IndexByte(ref, '/')
	if i < 0 {
		return "", ref
	}
	return ref[:i], ref[i+1:]
}

// header is the value in bucketResources.
type header struct {
	version     uint64
	lastUpdated int64 // Unix ms
	op          Op
}

func (h header) encode() []byte {
	b := make([]byte, 17)
	binary.BigEndian.PutUint64(b, h.version)
	binary.BigEndian.PutUint64(b[8:], uint64(h.lastUpdated))
	b[16] = byte(h.op)
	return b
}

func decodeHeader(b []byte) (header, error) {
	if len(b) != 17 {
		return header{}, errors.New("store: corrupt resource header")
	}
	return header{
		version:     binary.BigEndian.Uint64(b),
		lastUpdated: int64(binary.BigEndian.Uint64(b[8:])),
		op:          Op(b[16]),
	}, nil
}

func versionKey(typ, id string, v uint64) []byte {
	k := make([]byte, 0, len(typ)+len(id)+10)
	k = append(k, typ...)
	k = append(k, '/')
	k = append(k, id...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, v)
}

func encodeVersion(op Op, lastUpdated int64, body []byte) []byte {
	b := make([]byte, 9, 9+len(body))
	b[0] = byte(op)
	binary.BigEndian.PutUint64(b[1:], uint64(lastUpdated))
	return append(b, body...)
}

// decodeVersion copies the JSON out of a bbolt value.
func decodeVersion(typ, id string, v uint64, b []byte) (Resource, error) {
	if len(b) < 9 {
		return Resource{}, errors.New("store: corrupt version record")
	}
	r := Resource{Type: typ, ID: id, Version: v, Op: Op(b[0]),
		LastUpdated: time.UnixMilli(int64(binary.BigEndian.Uint64(b[1:9]))).UTC()}
	if r.Op != OpDelete {
		r.JSON = bytes.Clone(b[9:])
	}
	return r, nil
}

func changeValue(typ, id string, v uint64) []byte {
	return versionKey(typ, id, v)
}

func decodeChange(b []byte) (typ, id string, v uint64, err error) {
	i := bytes.IndexByte(b, 0)
	if i < 0 || len(b) != i+9 {
		return "", "", 0, errors.New("store: corrupt change record")
	}
	typ, id = splitRef(string(b[:i]))
	return typ, id, binary.BigEndian.Uint64(b[i+1:]), nil
}

// clean keeps NUL out of index terms: it separates the id.
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", " ")
}

// paramPrefix is the index prefix of one parameter of one type.
func paramPrefix(typ, param string) []byte {
	k := make([]byte, 0, len(typ)+len(param)+2)
	k = append(k, typ...)
	k = append(k, 0)
	k = append(k, param...)
	return append(k, 0)
}

// sortableInt maps int64 order onto byte order.
func sortableInt(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(v)^(1<<63))
}

func unsortableInt(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)) }

// terms returns the index terms of one value. A token's code comes
// first, so that one key serves "code", "system|code" and "|code".
func terms(v search.IndexValue) [][]byte {
	switch v.Type {
	case search.Token:
		t := append([]byte{termToken}, clean(v.Code)...)
		t = append(t, 0)
		return [][]byte{append(t, clean(v.System)...)}
	case search.Reference:
		return [][]byte{append([]byte{termRef}, clean(v.Ref)...)}
	case search.String:
		return [][]byte{append([]byte{termNorm}, clean(v.Norm)...)}
	case search.Date:
		b := sortableInt([]byte{termDate}, v.Lo)
		return [][]byte{sortableInt(b, v.Hi)}
	}
	return nil
}

// indexKeys returns the inverted-index keys of a resource's values.
func indexKeys(typ, id string, vals []search.IndexValue) [][]byte {
	keys := make([][]byte, 0, len(vals)+4)
	for _, v := range vals {
		p := paramPrefix(typ, v.Param)
		for _, t := range terms(v) {
			k := make([]byte, 0, len(p)+len(t)+1+len(id))
			k = append(append(append(append(k, p...), t...), 0), id...)
			keys = append(keys, k)
		}
	}
	return keys
}

// idFromIndexKey returns the id at the end of an index key.
func idFromIndexKey(k []byte) string {
	return string(k[bytes.LastIndexByte(k, 0)+1:])
}

// encodeForward serializes the index values of one version.
func encodeForward(vals []search.IndexValue) []byte {
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, v := range vals {
		b = append(b, byte(v.Type))
		str(v.Param)
		switch v.Type {
		case search.Token:
			str(v.System)
			str(v.Code)
		case search.Reference:
			str(v.Ref)
		case search.String:
			str(v.Norm)
			str(v.Text)
		case search.Date:
			b = binary.BigEndian.AppendUint64(b, uint64(v.Lo))
			b = binary.BigEndian.AppendUint64(b, uint64(v.Hi))
		}
	}
	return b
}

var errCorruptForward = errors.New("store: corrupt forward index")

// decodeForward is the inverse of encodeForward; it copies every string.
func decodeForward(b []byte) ([]search.IndexValue, error) {
	var vals []search.IndexValue
	str := func() (string, error) {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return "", errCorruptForward
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, nil
	}
	for len(b) > 0 {
		v := search.IndexValue{Type: search.ParamType(b[0])}
		b = b[1:]
		var err error
		if v.Param, err = str(); err != nil {
			return nil, err
		}
		switch v.Type {
		case search.Token:
			if v.System, err = str(); err == nil {
				v.Code, err = str()
			}
		case search.Reference:
			v.Ref, err = str()
		case search.String:
			if v.Norm, err = str(); err == nil {
				v.Text, err = str()
			}
		case search.Date:
			if len(b) < 16 {
				return nil, errCorruptForward
			}
			v.Lo, v.Hi = int64(binary.BigEndian.Uint64(b)), int64(binary.BigEndian.Uint64(b[8:]))
			b = b[16:]
		default:
			return nil, errCorruptForward
		}
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}
