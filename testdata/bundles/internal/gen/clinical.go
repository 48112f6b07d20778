package main

import (
	"encoding/base64"
	"math"
	"strings"
	"time"
)

// chart writes one story's visits into its bundle.
type chart struct {
	clock
	b          *bundleBuilder
	s          story
	patient    string            // the Patient's fullUrl
	conditions map[string]string // condition key -> fullUrl
}

var (
	catVitals     = concept{sysObsCat, "vital-signs", "Vital Signs"}
	catLab        = concept{sysObsCat, "laboratory", "Laboratory"}
	catSocial     = concept{sysObsCat, "social-history", "Social History"}
	catClinNote   = concept{sysDocCat, "clinical-note", "Clinical Note"}
	primaryPerf   = concept{sysPartType, "PPRF", "primary performer"}
	administering = concept{"http://terminology.hl7.org/CodeSystem/v2-0443", "AP", "Administering Provider"}
	doseOrdered   = concept{"http://terminology.hl7.org/CodeSystem/dose-rate-type", "ordered", "Ordered"}
)

func (c *chart) subject() object { return ref(c.patient, "") }

func (c *chart) practitioner(p practitioner) object {
	return ref(p.reference(c.s.conditional), p.name())
}

func (c *chart) organization() object {
	return ref(hospital.reference(c.s.conditional), hospital.name)
}

// reason resolves a condition key recorded at this or an earlier visit.
func (c *chart) reason(key string) object {
	if key == "" {
		return nil
	}
	full, ok := c.conditions[key]
	if !ok {
		panic(c.s.file + ": reason " + key + " is not an earlier condition")
	}
	return ref(full, "")
}

// visit writes the Encounter and then what was recorded during it.
func (c *chart) visit(v visit) {
	start := c.at(v.start)
	end := start.Add(30 * time.Minute)
	if v.end != "" {
		end = c.at(v.end)
	}
	var hospitalization object
	if v.discharge != (concept{}) {
		hospitalization = obj("dischargeDisposition", cc(v.discharge))
	}
	enc := c.b.post(obj(
		"resourceType", "Encounter",
		"status", "finished",
		"class", coding(v.class),
		"type", list(cc(v.kind)),
		"subject", c.subject(),
		"participant", list(obj(
			"type", list(cc(primaryPerf)),
			"period", period(dateTime(start), dateTime(end)),
			"individual", c.practitioner(v.by),
		)),
		"period", period(dateTime(start), dateTime(end)),
		"reasonCode", list(cc(v.reason)),
		"hospitalization", hospitalization,
		"serviceProvider", c.organization(),
	))
	for _, cond := range v.conditions {
		c.conditions[cond.key] = c.condition(cond, v, enc, start)
	}
	c.vitals(v, enc, start.Add(10*time.Minute))
	if v.smoking != (concept{}) {
		c.observation(catSocial, loincSmoking, enc, start.Add(12*time.Minute), start.Add(12*time.Minute),
			"valueCodeableConcept", cc(v.smoking))
	}
	for _, r := range v.labs {
		c.lab(r, enc, start.Add(20*time.Minute))
	}
	for _, a := range v.allergies {
		c.allergy(a, v, enc, start)
	}
	for _, m := range v.meds {
		c.medication(m, v, enc, end)
	}
	for _, vac := range v.vaccines {
		c.immunization(vac, v, enc, start.Add(25*time.Minute))
	}
	if v.order != nil {
		c.serviceRequest(*v.order, v, enc, end)
	}
	if v.note != nil {
		c.document(*v.note, v, enc, start, end)
	}
}

