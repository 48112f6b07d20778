package server_test

import (
	"testing"

	"smartd/authz/scope"
	"smartd/server"
)

func TestSupportsScopeParam(t *testing.T) {
	for _, tc := range []struct {
		requested, granted string
	}{
		{"system/Observation.rs?category=laboratory", "system/Observation.rs?category=laboratory"},
		{"system/Observation.rs?code=http://loinc.org|1234-5", "system/Observation.rs?code=http://loinc.org|1234-5"},
		{"system/Observation.rs?bogus=1", ""},
		{"system/Observation.rs?code:in=http://example.org/vs", ""},
		{"system/Patient.rs?category=x", ""},
		{"system/*.rs?_tag=a|b", "system/*.rs?_tag=a|b"},
		{"system/*.rs?category=x", ""},
		{"system/Observation.rs", "system/Observation.rs"},
	} {
		req, err := scope.Parse(tc.requested)
		if err != nil {
			t.Fatal(err)
		}
		allowed, _ := scope.Parse("system/*.rs")
		got := scope.Grant(req, allowed, scope.GrantOptions{Supports: server.SupportsScopeParam}).String()
		if got != tc.granted {
			t.Errorf("%s: granted %q, want %q", tc.requested, got, tc.granted)
		}
	}
}
