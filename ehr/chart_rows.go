package ehr

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"smartd/fhirproxy/store"
	"smartd/ui"
)

// Each function here turns search results into the rows of one chart
// section, reading only the elements the section shows (R4 resource
// pages: encounter.html, condition.html, medicationrequest.html,
// allergyintolerance.html, immunization.html, observation.html). A
// resource that does not decode is skipped: the store validated it, so
// that means a shape the chart does not know, not a reason to fail.

// encounterRows lists encounters as the search sorted them (newest first).
func encounterRows(rs []store.Resource, selected string, urlFor func(id string) string) []ui.EHREncounterRow {
	var out []ui.EHREncounterRow
	for _, res := range rs {
		var e struct {
			Status string            `json:"status"`
			Class  coding            `json:"class"`
			Type   []codeableConcept `json:"type"`
			Period period            `json:"period"`
		}
		if json.Unmarshal(res.JSON, &e) != nil {
			continue
		}
		row := ui.EHREncounterRow{
			ID: res.ID, URL: urlFor(res.ID), Date: dateOf(e.Period.Start), Status: e.Status,
			Class: cmp.Or(e.Class.Display, actClass[e.Class.Code], e.Class.Code), Selected: res.ID == selected,
		}
		if len(e.Type) > 0 {
			row.Type = e.Type[0].display()
		}
		out = append(out, row)
	}
	return out
}

// actClass names the common v3 ActCode encounter classes.
var actClass = map[string]string{
	"AMB": "ambulatory", "EMER": "emergency", "IMP": "inpatient", "VR": "virtual",
	"HH": "home health", "OBSENC": "observation", "SS": "short stay", "ACUTE": "inpatient acute",
}

// conditionRows lists conditions, active ones first, each group newest
// onset first.
func conditionRows(rs []store.Resource) []ui.EHRConditionRow {
	type row struct {
		ui.EHRConditionRow
		active bool
	}
	var rows []row
	for _, res := range rs {
		var c struct {
			Clinical      codeableConcept `json:"clinicalStatus"`
			Code          codeableConcept `json:"code"`
			OnsetDateTime string          `json:"onsetDateTime"`
			OnsetPeriod   period          `json:"onsetPeriod"`
			OnsetString   string          `json:"onsetString"`
			Abatement     string          `json:"abatementDateTime"`
		}
		if json.Unmarshal(res.JSON, &c) != nil {
			continue
		}
		status := c.Clinical.firstCode()
		if status == "resolved" && c.Abatement != "" {
			status += " " + dateOf(c.Abatement)
		}
		rows = append(rows, row{ui.EHRConditionRow{
			Name: c.Code.display(), Status: status,
			Onset: cmp.Or(dateOf(c.OnsetDateTime), dateOf(c.OnsetPeriod.Start), c.OnsetString),
		}, c.Clinical.firstCode() == "active"})
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		if a.active != b.active {
			if a.active {
				return -1
			}
			return 1
		}
		return strings.Compare(b.Onset, a.Onset)
	})
	out := make([]ui.EHRConditionRow, len(rows))
	for i, r := range rows {
		out[i] = r.EHRConditionRow
	}
	return out
}

// medicationRows lists medication requests as sorted (newest first).
func medicationRows(rs []store.Resource) []ui.EHRMedicationRow {
	var out []ui.EHRMedicationRow
	for _, res := range rs {
		var m struct {
			Status     string          `json:"status"`
			Medication codeableConcept `json:"medicationCodeableConcept"`
			MedRef     reference       `json:"medicationReference"`
			AuthoredOn string          `json:"authoredOn"`
			Dosage     []struct {
				Text string `json:"text"`
			} `json:"dosageInstruction"`
		}
		if json.Unmarshal(res.JSON, &m) != nil {
			continue
		}
		row := ui.EHRMedicationRow{Name: cmp.Or(m.Medication.display(), m.MedRef.Display), Status: m.Status, Date: dateOf(m.AuthoredOn)}
		if len(m.Dosage) > 0 {
			row.Dosage = m.Dosage[0].Text
		}
		out = append(out, row)
	}
	return out
}

// allergyRows lists allergies and intolerances, high criticality first.
func allergyRows(rs []store.Resource) []ui.EHRAllergyRow {
	var out []ui.EHRAllergyRow
	for _, res := range rs {
		var a struct {
			Clinical    codeableConcept `json:"clinicalStatus"`
			Code        codeableConcept `json:"code"`
			Criticality string          `json:"criticality"`
			Reaction    []struct {
				Manifestation []codeableConcept `json:"manifestation"`
			} `json:"reaction"`
		}
		if json.Unmarshal(res.JSON, &a) != nil {
			continue
		}
		var reactions []string
		for _, r := range a.Reaction {
			for _, m := range r.Manifestation {
				if d := m.display(); d != "" && !slices.Contains(reactions, d) {
					reactions = append(reactions, d)
				}
			}
		}
		out = append(out, ui.EHRAllergyRow{
			Substance: a.Code.display(), Criticality: a.Criticality,
			Reaction: strings.Join(reactions, ", "), Status: a.Clinical.firstCode(),
		})
	}
	slices.SortStableFunc(out, func(a, b ui.EHRAllergyRow) int {
		return cmp.Compare(high(a.Criticality), high(b.Criticality))
	})
	return out
}

// high sorts high criticality first.
func high(criticality string) int {
	if criticality == "high" {
		return 0
	}
	return 1
}

