package main

import (
	"fmt"
	"strings"
	"time"
)

// coding is an R4 Coding.
func coding(c concept) object {
	return obj("system", c.system, "code", c.code, "display", c.display)
}

// cc is an R4 CodeableConcept with one coding, or nil for the zero concept
// (which obj and list then leave out). Its text is the display without a
// SNOMED CT semantic tag such as " (disorder)".
func cc(c concept) object {
	if c == (concept{}) {
		return nil
	}
	text := c.display
	if c.system == sysSNOMED && strings.HasSuffix(text, ")") {
		if i := strings.LastIndex(text, " ("); i > 0 {
			text = text[:i]
		}
	}
	return obj("coding", list(coding(c)), "text", text)
}

// ref is an R4 Reference: a literal, urn:uuid or conditional reference.
func ref(reference, display string) object {
	return obj("reference", reference, "display", display)
}

// qty is an R4 Quantity in UCUM.
func qty(value float64, unit, code string) object {
	return obj("value", value, "unit", unit, "system", sysUCUM, "code", code)
}

// period is an R4 Period.
func period(start, end string) object {
	return obj("start", start, "end", end)
}

// clock reads the local times of a story ("2006-01-02 15:04") in its zone and
// writes them as R4 dateTimes and instants with that zone's offset.
type clock struct{ zone *time.Location }

const localLayout = "2006-01-02 15:04"

// at parses a local time; the stories are constants, so a typo is a bug.
func (c clock) at(s string) time.Time {
	t, err := time.ParseInLocation(localLayout, s, c.zone)
	if err != nil {
		panic(fmt.Sprintf("story time %q: %v", s, err))
	}
	return t
}

// dateTime formats t with seconds and the zone offset ("Z" for UTC).
func dateTime(t time.Time) string { return t.Format(time.RFC3339) }

// partial returns s as an R4 dateTime: a local time is given its zone, and a
// partial date ("1998", "2016-09", "2016-09-14") is kept as written.
func (c clock) partial(s string) string {
	if strings.Contains(s, " ") {
		return dateTime(c.at(s))
	}
	return s
}

// age returns the age in whole years at t of someone born on birthDate.
func age(birthDate string, t time.Time) int {
	b, err := time.Parse(time.DateOnly, birthDate)
	if err != nil {
		panic(fmt.Sprintf("birth date %q: %v", birthDate, err))
	}
	years := t.Year() - b.Year()
	if t.Month() < b.Month() || (t.Month() == b.Month() && t.Day() < b.Day()) {
		years--
	}
	return years
}
