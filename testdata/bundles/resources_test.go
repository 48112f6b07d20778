package bundles_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// walk calls fn for every value in v, with the name of the element holding it.
func walk(element string, v any, fn func(element string, v any)) {
	fn(element, v)
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			walk(k, e, fn)
		}
	case []any:
		for _, e := range v {
			walk(element, e, fn)
		}
	}
}

// walkStrings calls fn for every string in v.
func walkStrings(v any, fn func(element, s string)) {
	walk("", v, func(element string, v any) {
		if s, ok := v.(string); ok {
			fn(element, s)
		}
	})
}

// forEachResource runs fn on every resource of every bundle.
func forEachResource(t *testing.T, fn func(l loaded)) {
	t.Helper()
	for _, entries := range load(t) {
		for _, l := range entries {
			fn(l)
		}
	}
}

// TestNoEmptyValues checks FHIR R4 JSON (json.html): no null, no empty or
// blank string, array or object.
func TestNoEmptyValues(t *testing.T) {
	forEachResource(t, func(l loaded) {
		walk("", l.resource, func(element string, v any) {
			empty := false
			switch v := v.(type) {
			case nil:
				empty = true
			case string:
				empty = strings.TrimSpace(v) == ""
			case []any:
				empty = len(v) == 0
			case map[string]any:
				empty = len(v) == 0
			}
			if empty {
				t.Errorf("%s: %s is empty", l.where(), element)
			}
		})
	})
}

var (
	// dateTimeRE is a dateTime with a time, which R4 says must carry a zone.
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
	partialRE  = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	// dateElements are the date, dateTime and instant elements used here;
	// instants must have a time.
	dateElements = map[string]bool{
		"birthDate": false, "deceasedDateTime": true, "onsetDateTime": false, "abatementDateTime": false,
		"recordedDate": true, "effectiveDateTime": true, "issued": true, "authoredOn": true,
		"occurrenceDateTime": true, "recorded": true, "date": true, "creation": true, "start": false, "end": false,
	}
)

// TestDates checks every date element, and that no other string looks like a
// dateTime without a zone.
func TestDates(t *testing.T) {
	forEachResource(t, func(l loaded) {
		walkStrings(l.resource, func(element, s string) {
			timed, isDate := dateElements[element]
			switch {
			case dateTimeRE.MatchString(s):
				if _, err := time.Parse(time.RFC3339, s); err != nil {
					t.Errorf("%s: %s %q: %v", l.where(), element, s, err)
				}
				if element == "birthDate" {
					t.Errorf("%s: birthDate %q has a time", l.where(), s)
				}
			case isDate && !timed && partialRE.MatchString(s):
			case isDate, strings.Contains(s, "T") && partialRE.MatchString(strings.SplitN(s, "T", 2)[0]):
				t.Errorf("%s: %s %q is not a valid dateTime with a zone", l.where(), element, s)
			}
		})
	})
}

// required lists elements every resource of a type must have: R4's
// cardinality 1..1 elements plus what the samples promise.
var required = map[string][]string{
	"Organization":       {"identifier", "name"},
	"Practitioner":       {"identifier", "name"},
	"Patient":            {"identifier", "name", "gender", "birthDate", "telecom", "address"},
	"Encounter":          {"status", "class", "type", "subject", "period", "participant", "serviceProvider"},
	"Condition":          {"clinicalStatus", "verificationStatus", "category", "code", "subject", "encounter", "onsetDateTime"},
	"Observation":        {"status", "category", "code", "subject", "encounter", "effectiveDateTime"},
	"MedicationRequest":  {"status", "intent", "medicationCodeableConcept", "subject", "authoredOn", "requester"},
	"AllergyIntolerance": {"clinicalStatus", "verificationStatus", "code", "patient"},
	"Immunization":       {"status", "vaccineCode", "patient", "occurrenceDateTime"},
	"DocumentReference":  {"status", "type", "subject", "content"},
	"ServiceRequest":     {"status", "intent", "code", "subject", "requester"},
}

