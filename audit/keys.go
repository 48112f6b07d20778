package audit

import (
	"encoding/binary"
	"encoding/hex"
	"time"
)

// keyLen is the length of a record's key: big-endian Unix nanoseconds,
// then a big-endian sequence number from the bucket, so that keys sort by
// time and two records of one nanosecond stay distinct.
const keyLen = 16

// makeKey is the key of a record at t with sequence seq. Times before
// 1970 sort as 1970.
func makeKey(t time.Time, seq uint64) [keyLen]byte {
	var k [keyLen]byte
	binary.BigEndian.PutUint64(k[:8], nanos(t))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// nanos is t in Unix nanoseconds, clamped to what a key can hold.
func nanos(t time.Time) uint64 {
	switch {
	case t.Before(time.Unix(0, 0)):
		return 0
	case t.After(time.Unix(0, 1<<63-1)):
		return 1<<63 - 1
	}
	return uint64(t.UnixNano())
}

// keyNanos is the time part of a record key.
func keyNanos(k []byte) uint64 { return binary.BigEndian.Uint64(k[:8]) }

// clientKey is the index key of a record of a client: the client_id's
// length (two bytes), the client_id, then the record's key. The length
// prefix keeps one client's keys contiguous whatever bytes the ids hold.
func clientKey(client string, key []byte) []byte {
	k := make([]byte, 0, 2+len(client)+len(key))
	k = binary.BigEndian.AppendUint16(k, uint16(len(client)))
	k = append(k, client...)
	return append(k, key...)
}

// recordID is a record key as the ID and cursor the API shows.
func recordID(key []byte) string { return hex.EncodeToString(key) }

// parseID is the key of a record ID, ok false if id is not one.
func parseID(id string) (key []byte, ok bool) {
	if len(id) != 2*keyLen {
		return nil, false
	}
	k, err := hex.DecodeString(id)
	if err != nil {
		return nil, false
	}
	return k, true
}
