package ehr

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/store"
	"smartd/ui"
)

func TestAge(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct{ birth, want string }{
		{"1971-03-14", "54 y"},
		{"1971-03-01", "55 y"},
		{"1971-03-02", "54 y"},
		{"2024-03-01", "2 y"},
		{"2024-03-02", "23 mo"},
		{"2026-01-31", "1 mo"},
		{"2026-02-10", "19 d"},
		{"2026-03-01", "0 d"},
		{"1971", "55 y"},
		{"1971-06", "54 y"},
		{"2027-01-01", ""},
		{"not a date", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := age(tc.birth, at); got != tc.want {
			t.Errorf("age(%q) = %q, want %q", tc.birth, got, tc.want)
		}
	}
}

func TestBanner(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, json string
		want       ui.EHRBanner
	}{
		{"official name and MRN", `{"name":[{"use":"usual","given":["Joe"]},{"use":"official","family":"Ñúñez","given":["José","Antonio"]}],
			"gender":"male","birthDate":"1971-03-14","identifier":[{"value":"ssn"},{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"100001"}]}`,
			ui.EHRBanner{Name: "José Antonio Ñúñez", Gender: "male", BirthDate: "1971-03-14", Age: "54 y", MRN: "100001"}},
		{"text name, deceased", `{"name":[{"text":"Walter K"}],"birthDate":"1944-08-12","deceasedDateTime":"2024-10-31T23:40:00-04:00"}`,
			ui.EHRBanner{Name: "Walter K", BirthDate: "1944-08-12", Age: "80 y", Deceased: "2024-10-31"}},
		{"deceased flag", `{"deceasedBoolean":true}`, ui.EHRBanner{Name: "p1", Deceased: "yes"}},
		{"MR of another system is not the MRN", `{"identifier":[{"type":{"coding":[{"system":"http://example.org","code":"MR"}]},"value":"x"}]}`,
			ui.EHRBanner{Name: "p1"}},
		{"broken JSON", `{`, ui.EHRBanner{Name: "p1"}},
	}
	for _, tc := range tests {
		got := banner(store.Resource{Type: "Patient", ID: "p1", JSON: []byte(tc.json)}, now)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestObservationValue(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"valueQuantity":{"value":93.60,"unit":"kg"}}`, "93.60 kg"},
		{`{"valueQuantity":{"value":6.6,"unit":"%"}}`, "6.6 %"},
		{`{"valueQuantity":{"value":5,"comparator":"<","code":"mg/L"}}`, "<5 mg/L"},
		{`{"valueCodeableConcept":{"coding":[{"display":"Former smoker"}]}}`, "Former smoker"},
		{`{"valueString":"negative"}`, "negative"},
		{`{"valueInteger":3}`, "3"},
		{`{"valueBoolean":false}`, "false"},
		{`{"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":128,"unit":"mmHg"}},
			{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":82,"unit":"mmHg"}}]}`, "128/82 mmHg"},
		{`{"component":[{"code":{"text":"a"},"valueString":"x"},{"code":{"text":"b"},"valueInteger":2}]}`, "a x; b 2"},
		{`{}`, ""},
	}
	for _, tc := range tests {
		var o observationJSON
		if err := json.Unmarshal([]byte(tc.json), &o); err != nil {
			t.Fatal(err)
		}
		if got := o.value(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.json, got, tc.want)
		}
	}
}

func obs(id, js string) store.Resource {
	return store.Resource{Type: "Observation", ID: id, JSON: []byte(js)}
}

func TestTrend(t *testing.T) {
	// Newest first, as searched; one in another unit, one without a time,
	// one entered in error.
	rs := []store.Resource{
		obs("4", `{"status":"final","effectiveDateTime":"2024-05-01","valueQuantity":{"value":93.6,"unit":"kg"}}`),
		obs("3", `{"status":"final","effectiveDateTime":"2023-01-01","valueQuantity":{"value":200,"unit":"[lb_av]"}}`),
		obs("x", `{"status":"entered-in-error","effectiveDateTime":"2022-06-01","valueQuantity":{"value":1,"unit":"kg"}}`),
		obs("2", `{"status":"final","valueQuantity":{"value":99,"unit":"kg"}}`),
		obs("1", `{"status":"final","effectivePeriod":{"start":"2021-02-09T08:50:00-05:00"},"valueQuantity":{"value":102.4,"unit":"kg"}}`),
	}
	got := trend("Body weight", rs, "")
	want := ui.EHRTrend{Name: "Body weight", Unit: "kg", Points: []ui.EHRTrendPoint{
		{When: time.Date(2021, 2, 9, 8, 50, 0, 0, time.FixedZone("", -5*3600)), Date: "2021-02-09", Value: 102.4},
		{When: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Date: "2024-05-01", Value: 93.6},
	}}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("trend (-want +got):\n%s", diff)
	}
	bp := []store.Resource{
		obs("b", `{"effectiveDateTime":"2024-01-01","component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mmHg"}}]}`),
		obs("a", `{"effectiveDateTime":"2023-01-01","component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mmHg"}}]}`),
	}
	if got := trend("Systolic", bp, loincSystolic); len(got.Points) != 1 || got.Points[0].Value != 120 || got.Unit != "mmHg" {
		t.Errorf("systolic trend %+v", got)
	}
}

func TestLatestObservations(t *testing.T) {
	rs := []store.Resource{
		obs("1", `{"code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}],"text":"Body weight"},"effectiveDateTime":"2024-05-01T10:00:00Z","valueQuantity":{"value":93.6,"unit":"kg"}}`),
		obs("2", `{"code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}],"text":"Body weight"},"effectiveDateTime":"2023-05-01","valueQuantity":{"value":99,"unit":"kg"}}`),
		obs("3", `{"code":{"text":"HbA1c"},"effectiveDateTime":"2023-04-01","valueQuantity":{"value":8.9,"unit":"%"},"interpretation":[{"coding":[{"code":"H"}]}]}`),
		obs("4", `{"status":"cancelled","code":{"text":"Glucose"},"valueQuantity":{"value":1,"unit":"mg/dL"}}`),
		obs("5", `{"code":{"text":"LDL"},"valueQuantity":{"value":90,"unit":"mg/dL"},"interpretation":[{"coding":[{"code":"N"}]}]}`),
	}
	want := []ui.EHRObservationRow{
		{Name: "Body weight", Value: "93.6 kg", Date: "2024-05-01"},
		{Name: "HbA1c", Value: "8.9 %", Flag: "H", Date: "2023-04-01"},
		{Name: "LDL", Value: "90 mg/dL"},
	}
	if diff := cmp.Diff(want, latestObservations(rs, 10)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got := latestObservations(rs, 2); len(got) != 2 {
		t.Errorf("limit 2: %d rows", len(got))
	}
}
