package search

import (
	"testing"
	"time"
)

func utc(y int, m time.Month, d, h, mi, s, msec int) int64 {
	return time.Date(y, m, d, h, mi, s, msec*int(time.Millisecond), time.UTC).UnixMilli()
}

var dateRangeTests = []struct {
	in     string
	lo, hi int64
	ok     bool
}{
	{"2021", utc(2021, 1, 1, 0, 0, 0, 0), utc(2021, 12, 31, 23, 59, 59, 999), true},
	{"2020-02", utc(2020, 2, 1, 0, 0, 0, 0), utc(2020, 2, 29, 23, 59, 59, 999), true},
	{"2021-02", utc(2021, 2, 1, 0, 0, 0, 0), utc(2021, 2, 28, 23, 59, 59, 999), true},
	{"2021-12", utc(2021, 12, 1, 0, 0, 0, 0), utc(2021, 12, 31, 23, 59, 59, 999), true},
	{"2013-01-10", utc(2013, 1, 10, 0, 0, 0, 0), utc(2013, 1, 10, 23, 59, 59, 999), true},
	{"2020-02-29", utc(2020, 2, 29, 0, 0, 0, 0), utc(2020, 2, 29, 23, 59, 59, 999), true},
	{"2013-01-14T10:00", utc(2013, 1, 14, 10, 0, 0, 0), utc(2013, 1, 14, 10, 0, 59, 999), true},
	{"2013-01-14T10:00Z", utc(2013, 1, 14, 10, 0, 0, 0), utc(2013, 1, 14, 10, 0, 59, 999), true},
	{"2013-01-14T10:00:05Z", utc(2013, 1, 14, 10, 0, 5, 0), utc(2013, 1, 14, 10, 0, 5, 999), true},
	{"2013-01-14T10:00:05", utc(2013, 1, 14, 10, 0, 5, 0), utc(2013, 1, 14, 10, 0, 5, 999), true},
	{"2013-01-14T10:00:05.1Z", utc(2013, 1, 14, 10, 0, 5, 100), utc(2013, 1, 14, 10, 0, 5, 199), true},
	{"2013-01-14T10:00:05.12Z", utc(2013, 1, 14, 10, 0, 5, 120), utc(2013, 1, 14, 10, 0, 5, 129), true},
	{"2013-01-14T10:00:05.123Z", utc(2013, 1, 14, 10, 0, 5, 123), utc(2013, 1, 14, 10, 0, 5, 123), true},
	{"2013-01-14T10:00:05.123456789Z", utc(2013, 1, 14, 10, 0, 5, 123), utc(2013, 1, 14, 10, 0, 5, 123), true},
	{"2013-01-14T10:00:05+01:00", utc(2013, 1, 14, 9, 0, 5, 0), utc(2013, 1, 14, 9, 0, 5, 999), true},
	{"2013-01-14T00:30:00+02:00", utc(2013, 1, 13, 22, 30, 0, 0), utc(2013, 1, 13, 22, 30, 0, 999), true},
	{"2013-01-14T23:30:00-05:30", utc(2013, 1, 15, 5, 0, 0, 0), utc(2013, 1, 15, 5, 0, 0, 999), true},
	{"2013-01-14T10:00:05+14:00", utc(2013, 1, 13, 20, 0, 5, 0), utc(2013, 1, 13, 20, 0, 5, 999), true},
	{"2016-12-31T23:59:60Z", utc(2017, 1, 1, 0, 0, 0, 0), utc(2017, 1, 1, 0, 0, 0, 999), true},
	{"0001", utc(1, 1, 1, 0, 0, 0, 0), utc(1, 12, 31, 23, 59, 59, 999), true},
	{"9999-12-31", utc(9999, 12, 31, 0, 0, 0, 0), utc(9999, 12, 31, 23, 59, 59, 999), true},

	{"", 0, 0, false},
	{"0000", 0, 0, false},
	{"202", 0, 0, false},
	{"20211", 0, 0, false},
	{"2021-", 0, 0, false},
	{"2021-1", 0, 0, false},
	{"2021-13", 0, 0, false},
	{"2021-00", 0, 0, false},
	{"2021-02-29", 0, 0, false},
	{"2021-04-31", 0, 0, false},
	{"2021-01-00", 0, 0, false},
	{"2021/01/01", 0, 0, false},
	{"2021-01-01T", 0, 0, false},
	{"2021-01-01T10", 0, 0, false},
	{"2021-01-01T10Z", 0, 0, false},
	{"2021-01-01T24:00:00Z", 0, 0, false},
	{"2021-01-01T10:60:00Z", 0, 0, false},
	{"2021-01-01T10:00:61Z", 0, 0, false},
	{"2021-01-01T10:00:00.Z", 0, 0, false},
	{"2021-01-01T10:00:00+1:00", 0, 0, false},
	{"2021-01-01T10:00:00+15:00", 0, 0, false},
	{"2021-01-01T10:00:00+14:30", 0, 0, false},
	{"2021-01-01T10:00:00+05:60", 0, 0, false},
	{"2021-01-01T10:00:00ZZ", 0, 0, false},
	{"2021-01-01T10:00:00 01:00", 0, 0, false},
	{"2021-01-01 10:00:00Z", 0, 0, false},
	{"2021-01-01Z", 0, 0, false},
	{"ge2021", 0, 0, false},
	{"２０２１", 0, 0, false},
}

func TestDateRange(t *testing.T) {
	for _, tt := range dateRangeTests {
		lo, hi, ok := DateRange(tt.in)
		if ok != tt.ok || lo != tt.lo || hi != tt.hi {
			t.Errorf("DateRange(%q) = %d, %d, %v; want %d, %d, %v", tt.in, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

// FuzzDateRange checks that every accepted value denotes a non-empty range
// and that both of its ends, printed at millisecond precision, read back
// as exactly themselves.
func FuzzDateRange(f *testing.F) {
	for _, tt := range dateRangeTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo, hi, ok := DateRange(s)
		if !ok {
			return
		}
		if lo > hi {
			t.Fatalf("DateRange(%q): lo %d > hi %d", s, lo, hi)
		}
		for _, end := range []int64{lo, hi} {
			tm := time.UnixMilli(end).UTC()
			if tm.Year() < 1 || tm.Year() > 9999 {
				continue // an offset moved it out of the four-digit years
			}
			printed := tm.Format("2006-01-02T15:04:05.000Z")
			l2, h2, ok := DateRange(printed)
			if !ok || l2 != end || h2 != end {
				t.Fatalf("DateRange(%q) end %d printed as %q reads back as %d, %d, %v", s, end, printed, l2, h2, ok)
			}
		}
		v, r := dateValue("ge" + s)
		if r != nil || v.Lo != lo || v.Hi != hi || v.Prefix != "ge" {
			t.Fatalf("dateValue(ge%s) = %+v, %v; want the same range as DateRange", s, v, r)
		}
	})
}