// codes holds, for elements with a required binding, the codes allowed
// (R4 value sets) or, for a coding, the system its codes must come from.
var codes = map[string]map[string][]string{
	"Patient":            {"gender": {"male", "female", "other", "unknown"}},
	"Practitioner":       {"gender": {"male", "female", "other", "unknown"}},
	"Encounter":          {"status": {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"}},
	"Observation":        {"status": {"registered", "preliminary", "final", "amended"}},
	"MedicationRequest":  {"status": {"active", "on-hold", "cancelled", "completed", "stopped", "draft", "unknown"}, "intent": {"order"}},
	"Immunization":       {"status": {"completed"}},
	"AllergyIntolerance": {"type": {"allergy", "intolerance"}, "criticality": {"low", "high", "unable-to-assess"}},
	"DocumentReference":  {"status": {"current", "superseded"}, "docStatus": {"preliminary", "final", "amended"}},
	"ServiceRequest":     {"status": {"draft", "active", "on-hold", "revoked", "completed", "unknown"}, "intent": {"order"}, "priority": {"routine", "urgent", "asap", "stat"}},
}

// systems names the code system each coded element must use.
var systems = map[string]map[string]string{
	"Encounter":          {"class": "http://terminology.hl7.org/CodeSystem/v3-ActCode"},
	"Condition":          {"clinicalStatus": "http://terminology.hl7.org/CodeSystem/condition-clinical", "verificationStatus": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "category": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "http://snomed.info/sct"},
	"Observation":        {"category": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "http://loinc.org"},
	"MedicationRequest":  {"medicationCodeableConcept": "http://www.nlm.nih.gov/research/umls/rxnorm"},
	"AllergyIntolerance": {"clinicalStatus": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "verificationStatus": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"},
	"Immunization":       {"vaccineCode": "http://hl7.org/fhir/sid/cvx"},
}

func TestRequiredAndBindings(t *testing.T) {
	forEachResource(t, func(l loaded) {
		typ := l.typ()
		for _, el := range required[typ] {
			if _, ok := l.resource[el]; !ok {
				t.Errorf("%s: missing %s", l.where(), el)
			}
		}
		for el, allowed := range codes[typ] {
			if v, ok := l.resource[el]; ok && !contains(allowed, v) {
				t.Errorf("%s: %s %v not in %v", l.where(), el, v, allowed)
			}
		}
		if cats, ok := l.resource["category"].([]any); ok && typ == "AllergyIntolerance" {
			for _, c := range cats {
				if !contains([]string{"food", "medication", "environment", "biologic"}, c) {
					t.Errorf("%s: category %v", l.where(), c)
				}
			}
		}
		for el, system := range systems[typ] {
			v := l.resource[el]
			if el == "class" { // a Coding, not a CodeableConcept
				v = map[string]any{"coding": []any{v}}
			}
			for _, c := range codings(v) {
				if !strings.HasPrefix(c, system+"|") {
					t.Errorf("%s: %s coding %s; want system %s", l.where(), el, c, system)
				}
			}
		}
	})
}

func contains(allowed []string, v any) bool {
	s, ok := v.(string)
	for _, a := range allowed {
		if ok && s == a {
			return true
		}
	}
	return false
}

// vitalUnits is the UCUM unit the R4 vital signs profile
// (observation-vitalsigns.html) expects for each vital sign used here.
var vitalUnits = map[string]string{
	"29463-7": "kg", "8302-2": "cm", "39156-5": "kg/m2", "9843-4": "cm", "8867-4": "/min",
	"9279-1": "/min", "8310-5": "Cel", "59408-5": "%", "85354-9": "",
}

func TestVitalSigns(t *testing.T) {
	forEachResource(t, func(l loaded) {
		if l.typ() != "Observation" || !slicesContains(codings(l.resource["category"]), "http://terminology.hl7.org/CodeSystem/observation-category|vital-signs") {
			return
		}
		var obs struct {
			Code          fhir.CodeableConcept `json:"code"`
			ValueQuantity *fhir.Quantity       `json:"valueQuantity"`
			Component     []struct {
				Code          fhir.CodeableConcept `json:"code"`
				ValueQuantity *fhir.Quantity       `json:"valueQuantity"`
			} `json:"component"`
		}
		if err := json.Unmarshal(l.entry.Resource, &obs); err != nil || len(obs.Code.Coding) != 1 {
			t.Fatalf("%s: %v", l.where(), err)
		}
		code := *obs.Code.Coding[0].Code
		unit, known := vitalUnits[code]
		switch {
		case !known:
			t.Errorf("%s: vital sign %s not in the profile's list", l.where(), code)
		case code == "85354-9":
			var got []string
			for _, c := range obs.Component {
				if c.ValueQuantity == nil || *c.ValueQuantity.Code != "mm[Hg]" {
					t.Errorf("%s: blood pressure component without a mm[Hg] value", l.where())
				}
				got = append(got, *c.Code.Coding[0].Code)
			}
			if obs.ValueQuantity != nil || strings.Join(got, ",") != "8480-6,8462-4" {
				t.Errorf("%s: blood pressure components %v, value %v; want systolic and diastolic only", l.where(), got, obs.ValueQuantity)
			}
		case obs.ValueQuantity == nil || obs.ValueQuantity.Code == nil || *obs.ValueQuantity.Code != unit:
			t.Errorf("%s: %s needs a valueQuantity in %s", l.where(), code, unit)
		}
	})
}

func slicesContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestQuantities checks that every Quantity is coded in UCUM.
func TestQuantities(t *testing.T) {
	forEachResource(t, func(l loaded) {
		walk("", l.resource, func(element string, v any) {
			m, ok := v.(map[string]any)
			if _, isNumber := m["value"].(json.Number); !ok || !isNumber {
				return
			}
			if m["system"] != "http://unitsofmeasure.org" || m["code"] == nil || m["unit"] == nil {
				t.Errorf("%s: %s %v is not a UCUM quantity", l.where(), element, m)
			}
		})
	})
}

// TestIdentifiers checks MRNs on patients and NPIs (10 digits, valid check
// digit) on practitioners and the organization.
func TestIdentifiers(t *testing.T) {
	forEachResource(t, func(l loaded) {
		ids, _ := l.resource["identifier"].([]any)
		for _, v := range ids {
			id := v.(map[string]any)
			system, value := id["system"].(string), id["value"].(string)
			switch l.typ() {
			case "Patient":
				if !slicesContains(codings(id["type"]), "http://terminology.hl7.org/CodeSystem/v2-0203|MR") ||
					(system != "http://hospital.smarthealthit.org" && !strings.HasPrefix(system, "urn:oid:")) {
					t.Errorf("%s: identifier %v is not an MRN", l.where(), id)
				}
			case "Practitioner", "Organization":
				if system != "http://hl7.org/fhir/sid/us-npi" || !validNPI(value) {
					t.Errorf("%s: identifier %s|%s is not a valid NPI", l.where(), system, value)
				}
			}
		}
		if (l.typ() == "Patient" || l.typ() == "Practitioner" || l.typ() == "Organization") && len(ids) == 0 {
			t.Errorf("%s: no identifier", l.where())
		}
	})
}

// validNPI checks the NPI check digit: Luhn over "80840" and the 10 digits.
func validNPI(s string) bool {
	if len(s) != 10 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	digits := "80840" + s
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func TestValidNPI(t *testing.T) {
	for _, tc := range []struct {
		npi  string
		want bool
	}{
		{"1234567893", true}, // the example in the CMS check digit standard
		{"1234567890", false},
		{"123456789", false},
		{"12345678a3", false},
	} {
		if got := validNPI(tc.npi); got != tc.want {
			t.Errorf("validNPI(%q) = %v; want %v", tc.npi, got, tc.want)
		}
	}
}

// models makes the samply R4 struct for each resource type used here.
var models = map[string]func() any{
	"Organization":       func() any { return new(fhir.Organization) },
	"Practitioner":       func() any { return new(fhir.Practitioner) },
	"Patient":            func() any { return new(fhir.Patient) },
	"Encounter":          func() any { return new(fhir.Encounter) },
	"Condition":          func() any { return new(fhir.Condition) },
	"Observation":        func() any { return new(fhir.Observation) },
	"MedicationRequest":  func() any { return new(fhir.MedicationRequest) },
	"AllergyIntolerance": func() any { return new(fhir.AllergyIntolerance) },
	"Immunization":       func() any { return new(fhir.Immunization) },
	"DocumentReference":  func() any { return new(fhir.DocumentReference) },
	"ServiceRequest":     func() any { return new(fhir.ServiceRequest) },
}

// TestModelShape decodes every resource into the samply R4 model, refusing
// unknown elements: it catches misspelt or misplaced elements, wrong JSON
// types and codes outside the model's enumerations.
func TestModelShape(t *testing.T) {
	forEachResource(t, func(l loaded) {
		model, ok := models[l.typ()]
		if !ok {
			t.Errorf("%s: no model for %s", l.where(), l.typ())
			return
		}
		r := map[string]any{}
		for k, v := range l.resource {
			if k != "resourceType" { // the models have no field for it
				r[k] = v
			}
		}
		raw, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(model()); err != nil {
			t.Errorf("%s: %v", l.where(), err)
		}
	})
}
