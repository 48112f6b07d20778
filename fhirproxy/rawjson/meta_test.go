package rawjson

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	testID      = "123"
	testVersion = "1"
	testInstant = "2026-11-23T03:30:16.123Z"
	newMeta     = `"versionId":"1","lastUpdated":"2026-11-23T03:30:16.123Z"`
)

func TestFormatInstant(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 23, 3, 30, 16, 123456789, time.UTC), "2026-11-23T03:30:16.123Z"},
		{time.Date(2026, 11, 23, 4, 30, 16, 0, time.FixedZone("CET", 3600)), "2026-11-23T03:30:16.000Z"},
		{time.Date(1999, 1, 2, 3, 4, 5, 7_000_000, time.UTC), "1999-01-02T03:04:05.007Z"},
	}
	for _, tt := range tests {
		if got := FormatInstant(tt.in); got != tt.want {
			t.Errorf("FormatInstant(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

var setMetaTests = []struct {
	name, obj string
	id        string
	want      string
	err       error
}{
	{"no id, no meta", `{"resourceType":"Patient","active":true}`, testID,
		`{"resourceType":"Patient","id":"123","meta":{` + newMeta + `},"active":true}`, nil},
	{"id replaced, meta profile kept", `{"resourceType":"Observation","id":"old","meta":{"profile":["http://x"]},"status":"final"}`, testID,
		`{"resourceType":"Observation","id":"123","meta":{"profile":["http://x"],` + newMeta + `},"status":"final"}`, nil},
	{"versionId and lastUpdated replaced in place",
		`{"meta":{"versionId":"7","tag":[],"lastUpdated":"2020-01-01T00:00:00Z","source":"#a"},"resourceType":"Patient"}`, testID,
		`{"meta":{"versionId":"1","tag":[],"lastUpdated":"2026-11-23T03:30:16.123Z","source":"#a"},"resourceType":"Patient","id":"123"}`, nil},
	{"only lastUpdated present", `{"id":"x","meta":{"lastUpdated":"2020","security":[{"code":"R"}]}}`, testID,
		`{"id":"123","meta":{"lastUpdated":"2026-11-23T03:30:16.123Z","security":[{"code":"R"}],"versionId":"1"}}`, nil},
	{"empty object", `{}`, testID, `{"id":"123","meta":{` + newMeta + `}}`, nil},
	{"empty meta", `{"resourceType":"P","meta":{}}`, testID, `{"resourceType":"P","id":"123","meta":{` + newMeta + `}}`, nil},
	{"meta before id", `{"resourceType":"P","meta":{"source":"s"},"id":"x"}`, testID,
		`{"resourceType":"P","meta":{"source":"s",` + newMeta + `},"id":"123"}`, nil},
	{"escaped names", `{"resourceType":"P","\u0069d":"x","m\u0065ta":{"v\u0065rsionId":"9"}}`, testID,
		`{"resourceType":"P","\u0069d":"123","m\u0065ta":{"v\u0065rsionId":"1","lastUpdated":"2026-11-23T03:30:16.123Z"}}`, nil},
	{"id escaped on output", `{"resourceType":"P"}`, `a"b`,
		`{"resourceType":"P","id":"a\"b","meta":{` + newMeta + `}}`, nil},
	{"duplicate meta: last is the base, first position kept", `{"meta":{"source":"a"},"x":1,"meta":{"source":"b"}}`, testID,
		`{"id":"123","meta":{"source":"b",` + newMeta + `},"x":1}`, nil},
	{"pretty", "{\n  \"resourceType\": \"Patient\",\n  \"meta\": {\n    \"profile\": [\"p\"]\n  },\n  \"active\": true\n}", testID,
		"{\n  \"resourceType\": \"Patient\",\n  \"id\": \"123\",\n  \"meta\": {\n    \"profile\": [\"p\"],\"versionId\": \"1\",\"lastUpdated\": \"2026-11-23T03:30:16.123Z\"\n  },\n  \"active\": true\n}", nil},
	{"other members byte-identical", `{"resourceType":"Observation","valueQuantity":{"value":28.104000000000003},"note":[{"text":"Le\u00f3n \"q\" León"}]}`, testID,
		`{"resourceType":"Observation","id":"123","meta":{` + newMeta + `},"valueQuantity":{"value":28.104000000000003},"note":[{"text":"Le\u00f3n \"q\" León"}]}`, nil},
	{"meta null", `{"meta":null}`, testID, ``, ErrWrongType},
	{"meta array", `{"meta":[]}`, testID, ``, ErrWrongType},
	{"not an object", `[]`, testID, ``, ErrWrongType},
	{"invalid", `{"meta":{"a":}}`, testID, ``, ErrSyntax},
}

func TestSetMeta(t *testing.T) {
	for _, tt := range setMetaTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetMeta([]byte(tt.obj), tt.id, testVersion, testInstant)
			if !checkErr(t, err, tt.err) {
				return
			}
			if string(got) != tt.want {
				t.Errorf("SetMeta(%s)\n got %s\nwant %s", tt.obj, got, tt.want)
			}
			mustValid(t, got)
		})
	}
}