// immunizationRows lists immunizations as sorted (newest first).
func immunizationRows(rs []store.Resource) []ui.EHRImmunizationRow {
	var out []ui.EHRImmunizationRow
	for _, res := range rs {
		var im struct {
			Status     string          `json:"status"`
			Vaccine    codeableConcept `json:"vaccineCode"`
			Occurrence string          `json:"occurrenceDateTime"`
			OccString  string          `json:"occurrenceString"`
		}
		if json.Unmarshal(res.JSON, &im) != nil {
			continue
		}
		out = append(out, ui.EHRImmunizationRow{Vaccine: im.Vaccine.display(), Date: cmp.Or(dateOf(im.Occurrence), im.OccString), Status: im.Status})
	}
	return out
}

// observationJSON is the part of an Observation the chart reads.
type observationJSON struct {
	Status         string            `json:"status"`
	Code           codeableConcept   `json:"code"`
	Effective      string            `json:"effectiveDateTime"`
	EffectivePer   period            `json:"effectivePeriod"`
	Issued         string            `json:"issued"`
	Interpretation []codeableConcept `json:"interpretation"`
	observationValue
	Component []struct {
		Code codeableConcept `json:"code"`
		observationValue
	} `json:"component"`
}

// observationValue is Observation.value[x] (and component.value[x]).
type observationValue struct {
	Quantity *quantity       `json:"valueQuantity"`
	Concept  codeableConcept `json:"valueCodeableConcept"`
	Str      string          `json:"valueString"`
	Integer  *int64          `json:"valueInteger"`
	Boolean  *bool           `json:"valueBoolean"`
}

// String is the value as shown.
func (v observationValue) String() string {
	switch {
	case v.Quantity != nil:
		return v.Quantity.String()
	case v.Integer != nil:
		return strconv.FormatInt(*v.Integer, 10)
	case v.Boolean != nil:
		return strconv.FormatBool(*v.Boolean)
	case v.Str != "":
		return v.Str
	}
	return v.Concept.display()
}

// when is the observation's clinically relevant time.
func (o *observationJSON) when() string { return cmp.Or(o.Effective, o.EffectivePer.Start, o.Issued) }

// LOINC codes the chart knows (loinc.org; R4 observation-vitalsigns).
const (
	loinc          = "http://loinc.org"
	loincWeight    = "29463-7"
	loincBPPanel   = "85354-9"
	loincSystolic  = "8480-6"
	loincDiastolic = "8462-4"
)

// value is an observation's value as shown: its own value, a blood
// pressure panel as "systolic/diastolic unit", or its components' values.
func (o *observationJSON) value() string {
	if s := o.observationValue.String(); s != "" {
		return s
	}
	var sys, dia *quantity
	var parts []string
	for _, c := range o.Component {
		switch c.Code.code(loinc) {
		case loincSystolic:
			sys = c.Quantity
		case loincDiastolic:
			dia = c.Quantity
		}
		if s := c.observationValue.String(); s != "" {
			parts = append(parts, c.Code.display()+" "+s)
		}
	}
	if sys != nil && dia != nil && sys.Value != nil && dia.Value != nil && sys.unit() == dia.unit() {
		return strings.TrimSpace(sys.Value.String() + "/" + dia.Value.String() + " " + sys.unit())
	}
	return strings.Join(parts, "; ")
}

// latestObservations keeps the newest observation of each code, in the
// order of rs (newest first), at most limit rows; cancelled and
// entered-in-error ones are left out.
func latestObservations(rs []store.Resource, limit int) []ui.EHRObservationRow {
	seen := map[string]bool{}
	var out []ui.EHRObservationRow
	for _, res := range rs {
		if len(out) == limit {
			break
		}
		var o observationJSON
		if json.Unmarshal(res.JSON, &o) != nil || o.Status == "cancelled" || o.Status == "entered-in-error" {
			continue
		}
		k := o.Code.key()
		if seen[k] {
			continue
		}
		seen[k] = true
		row := ui.EHRObservationRow{Name: o.Code.display(), Value: o.value(), Date: dateOf(o.when())}
		if len(o.Interpretation) > 0 {
			if f := o.Interpretation[0].firstCode(); f != "N" {
				row.Flag = f
			}
		}
		out = append(out, row)
	}
	return out
}

// trend draws the observations rs (newest first, as searched) oldest
// first: the value itself, or the component with LOINC code component
// when that is set (systolic in a blood pressure panel). Points without
// a number or a time, or in another unit than the newest, are left out.
func trend(name string, rs []store.Resource, component string) ui.EHRTrend {
	t := ui.EHRTrend{Name: name}
	for _, res := range rs {
		var o observationJSON
		if json.Unmarshal(res.JSON, &o) != nil || o.Status == "cancelled" || o.Status == "entered-in-error" {
			continue
		}
		q := o.Quantity
		if component != "" {
			q = nil
			for _, c := range o.Component {
				if c.Code.code(loinc) == component {
					q = c.Quantity
				}
			}
		}
		v, ok := q.number()
		when, okWhen := parseWhen(o.when())
		if !ok || !okWhen {
			continue
		}
		if t.Unit == "" {
			t.Unit = q.unit()
		} else if q.unit() != t.Unit {
			continue
		}
		t.Points = append(t.Points, ui.EHRTrendPoint{When: when, Date: dateOf(o.when()), Value: v})
	}
	slices.Reverse(t.Points)
	slices.SortStableFunc(t.Points, func(a, b ui.EHRTrendPoint) int { return a.When.Compare(b.When) })
	return t
}
