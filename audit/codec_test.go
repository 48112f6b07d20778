package audit

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCodecRoundTrip(t *testing.T) {
	key := makeKey(time.Date(2026, 6, 1, 9, 0, 0, 42, time.UTC), 7)
	for _, c := range auditEventCases {
		r := c.r
		r.Time = time.Date(2026, 6, 1, 9, 0, 0, 42, time.UTC)
		r.ID = recordID(key[:])
		v := encode(nil, &r)
		w, err := decodeView(v)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if diff := cmp.Diff(r, w.record(key[:])); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
		// Every proper prefix and any extra byte are refused.
		for n := range len(v) {
			if _, err := decodeView(v[:n]); err == nil {
				t.Fatalf("%s: a %d-byte prefix decoded", c.name, n)
			}
		}
		if _, err := decodeView(append(v, 0)); err == nil {
			t.Errorf("%s: a trailing byte decoded", c.name)
		}
	}
	if _, err := decodeView([]byte(`{"kind":"fhir"}`)); err == nil {
		t.Error("JSON decoded")
	}
}

// FuzzCodec checks that decoding never panics and that what decodes
// re-encodes to the same bytes.
func FuzzCodec(f *testing.F) {
	for _, c := range auditEventCases {
		f.Add(encode(nil, &c.r))
	}
	f.Add([]byte{formatV1, 0x80})
	f.Fuzz(func(t *testing.T, v []byte) {
		w, err := decodeView(v)
		if err != nil {
			return
		}
		key := makeKey(time.Unix(1, 0), 1)
		r := w.record(key[:])
		if got := encode(nil, &r); string(got) != string(v) {
			// A non-minimal uvarint decodes but re-encodes shorter.
			w2, err := decodeView(got)
			if err != nil || w2.record(key[:]) != r {
				t.Fatalf("%x decodes to %+v, which re-encodes to %x", v, r, got)
			}
		}
	})
}
