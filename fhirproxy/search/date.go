package search

import "time"

// DateRange returns the range a FHIR date, dateTime or instant denotes, in
// Unix milliseconds UTC, both ends inclusive (R4 search.html#date: "the date
// 2013-01-10 specifies all the time from 00:00 on 10-Jan 2013 to
// immediately before 00:00 on 11-Jan 2013"). Accepted forms are YYYY,
// YYYY-MM, YYYY-MM-DD, and YYYY-MM-DDThh:mm with optional :ss and
// fraction, followed by Z, ±hh:mm or nothing (read as UTC). Fractions
// finer than a millisecond are truncated. ok is false for anything else,
// including impossible dates such as 2021-02-29.
func DateRange(s string) (lo, hi int64, ok bool) {
	year, ok := digits(s, 0, 4)
	if !ok || year == 0 {
		return 0, 0, false
	}
	if len(s) == 4 {
		return span(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	if s[4] != '-' {
		return 0, 0, false
	}
	month, ok := digits(s, 5, 2)
	if !ok || month < 1 || month > 12 {
		return 0, 0, false
	}
	if len(s) == 7 {
		return span(time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC))
	}
	if s[7] != '-' {
		return 0, 0, false
	}
	day, ok := digits(s, 8, 2)
	if !ok || day < 1 || day > daysIn(year, month) {
		return 0, 0, false
	}
	if len(s) == 10 {
		start := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		return span(start, start.AddDate(0, 0, 1))
	}
	return timeRange(s, year, month, day)
}

// timeRange reads the "Thh:mm[:ss[.fff]][zone]" part of s (from index 10).
func timeRange(s string, year, month, day int) (lo, hi int64, ok bool) {
	if s[10] != 'T' || len(s) < 16 || s[13] != ':' {
		return 0, 0, false
	}
	hour, ok1 := digits(s, 11, 2)
	minute, ok2 := digits(s, 14, 2)
	if !ok1 || !ok2 || hour > 23 || minute > 59 {
		return 0, 0, false
	}
	i := 16
	second, ms := 0, 0
	width := int64(time.Minute / time.Millisecond)
	if i < len(s) && s[i] == ':' {
		var ok bool
		if second, ok = digits(s, i+1, 2); !ok || second > 60 {
			return 0, 0, false
		}
		i += 3
		width = 1000
		if i < len(s) && s[i] == '.' {
			i++
			n := 0
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				if n < 3 {
					ms = ms*10 + int(s[i]-'0')
					width /= 10
				}
				n++
				i++
			}
			if n == 0 {
				return 0, 0, false
			}
			for k := n; k < 3; k++ {
				ms *= 10
			}
		}
	}
	offset, ok := zone(s[i:])
	if !ok {
		return 0, 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, ms*int(time.Millisecond), time.UTC)
	lo = t.UnixMilli() - offset
	return lo, lo + width - 1, true
}

// zone reads "", "Z" or "±hh:mm" (hh at most 14, and 14 only with :00) and
// returns the offset in milliseconds.
func zone(s string) (int64, bool) {
	switch {
	case s == "" || s == "Z":
		return 0, true
	case len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':':
		return 0, false
	}
	h, ok1 := digits(s, 1, 2)
	m, ok2 := digits(s, 4, 2)
	if !ok1 || !ok2 || h > 14 || m > 59 || (h == 14 && m != 0) {
		return 0, false
	}
	off := int64(h*60+m) * int64(time.Minute/time.Millisecond)
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

func span(start, next time.Time) (int64, int64, bool) {
	return start.UnixMilli(), next.UnixMilli() - 1, true
}

// digits reads n decimal digits of s at i.
func digits(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