func (c *chart) condition(cond condition, v visit, enc string, recorded time.Time) string {
	categories := map[string]string{
		"problem-list-item":   "Problem List Item",
		"encounter-diagnosis": "Encounter Diagnosis",
	}
	clinical := concept{sysCondClin, "active", "Active"}
	abated := ""
	if cond.abated != "" {
		clinical = concept{sysCondClin, "resolved", "Resolved"}
		abated = c.partial(cond.abated)
	}
	onset := dateTime(c.at(v.start))
	if cond.onset != "" {
		onset = c.partial(cond.onset)
	}
	return c.b.post(obj(
		"resourceType", "Condition",
		"clinicalStatus", cc(clinical),
		"verificationStatus", cc(concept{sysCondVer, "confirmed", "Confirmed"}),
		"category", list(cc(concept{sysCondCat, cond.category, categories[cond.category]})),
		"code", cc(cond.code),
		"subject", c.subject(),
		"encounter", ref(enc, ""),
		"onsetDateTime", onset,
		"abatementDateTime", abated,
		"recordedDate", dateTime(recorded),
		"recorder", c.practitioner(v.by),
	))
}

// observation writes one final Observation; extra holds the value members.
func (c *chart) observation(cat, code concept, enc string, effective, issued time.Time, extra ...any) {
	members := []any{
		"resourceType", "Observation",
		"status", "final",
		"category", list(cc(cat)),
		"code", cc(code),
		"subject", c.subject(),
		"encounter", ref(enc, ""),
		"effectiveDateTime", dateTime(effective),
		"issued", dateTime(issued),
	}
	c.b.post(obj(append(members, extra...)...))
}

// vitals follows the R4 vital signs profile (observation-vitalsigns.html).
func (c *chart) vitals(v visit, enc string, at time.Time) {
	vs := v.vitals
	one := func(code concept, value float64, unit, ucum string) {
		if value != 0 {
			c.observation(catVitals, code, enc, at, at, "valueQuantity", qty(value, unit, ucum))
		}
	}
	one(vsHeight, vs.height, "cm", "cm")
	one(vsWeight, vs.weight, "kg", "kg")
	if vs.height != 0 && vs.weight != 0 && age(c.s.birthDate, at) >= 2 {
		m := vs.height / 100
		one(vsBMI, math.Round(vs.weight/(m*m)*10)/10, "kg/m2", "kg/m2")
	}
	one(vsHead, vs.head, "cm", "cm")
	if vs.systolic != 0 {
		c.observation(catVitals, vsBP, enc, at, at, "component", list(
			obj("code", cc(vsSystolic), "valueQuantity", qty(vs.systolic, "mmHg", "mm[Hg]")),
			obj("code", cc(vsDiastolic), "valueQuantity", qty(vs.diastolic, "mmHg", "mm[Hg]")),
		))
	}
	one(vsHeartRate, vs.heartRate, "beats/minute", "/min")
	one(vsRespRate, vs.respRate, "breaths/minute", "/min")
	one(vsTemperature, vs.temperature, "C", "Cel")
	one(vsSpO2, vs.spo2, "%", "%")
}

func (c *chart) lab(r result, enc string, collected time.Time) {
	t := r.test
	interp := concept{sysObsInterp, "N", "Normal"}
	switch {
	case t.high != 0 && r.value > t.high:
		interp = concept{sysObsInterp, "H", "High"}
	case r.value < t.low:
		interp = concept{sysObsInterp, "L", "Low"}
	}
	var low, high object
	if t.low != 0 {
		low = qty(t.low, t.unit, t.ucum)
	}
	if t.high != 0 {
		high = qty(t.high, t.unit, t.ucum)
	}
	c.observation(catLab, t.code, enc, collected, collected.Add(3*time.Hour),
		"valueQuantity", qty(r.value, t.unit, t.ucum),
		"interpretation", list(cc(interp)),
		"referenceRange", list(obj("low", low, "high", high)),
	)
}

