package sampleapp

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// obs is an Observation entry of a searchset Bundle.
func obs(body string) string { return `{"resource":{"resourceType":"Observation",` + body + `}}` }

func bundle(entries ...string) string {
	return `{"resourceType":"Bundle","type":"searchset","entry":[` + strings.Join(entries, ",") + `]}`
}

const (
	weight = `"code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}]}`
	bp     = `"code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"Blood pressure panel with all children optional"}`
)

var vitalsTests = []struct {
	name, bundle string
	want         []vital
}{
	{"newest of each code, in order", bundle(
		obs(weight+`,"status":"final","valueQuantity":{"value":93.6,"unit":"kg"},"effectiveDateTime":"2025-01-21T08:55:00-05:00"`),
		obs(bp+`,"status":"final","effectiveDateTime":"2025-01-21T08:55:00-05:00","component":[`+
			`{"code":{"text":"Systolic"},"valueQuantity":{"value":128,"unit":"mmHg"}},`+
			`{"code":{"text":"Diastolic"},"valueQuantity":{"value":82,"unit":"mmHg"}}]`),
		obs(weight+`,"status":"final","valueQuantity":{"value":95,"unit":"kg"},"effectiveDateTime":"2023-10-24"`),
	), []vital{
		{Name: "Body weight", Value: "93.6", Unit: "kg", Date: "2025-01-21T08:55:00-05:00"},
		{Name: "Blood pressure", Value: "128/82", Unit: "mmHg", Date: "2025-01-21T08:55:00-05:00"},
	}},
	{"precision and comparator kept, coded unit when no text", bundle(
		obs(`"code":{"text":"Pain score"},"valueQuantity":{"value":7.50,"comparator":">=","code":"{score}"},"effectivePeriod":{"start":"2024-02"}`),
	), []vital{{Name: "Pain score", Value: ">=7.50", Unit: "{score}", Date: "2024-02"}}},
	{"entered in error, other resources and valueless ones skipped", bundle(
		obs(weight+`,"status":"entered-in-error","valueQuantity":{"value":1,"unit":"kg"}`),
		`{"resource":{"resourceType":"OperationOutcome"}}`,
		obs(weight+`,"status":"final"`),
		obs(`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"valueQuantity":{"value":70,"unit":"/min"},"issued":"2024-01-01T00:00:00Z"`),
	), []vital{{Name: "Heart rate", Value: "70", Unit: "/min", Date: "2024-01-01T00:00:00Z"}}},
	{"components in different units are not joined", bundle(
		obs(`"code":{"text":"Odd panel"},"component":[{"valueQuantity":{"value":1,"unit":"a"}},{"valueQuantity":{"value":2,"unit":"b"}}]`),
		obs(`"code":{"coding":[{"system":"urn:x","code":"c1","display":"Mood"}]},"valueCodeableConcept":{"text":"Calm"}`),
		obs(`"code":{},"valueString":"no code"`),
	), []vital{{Name: "Mood", Value: "Calm"}}},
	{"empty searchset", `{"resourceType":"Bundle","type":"searchset","total":0}`, nil},
}

func TestLatestVitals(t *testing.T) {
	for _, tt := range vitalsTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := latestVitals([]byte(tt.bundle))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("vitals (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{`{"resourceType":"Patient"}`, `[`, `{"resourceType":"Bundle","entry":{}}`} {
		if _, err := latestVitals([]byte(bad)); err == nil {
			t.Errorf("latestVitals(%s): no error", bad)
		}
	}
}

func TestVitalDay(t *testing.T) {
	for date, want := range map[string]string{"2025-01-21T08:55:00-05:00": "2025-01-21", "2024-02": "2024-02", "": ""} {
		if got := (vital{Date: date}).Day(); got != want {
			t.Errorf("Day of %q = %q, want %q", date, got, want)
		}
	}
}

var patientTests = []struct {
	name, json string
	want       patientInfo
}{
	{"official name, given first", `{"resourceType":"Patient","id":"p1","gender":"male","birthDate":"1971-03-14",
		"name":[{"use":"nickname","given":["Pepe"]},{"use":"official","family":"Ñúñez","given":["José","Antonio"],"prefix":["Sr."]}]}`,
		patientInfo{ID: "p1", Name: "José Antonio Ñúñez", Gender: "male", BirthDate: "1971-03-14"}},
	{"usual when no official", `{"resourceType":"Patient","id":"p2","name":[{"use":"old","family":"Pike"},{"use":"usual","family":"Hargreaves","given":["Eleanor"]}]}`,
		patientInfo{ID: "p2", Name: "Eleanor Hargreaves"}},
	{"text wins", `{"resourceType":"Patient","id":"p3","name":[{"text":"Kai N.","family":"Nakamura"}]}`, patientInfo{ID: "p3", Name: "Kai N."}},
	{"family only, no name at all", `{"resourceType":"Patient","id":"p4","name":[{"family":"Raman"}]}`, patientInfo{ID: "p4", Name: "Raman"}},
	{"no name", `{"resourceType":"Patient","id":"p5"}`, patientInfo{ID: "p5"}},
}

func TestParsePatient(t *testing.T) {
	for _, tt := range patientTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePatient([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("patient (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{`{"resourceType":"Observation","id":"x"}`, `{"resourceType":"Patient","name":"x"}`, ``} {
		if _, err := parsePatient([]byte(bad)); err == nil {
			t.Errorf("parsePatient(%s): no error", bad)
		}
	}
}

// FuzzLatestVitals: any bytes either fail to parse or give vitals that
// each have a name and a value; a parsed patient's name has no outer
// spaces.
func FuzzLatestVitals(f *testing.F) {
	for _, tt := range vitalsTests {
		f.Add([]byte(tt.bundle))
	}
	for _, tt := range patientTests {
		f.Add([]byte(tt.json))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := latestVitals(raw)
		if err != nil {
			return
		}
		for _, v := range got {
			if v.Name == "" || v.Value == "" {
				t.Errorf("vital without a name or value: %+v", v)
			}
		}
		if p, err := parsePatient(raw); err == nil && p.Name != strings.TrimSpace(p.Name) {
			t.Errorf("name %q has outer spaces", p.Name)
		}
	})
}
