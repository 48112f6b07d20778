package ui

import (
	"strconv"
	"strings"
	"time"
)

// EHRTrend is one vital sign over time, drawn as a sparkline.
type EHRTrend struct {
	// Name is what was measured ("Body weight").
	Name string
	// Unit is the unit of every point ("kg").
	Unit string
	// Points are in time order.
	Points []EHRTrendPoint
}

// EHRTrendPoint is one measurement.
type EHRTrendPoint struct {
	// When places the point on the time axis.
	When time.Time
	// Date is When as shown (YYYY-MM-DD).
	Date string
	// Value is in the trend's Unit.
	Value float64
}

// The sparkline's drawing box, in SVG user units.
const (
	sparkWidth  = 320
	sparkHeight = 64
	sparkPad    = 6
)

// show reports whether there is a trend to draw.
func (t EHRTrend) show() bool { return len(t.Points) >= 2 }

// viewBox is the SVG viewBox attribute.
func (t EHRTrend) viewBox() string {
	return "0 0 " + strconv.Itoa(sparkWidth) + " " + strconv.Itoa(sparkHeight)
}

// coords places the points: x by time (by index if all share a time),
// y scaled between the lowest and highest value (centred if all equal).
func (t EHRTrend) coords() [][2]float64 {
	n := len(t.Points)
	if n == 0 {
		return nil
	}
	lo, hi := t.Points[0].Value, t.Points[0].Value
	for _, p := range t.Points {
		lo, hi = min(lo, p.Value), max(hi, p.Value)
	}
	t0, t1 := t.Points[0].When, t.Points[n-1].When
	span := t1.Sub(t0)
	w, h := float64(sparkWidth-2*sparkPad), float64(sparkHeight-2*sparkPad)
	out := make([][2]float64, n)
	for i, p := range t.Points {
		fx := 0.5
		switch {
		case span > 0:
			fx = float64(p.When.Sub(t0)) / float64(span)
		case n > 1:
			fx = float64(i) / float64(n-1)
		}
		fy := 0.5
		if hi > lo {
			fy = (p.Value - lo) / (hi - lo)
		}
		out[i] = [2]float64{sparkPad + fx*w, sparkPad + (1-fy)*h}
	}
	return out
}

// polyline is the SVG points attribute of the line.
func (t EHRTrend) polyline() string {
	var b strings.Builder
	for i, c := range t.coords() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(c[0]) + "," + num(c[1]))
	}
	return b.String()
}

// last is the latest point's position, for a dot at the end of the line.
func (t EHRTrend) last() (x, y string) {
	c := t.coords()
	if len(c) == 0 {
		return "0", "0"
	}
	return num(c[len(c)-1][0]), num(c[len(c)-1][1])
}

// value formats v with the unit.
func (t EHRTrend) value(v float64) string {
	return joinNonEmpty(" ", strconv.FormatFloat(v, 'f', -1, 64), t.Unit)
}

// description says in words what the line shows, for screen readers and
// as the visible caption: first and latest value, range and count.
func (t EHRTrend) description() string {
	if !t.show() {
		return ""
	}
	first, last := t.Points[0], t.Points[len(t.Points)-1]
	lo, hi := first.Value, first.Value
	for _, p := range t.Points {
		lo, hi = min(lo, p.Value), max(hi, p.Value)
	}
	return t.value(first.Value) + " on " + first.Date + " to " + t.value(last.Value) + " on " + last.Date +
		"; lowest " + t.value(lo) + ", highest " + t.value(hi) + ", " + strconv.Itoa(len(t.Points)) + " measurements."
}

// num formats an SVG coordinate with one decimal.
func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
