package audit

import (
	"encoding/binary"
	"errors"
	"time"
)

// The stored form of a record is binary, not JSON: encoding/json took
// most of the writer's time and five microseconds per record scanned by
// Query. A value is a format byte (1), the status as a uvarint, then each
// string field of fieldOrder as a uvarint length and its bytes. The time
// is the key's.
const formatV1 = 1

// The string fields, in their stored order.
const (
	fKind = iota
	fClientID
	fUser
	fPatient
	fInteraction
	fResourceType
	fResourceID
	fQuery
	fOutcome
	fReason
	fScope
	fRemoteAddr
	fRequestID
	numFields
)

// errCorrupt: a stored value this version cannot read.
var errCorrupt = errors.New("audit: corrupt or unknown record format")

// fields lists r's string fields in stored order.
func (r *Record) fields() [numFields]*string {
	return [numFields]*string{
		(*string)(&r.Kind), &r.ClientID, &r.User, &r.Patient, &r.Interaction, &r.ResourceType,
		&r.ResourceID, &r.Query, (*string)(&r.Outcome), &r.Reason, &r.Scope, &r.RemoteAddr, &r.RequestID,
	}
}

// encode appends the stored form of r to dst.
func encode(dst []byte, r *Record) []byte {
	dst = append(dst, formatV1)
	dst = binary.AppendUvarint(dst, uint64(max(r.Status, 0)))
	for _, f := range r.fields() {
		dst = binary.AppendUvarint(dst, uint64(len(*f)))
		dst = append(dst, *f...)
	}
	return dst
}

// encodedSize bounds the length of r's stored form.
func encodedSize(r *Record) int {
	n := 1 + binary.MaxVarintLen64
	for _, f := range r.fields() {
		n += binary.MaxVarintLen64 + len(*f)
	}
	return n
}

// view is a stored record decoded without copying: its fields point into
// the value, valid only inside the transaction that read it.
type view struct {
	status int
	f      [numFields][]byte
}

// decodeView parses a stored value.
func decodeView(v []byte) (view, error) {
	var w view
	if len(v) == 0 || v[0] != formatV1 {
		return w, errCorrupt
	}
	v = v[1:]
	status, n := binary.Uvarint(v)
	if n <= 0 || status > 999 {
		return w, errCorrupt
	}
	w.status, v = int(status), v[n:]
	for i := range w.f {
		l, n := binary.Uvarint(v)
		if n <= 0 || l > uint64(len(v)-n) {
			return w, errCorrupt
		}
		w.f[i], v = v[n:n+int(l)], v[n+int(l):]
	}
	if len(v) != 0 {
		return w, errCorrupt
	}
	return w, nil
}

// match reports whether the record passes f's field filters (not the
// time bounds, which the scan applies), without copying it.
func (w *view) match(f *Filter) bool {
	eq := func(i int, s string) bool { return s == "" || string(w.f[i]) == s }
	return eq(fClientID, f.ClientID) && eq(fUser, f.User) && eq(fPatient, f.Patient) &&
		eq(fResourceType, f.ResourceType) && eq(fKind, string(f.Kind)) && eq(fOutcome, string(f.Outcome))
}

// record copies the view into a Record with the time of key.
func (w *view) record(key []byte) Record {
	r := Record{ID: recordID(key), Time: time.Unix(0, int64(keyNanos(key))).UTC(), Status: w.status}
	for i, f := range r.fields() {
		*f = string(w.f[i])
	}
	return r
}
