package sampleapp

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
)

// patientInfo is what the app shows of the patient in context.
type patientInfo struct {
	ID, Name, Gender, BirthDate string
}

// vital is the latest observation of one vital sign.
type vital struct {
	// Name is a short name for the sign (e.g. "Blood pressure").
	Name string
	// Value and Unit are as recorded; a panel's components are joined
	// with "/" (blood pressure: "128/82", "mmHg").
	Value, Unit string
	// Date is the effective date and time as recorded (FHIR dateTime).
	Date string
}

// Day is the date part of v.Date (YYYY-MM-DD, or less when that is all
// there is).
func (v vital) Day() string {
	if len(v.Date) > 10 {
		return v.Date[:10]
	}
	return v.Date
}

// humanName is R4 HumanName (datatypes.html#HumanName).
type humanName struct {
	Use    string   `json:"use"`
	Text   string   `json:"text"`
	Family string   `json:"family"`
	Given  []string `json:"given"`
}

// parsePatient reads a Patient resource (R4 patient.html).
func parsePatient(raw []byte) (patientInfo, error) {
	var p struct {
		ResourceType string      `json:"resourceType"`
		ID           string      `json:"id"`
		Name         []humanName `json:"name"`
		Gender       string      `json:"gender"`
		BirthDate    string      `json:"birthDate"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return patientInfo{}, err
	}
	if p.ResourceType != "Patient" {
		return patientInfo{}, errors.New("the response is not a Patient")
	}
	return patientInfo{ID: p.ID, Name: displayName(p.Name), Gender: p.Gender, BirthDate: p.BirthDate}, nil
}

// displayName picks the official name, else the usual one, else the
// first, and spells it given names first; "" when there is none.
func displayName(names []humanName) string {
	if len(names) == 0 {
		return ""
	}
	pick := names[0]
	if i := slices.IndexFunc(names, func(n humanName) bool { return n.Use == "official" }); i >= 0 {
		pick = names[i]
	} else if i := slices.IndexFunc(names, func(n humanName) bool { return n.Use == "usual" }); i >= 0 {
		pick = names[i]
	}
	if t := strings.TrimSpace(pick.Text); t != "" {
		return t
	}
	return strings.Join(strings.Fields(strings.Join(append(slices.Clone(pick.Given), pick.Family), " ")), " ")
}

// coding, codeableConcept and quantity are the R4 datatypes of the same
// names, as far as the app reads them.
type (
	coding struct {
		System  string `json:"system"`
		Code    string `json:"code"`
		Display string `json:"display"`
	}
	codeableConcept struct {
		Coding []coding `json:"coding"`
		Text   string   `json:"text"`
	}
	quantity struct {
		Value      json.Number `json:"value"`
		Comparator string      `json:"comparator"`
		Unit       string      `json:"unit"`
		Code       string      `json:"code"`
	}
)

// observation is R4 Observation, as far as a vital sign needs.
type observation struct {
	ResourceType         string           `json:"resourceType"`
	Status               string           `json:"status"`
	Code                 codeableConcept  `json:"code"`
	ValueQuantity        *quantity        `json:"valueQuantity"`
	ValueString          string           `json:"valueString"`
	ValueCodeableConcept *codeableConcept `json:"valueCodeableConcept"`
	Component            []struct {
		Code          codeableConcept `json:"code"`
		ValueQuantity *quantity       `json:"valueQuantity"`
	} `json:"component"`
	EffectiveDateTime string `json:"effectiveDateTime"`
	EffectiveInstant  string `json:"effectiveInstant"`
	EffectivePeriod   *struct {
		Start string `json:"start"`
	} `json:"effectivePeriod"`
	Issued string `json:"issued"`
}

// shortNames are short names for the LOINC codes of the R4 vital signs
// profiles (observation-vitalsigns.html), used instead of the longer
// display texts.
var shortNames = map[string]string{
	"85354-9": "Blood pressure",
	"8867-4":  "Heart rate",
	"9279-1":  "Respiratory rate",
	"8310-5":  "Body temperature",
	"59408-5": "Oxygen saturation",
	"2708-6":  "Oxygen saturation",
	"8302-2":  "Body height",
	"29463-7": "Body weight",
	"39156-5": "Body mass index",
	"9843-4":  "Head circumference",
	"8287-5":  "Head circumference",
}

// latestVitals reads a searchset Bundle of Observations sorted newest
// first (_sort=-date) and keeps the first, so the latest, of each code,
// in the order met. Entries of another type (an OperationOutcome of the
// search), entered-in-error ones and ones without a value are skipped.
func latestVitals(raw []byte) ([]vital, error) {
	var b struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, err
	}
	if b.ResourceType != "Bundle" {
		return nil, errors.New("the response is not a Bundle")
	}
	var out []vital
	seen := map[string]bool{}
	for _, e := range b.Entry {
		var o observation
		if json.Unmarshal(e.Resource, &o) != nil || o.ResourceType != "Observation" || o.Status == "entered-in-error" {
			continue
		}
		key, name := conceptKey(o.Code)
		if key == "" || seen[key] {
			continue
		}
		v := vital{Name: name, Date: effective(o)}
		v.Value, v.Unit = value(o)
		if v.Value == "" {
			continue
		}
		seen[key] = true
		out = append(out, v)
	}
	return out, nil
}

// conceptKey identifies a code (system|code of its first coding, else
// its text) and names it: the short name of a vital sign, else the text,
// else a display.
func conceptKey(c codeableConcept) (key, name string) {
	for _, cd := range c.Coding {
		if cd.Code == "" {
			continue
		}
		if key == "" {
			key = cd.System + "|" + cd.Code
		}
		if s, ok := shortNames[cd.Code]; ok && cd.System == "http://loinc.org" {
			return key, s
		}
	}
	name = c.Text
	for _, cd := range c.Coding {
		if name == "" {
			name = cd.Display
		}
	}
	if key == "" {
		key = "|" + c.Text
		if c.Text == "" {
			return "", ""
		}
	}
	if name == "" {
		name = strings.TrimPrefix(key, "|")
	}
	return key, name
}

// value formats the observation's value: a quantity with its comparator,
// the components' quantities joined with "/" when they share a unit, a
// string, or a concept's text.
func value(o observation) (v, unit string) {
	switch {
	case o.ValueQuantity != nil && o.ValueQuantity.Value != "":
		return o.ValueQuantity.Comparator + o.ValueQuantity.Value.String(), quantityUnit(o.ValueQuantity)
	case o.ValueString != "":
		return o.ValueString, ""
	case o.ValueCodeableConcept != nil:
		_, name := conceptKey(*o.ValueCodeableConcept)
		return name, ""
	}
	var parts []string
	for i, c := range o.Component {
		q := c.ValueQuantity
		if q == nil || q.Value == "" {
			return "", ""
		}
		if i == 0 {
			unit = quantityUnit(q)
		} else if quantityUnit(q) != unit {
			return "", ""
		}
		parts = append(parts, q.Comparator+q.Value.String())
	}
	return strings.Join(parts, "/"), unit
}

// quantityUnit is the human-readable unit, else the coded one.
func quantityUnit(q *quantity) string {
	if q.Unit != "" {
		return q.Unit
	}
	return q.Code
}

// effective is when the observation was made.
func effective(o observation) string {
	switch {
	case o.EffectiveDateTime != "":
		return o.EffectiveDateTime
	case o.EffectiveInstant != "":
		return o.EffectiveInstant
	case o.EffectivePeriod != nil && o.EffectivePeriod.Start != "":
		return o.EffectivePeriod.Start
	}
	return o.Issued
}