// TestSetMetaFixtures checks on real resources that SetMeta changes id and
// meta only: every other member keeps its bytes, and meta keeps its other
// members' bytes.
func TestSetMetaFixtures(t *testing.T) {
	docs := map[string][]byte{"builtin": readFixture(t)}
	if compact, err := Compact(docs["builtin"]); err == nil {
		docs["builtin compact"] = compact
	}
	for _, typ := range []string{"Encounter", "Observation", "ExplanationOfBenefit", "Patient"} {
		t.Run("load "+typ, func(t *testing.T) { docs[typ] = sampleResource(t, typ) })
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			got, err := SetMeta(doc, "new-id", "42", testInstant)
			if err != nil {
				t.Fatal(err)
			}
			mustValid(t, got)
			if diff := cmp.Diff(withoutIDMeta(t, doc), withoutIDMeta(t, got)); diff != "" {
				t.Errorf("members other than id and meta changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(metaRest(t, doc), metaRest(t, got)); diff != "" {
				t.Errorf("other meta members changed (-before +after):\n%s", diff)
			}
			var r struct {
				ID   string `json:"id"`
				Meta struct {
					VersionID   string `json:"versionId"`
					LastUpdated string `json:"lastUpdated"`
				} `json:"meta"`
			}
			if err := json.Unmarshal(got, &r); err != nil {
				t.Fatal(err)
			}
			if r.ID != "new-id" || r.Meta.VersionID != "42" || r.Meta.LastUpdated != testInstant {
				t.Errorf("id/meta = %+v", r)
			}
		})
	}
}

