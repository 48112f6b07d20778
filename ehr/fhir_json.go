package ehr

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The FHIR R4 data types the chart reads (datatypes.html), decoded only
// as far as the chart shows them.

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

type codeableConcept struct {
	Text   string   `json:"text"`
	Coding []coding `json:"coding"`
}

// display is the concept as a person reads it: its text, else the first
// coding's display, else its code.
func (c codeableConcept) display() string {
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

// code returns the first code of system, or "".
func (c codeableConcept) code(system string) string {
	for _, cd := range c.Coding {
		if cd.System == system && cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

// key identifies the concept by its first coding, for grouping.
func (c codeableConcept) key() string {
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.System + "|" + cd.Code
		}
	}
	return "text|" + c.Text
}

// firstCode is the code of the first coding, or "".
func (c codeableConcept) firstCode() string {
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

type quantity struct {
	Value      *json.Number `json:"value"`
	Comparator string       `json:"comparator"`
	Unit       string       `json:"unit"`
	Code       string       `json:"code"`
}

// number is the value as a float, and whether there is one.
func (q *quantity) number() (float64, bool) {
	if q == nil || q.Value == nil {
		return 0, false
	}
	f, err := q.Value.Float64()
	return f, err == nil
}

// unit is the human unit, else the UCUM code.
func (q *quantity) unit() string {
	if q.Unit != "" {
		return q.Unit
	}
	return q.Code
}

// String is the value as written in the resource (no rounding), with its
// comparator and unit: "93.6 kg", "<5 mg/L".
func (q *quantity) String() string {
	if q == nil || q.Value == nil {
		return ""
	}
	u := q.unit()
	if u == "%" {
		return q.Comparator + q.Value.String() + " %"
	}
	return strings.TrimSpace(q.Comparator + q.Value.String() + " " + u)
}

type period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type reference struct {
	Reference string `json:"reference"`
	Display   string `json:"display"`
}

// humanName is a FHIR HumanName.
type humanName struct {
	Use    string   `json:"use"`
	Text   string   `json:"text"`
	Family string   `json:"family"`
	Given  []string `json:"given"`
}

// nameOf picks the official (else usual, else first) name and writes it
// given names first.
func nameOf(names []humanName) string {
	best := -1
	for i, n := range names {
		if n.Use == "official" {
			best = i
			break
		}
		if best < 0 || (n.Use == "usual" && names[best].Use != "usual") {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	n := names[best]
	if n.Text != "" {
		return n.Text
	}
	return strings.TrimSpace(strings.Join(append(append([]string{}, n.Given...), n.Family), " "))
}

// dateOf returns the date part (YYYY-MM-DD, or the partial date) of a
// FHIR date or dateTime, as the chart shows dates.
func dateOf(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

// parseWhen reads a FHIR date or dateTime (partial dates start at their
// first instant); false if it is neither.
func parseWhen(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// age is the age shown in the banner: days under a month, months under
// two years, else years; from a FHIR birthDate to at (now, or the date
// of death). "" when birth is not a date or is after at.
func age(birth string, at time.Time) string {
	b, ok := parseWhen(birth)
	if !ok {
		return ""
	}
	by, bm, bd := b.Date()
	ay, am, ad := at.Date()
	if at.Before(b) {
		return ""
	}
	years := ay - by
	months := int(am) - int(bm)
	if ad < bd {
		months--
	}
	if months < 0 {
		years--
		months += 12
	}
	total := years*12 + months
	switch {
	case total == 0:
		days := int(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC).Sub(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)).Hours() / 24)
		return strconv.Itoa(days) + " d"
	case total < 24:
		return strconv.Itoa(total) + " mo"
	}
	return strconv.Itoa(years) + " y"
}
