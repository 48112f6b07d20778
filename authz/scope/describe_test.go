package scope

import "testing"

func TestDescribe(t *testing.T) {
	for _, tc := range []struct{ scope, want string }{
		{"patient/Observation.rs?" + labCategory, "Read and search your laboratory observations."},
		{"patient/AllergyIntolerance.r", "Read your allergies."},
		{"patient/AllergyIntolerance.read", "Read and search your allergies."},
		{"patient/Observation.c", "Add your observations."},
		{"patient/Patient.r", "Read your demographics."},
		{"user/Patient.rs", "Read and search patient records you can access."},
		{"system/Encounter.cud", "Add, change and delete visits (encounters) the app's access policy allows."},
		{"patient/MolecularSequence.cud", "Add, change and delete your molecular sequence records."},
		{"patient/*.rs", "Read and search all types of your data, including types added later."},
		{"user/*.cruds", "Read, search, add, change and delete all types of data you can access, including types added later."},
		{"system/*.*", "Read, search, add, change and delete all types of data the app's access policy allows, including types added later."},
		{"patient/Observation.rs?category=" + observationCS + "|laboratory," + observationCS + "|vital-signs",
			"Read and search your laboratory or vital sign observations."},
		{"patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item",
			"Read and search your problem list conditions."},
		{"patient/Observation.rs?code=http://loinc.org|8867-4",
			"Read and search your observations, limited to those where code is 8867-4 (http://loinc.org)."},
		{"user/Observation.rs?code:in=http://vs/x&status=final,amended",
			"Read and search observations you can access, limited to those where code is in the value set http://vs/x and status is final or amended."},
		{"patient/*.rs?_security=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N",
			"Read and search all types of your data, including types added later, limited to those where security label is N (http://terminology.hl7.org/CodeSystem/v3-Confidentiality)."},
		{"patient/Observation.s?code=|abc&code:text=x&value=http://s|", "Search your observations, limited to those where code is abc, code (text) is x and value is any code from http://s."},
		{"launch", "Use the context the app is launched with from the EHR, such as the open patient record."},
		{"launch/patient", "Learn which patient is selected when the app starts."},
		{"launch/encounter", "Learn which visit (encounter) is selected when the app starts."},
		{"launch/imagingstudy?role=http://example.org/role/x", "Learn which ImagingStudy is selected when the app starts (in the role http://example.org/role/x)."},
		{"launch/widget", "Learn which widget record is selected when the app starts."},
		{"openid", "Confirm your identity when you sign in."},
		{"fhirUser", "Know who you are (your FHIR user)."},
		{"profile", "Read your basic profile, such as your name."},
		{"offline_access", "Keep access when you are not using the app (offline access)."},
		{"online_access", "Keep access while you are signed in (online access)."},
		{"__ext", `Ask for "__ext", which this server does not support and will not grant.`},
		{"patient/Observation.dus", `Ask for "patient/Observation.dus", which is not a valid SMART scope (permissions "dus" are neither an ordered subset of cruds nor read, write or *) and will not be granted.`},
	} {
		set := mustParse(t, tc.scope)
		if got := Describe(set[0]); got != tc.want {
			t.Errorf("Describe(%q)\n got %q\nwant %q", tc.scope, got, tc.want)
		}
	}
}