func (c *chart) allergy(a allergy, v visit, enc string, recorded time.Time) {
	var reaction object
	if a.reaction != (concept{}) {
		reaction = obj("manifestation", list(cc(a.reaction)), "severity", a.severity)
	}
	onset := ""
	if a.onset != "" {
		onset = c.partial(a.onset)
	}
	c.b.post(obj(
		"resourceType", "AllergyIntolerance",
		"clinicalStatus", cc(concept{sysAllergyCl, "active", "Active"}),
		"verificationStatus", cc(concept{sysAllergyVer, "confirmed", "Confirmed"}),
		"type", a.typ,
		"category", list(a.category),
		"criticality", a.criticality,
		"code", cc(a.code),
		"patient", c.subject(),
		"encounter", ref(enc, ""),
		"onsetDateTime", onset,
		"recordedDate", dateTime(recorded),
		"recorder", c.practitioner(v.by),
		"reaction", list(reaction),
	))
}

func (c *chart) medication(m med, v visit, enc string, authored time.Time) {
	repeat := obj("frequency", m.perDay, "period", 1, "periodUnit", "d")
	if m.days != 0 {
		repeat = append(object{{"boundsDuration", obj("value", m.days, "unit", "days", "system", sysUCUM, "code", "d")}}, repeat...)
	}
	var asNeeded any
	if m.asNeeded {
		asNeeded = true
	}
	c.b.post(obj(
		"resourceType", "MedicationRequest",
		"status", m.status,
		"intent", "order",
		"medicationCodeableConcept", cc(m.code),
		"subject", c.subject(),
		"encounter", ref(enc, ""),
		"authoredOn", dateTime(authored),
		"requester", c.practitioner(v.by),
		"reasonReference", list(c.reason(m.reason)),
		"dosageInstruction", list(obj(
			"sequence", 1,
			"text", m.text,
			"timing", obj("repeat", repeat),
			"asNeededBoolean", asNeeded,
			"doseAndRate", list(obj("type", cc(doseOrdered), "doseQuantity", qty(m.dose, m.unit, m.ucum))),
		)),
	))
}

func (c *chart) immunization(vac vaccine, v visit, enc string, at time.Time) {
	lot := strings.ToUpper(strings.ReplaceAll(uuidFor(c.s.file+"/lot/"+vac.code.code+"/"+v.start), "-", "")[:8])
	c.b.post(obj(
		"resourceType", "Immunization",
		"status", "completed",
		"vaccineCode", cc(vac.code),
		"patient", c.subject(),
		"encounter", ref(enc, ""),
		"occurrenceDateTime", dateTime(at),
		"recorded", dateTime(at),
		"primarySource", true,
		"lotNumber", lot,
		"route", cc(vac.route),
		"performer", list(obj("function", cc(administering), "actor", c.practitioner(v.by))),
	))
}

func (c *chart) serviceRequest(o order, v visit, enc string, authored time.Time) {
	c.b.post(obj(
		"resourceType", "ServiceRequest",
		"status", o.status,
		"intent", "order",
		"category", list(cc(o.category)),
		"priority", "routine",
		"code", cc(o.code),
		"subject", c.subject(),
		"encounter", ref(enc, ""),
		"authoredOn", dateTime(authored),
		"requester", c.practitioner(v.by),
		"reasonReference", list(c.reason(o.reason)),
	))
}

// document is a plain-text clinical note (R4 documentreference.html), the kind
// of resource a SMART launch can pass as fhirContext.
func (c *chart) document(n note, v visit, enc string, start, end time.Time) {
	title := n.kind.display + ", " + end.Format(time.DateOnly)
	c.b.post(obj(
		"resourceType", "DocumentReference",
		"status", "current",
		"docStatus", "final",
		"type", cc(n.kind),
		"category", list(cc(catClinNote)),
		"subject", c.subject(),
		"date", dateTime(end),
		"author", list(c.practitioner(v.by)),
		"custodian", c.organization(),
		"description", title,
		"content", list(obj("attachment", obj(
			"contentType", "text/plain",
			"language", "en-US",
			"data", base64.StdEncoding.EncodeToString([]byte(n.text)),
			"title", title,
			"creation", dateTime(end),
		))),
		"context", obj(
			"encounter", list(ref(enc, "")),
			"period", period(dateTime(start), dateTime(end)),
		),
	))
}