func withoutIDMeta(t *testing.T, doc []byte) string {
	t.Helper()
	for _, k := range []string{"id", "meta"} {
		var err error
		if doc, err = DeleteTop(doc, k); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Compact(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(c)
}

func metaRest(t *testing.T, doc []byte) string {
	t.Helper()
	meta, ok, err := Top(doc, "meta")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "{}"
	}
	return withoutKeys(t, meta, "versionId", "lastUpdated")
}

func withoutKeys(t *testing.T, doc []byte, keys ...string) string {
	t.Helper()
	for _, k := range keys {
		var err error
		if doc, err = DeleteTop(doc, k); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Compact(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(c)
}

const (
	subsetSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
	subsetCode   = "SUBSETTED"
	subsetCoding = `{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue","code":"SUBSETTED"}`
)

var addTagTests = []struct {
	name, obj, system, code string
	want                    string
	err                     error
}{
	{"no meta", `{"resourceType":"Patient","id":"1","active":true}`, subsetSystem, subsetCode,
		`{"resourceType":"Patient","id":"1","meta":{"tag":[` + subsetCoding + `]},"active":true}`, nil},
	{"no meta, no id", `{"resourceType":"Patient","active":true}`, subsetSystem, subsetCode,
		`{"resourceType":"Patient","meta":{"tag":[` + subsetCoding + `]},"active":true}`, nil},
	{"empty object", `{}`, subsetSystem, subsetCode, `{"meta":{"tag":[` + subsetCoding + `]}}`, nil},
	{"meta without tag", `{"meta":{"versionId":"1"},"a":1}`, subsetSystem, subsetCode,
		`{"meta":{"versionId":"1","tag":[` + subsetCoding + `]},"a":1}`, nil},
	{"empty tag", `{"meta":{"tag":[]}}`, subsetSystem, subsetCode, `{"meta":{"tag":[` + subsetCoding + `]}}`, nil},
	{"empty tag with space", `{"meta":{"tag":[ ]}}`, subsetSystem, subsetCode, `{"meta":{"tag":[ ` + subsetCoding + `]}}`, nil},
	{"one tag", `{"meta":{"tag":[{"system":"a","code":"b"}],"source":"s"}}`, subsetSystem, subsetCode,
		`{"meta":{"tag":[{"system":"a","code":"b"},` + subsetCoding + `],"source":"s"}}`, nil},
	{"pretty tags", "{\"meta\":{\"tag\":[\n {\"code\":\"x\"},\n {\"code\":\"y\"}\n]}}", "", "z",
		"{\"meta\":{\"tag\":[\n {\"code\":\"x\"},\n {\"code\":\"y\"},\n {\"code\":\"z\"}\n]}}", nil},
	{"already tagged", `{"meta":{"tag":[{"code":"SUBSETTED","system":"` + subsetSystem + `"}]}}`, subsetSystem, subsetCode,
		`{"meta":{"tag":[{"code":"SUBSETTED","system":"` + subsetSystem + `"}]}}`, nil},
	{"already tagged, escaped", `{"meta":{"tag":[{"system":"S","code":"\u0043"}]}}`, "S", "C",
		`{"meta":{"tag":[{"system":"S","code":"\u0043"}]}}`, nil},
	{"same code, other system", `{"meta":{"tag":[{"system":"T","code":"C"}]}}`, "S", "C",
		`{"meta":{"tag":[{"system":"T","code":"C"},{"system":"S","code":"C"}]}}`, nil},
	{"code only", `{}`, "", "C", `{"meta":{"tag":[{"code":"C"}]}}`, nil},
	{"system only", `{}`, "S", "", `{"meta":{"tag":[{"system":"S"}]}}`, nil},
	{"escaping", `{}`, `a"b`, "\n", `{"meta":{"tag":[{"system":"a\"b","code":"\n"}]}}`, nil},
	{"non-object tag elements", `{"meta":{"tag":[1,"x",null]}}`, "S", "C", `{"meta":{"tag":[1,"x",null,{"system":"S","code":"C"}]}}`, nil},
	{"tag not array", `{"meta":{"tag":{}}}`, "S", "C", ``, ErrWrongType},
	{"meta not object", `{"meta":"x"}`, "S", "C", ``, ErrWrongType},
	{"not an object", `true`, "S", "C", ``, ErrWrongType},
	{"invalid", `{"meta":{"tag":[}}`, "S", "C", ``, ErrSyntax},
}

func TestAddTag(t *testing.T) {
	for _, tt := range addTagTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AddTag([]byte(tt.obj), tt.system, tt.code)
			if !checkErr(t, err, tt.err) {
				return
			}
			if string(got) != tt.want {
				t.Errorf("AddTag(%s, %q, %q)\n got %s\nwant %s", tt.obj, tt.system, tt.code, got, tt.want)
			}
			mustValid(t, got)
		})
	}
}

// TestElementsSummary is the _elements use: keep some members, then tag.
func TestElementsSummary(t *testing.T) {
	doc := readFixture(t)
	kept, err := KeepTop(doc, map[string]bool{"resourceType": true, "id": true, "meta": true, "status": true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := AddTag(kept, subsetSystem, subsetCode)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compact(got)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"ExplanationOfBenefit","id":"ec8f2cae-c70f-3459-e685-9315ceb1aa6a","meta":{"profile":["http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional"],"tag":[{"system":"https://smarthealthit.org/tags","code":"synthea-5-2019"},` + subsetCoding + `]},"status":"active"}`
	if string(c) != want {
		t.Errorf("got  %s\nwant %s", c, want)
	}
}
