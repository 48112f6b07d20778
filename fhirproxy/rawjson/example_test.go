package rawjson_test

import (
	"fmt"
	"strings"
	"time"

	"smartd/fhirproxy/rawjson"
)

func ExampleSetMeta() {
	in := []byte(`{"resourceType":"Observation","meta":{"profile":["http://hl7.org/fhir/StructureDefinition/bodyweight"]},"valueQuantity":{"value":28.104000000000003,"unit":"kg"}}`)
	now := rawjson.FormatInstant(time.Date(2026, 11, 23, 3, 30, 16, 123e6, time.UTC))
	out, err := rawjson.SetMeta(in, "obs-1", "1", now)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"resourceType":"Observation","id":"obs-1","meta":{"profile":["http://hl7.org/fhir/StructureDefinition/bodyweight"],"versionId":"1","lastUpdated":"2026-11-23T03:30:16.123Z"},"valueQuantity":{"value":28.104000000000003,"unit":"kg"}}
}

func ExampleRewriteReferences() {
	in := []byte(`{"resourceType":"Encounter","subject":{"reference":"urn:uuid:8a4c9c04"},"serviceProvider":{"reference":"Organization?identifier=https://github.com/synthetichealth/synthea|127d0b28"}}`)
	ids := map[string]string{"urn:uuid:8a4c9c04": "Patient/p1"}
	out, err := rawjson.RewriteReferences(in, func(ref string) (string, bool) {
		if strings.HasPrefix(ref, "urn:uuid:") {
			id, ok := ids[ref]
			return id, ok
		}
		return "", false
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"resourceType":"Encounter","subject":{"reference":"Patient/p1"},"serviceProvider":{"reference":"Organization?identifier=https://github.com/synthetichealth/synthea|127d0b28"}}
}
