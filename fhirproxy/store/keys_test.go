package store

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/search"
)

func TestForwardRoundTrip(t *testing.T) {
	vals := []search.IndexValue{
		{Param: "code", Type: search.Token, System: "http://loinc.org", Code: "8867-4"},
		{Param: "subject", Type: search.Reference, Ref: "Patient/1"},
		{Param: "name", Type: search.String, Norm: "jose", Text: "José"},
		{Param: "date", Type: search.Date, Lo: math.MinInt64, Hi: math.MaxInt64},
		{Param: "date", Type: search.Date, Lo: -1, Hi: 1},
	}
	got, err := decodeForward(encodeForward(vals))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vals, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestSortableIntKeepsOrder(t *testing.T) {
	xs := []int64{math.MinInt64, -1 << 40, -1, 0, 1, 1 << 40, math.MaxInt64}
	for i := 1; i < len(xs); i++ {
		a, b := sortableInt(nil, xs[i-1]), sortableInt(nil, xs[i])
		if string(a) >= string(b) {
			t.Errorf("%d and %d encode out of order", xs[i-1], xs[i])
		}
		if unsortableInt(b) != xs[i] {
			t.Errorf("decode(%d) = %d", xs[i], unsortableInt(b))
		}
	}
}

func TestIndexKeysEndWithTheID(t *testing.T) {
	vals := []search.IndexValue{
		{Param: "code", Type: search.Token, System: "s\x00x", Code: "c"},
		{Param: "date", Type: search.Date, Lo: 0, Hi: 256},
	}
	for _, k := range indexKeys("Observation", "obs-1", vals) {
		if id := idFromIndexKey(k); id != "obs-1" {
			t.Errorf("key %q: id %q", k, id)
		}
	}
}

// FuzzDecodeForward: a corrupt record is an error, never a panic.
func FuzzDecodeForward(f *testing.F) {
	f.Add(encodeForward([]search.IndexValue{{Param: "code", Type: search.Token, System: "s", Code: "c"}}))
	f.Add([]byte{4, 1, 'd', 0, 0})
	f.Add([]byte{9})
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, err := decodeForward(b)
		if err == nil {
			if again, err := decodeForward(encodeForward(vals)); err != nil || !cmp.Equal(vals, again) {
				t.Errorf("re-encoding %v: %v %v", vals, again, err)
			}
		}
	})
}
