package scope

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	labCategory    = "category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
	vitalsCategory = "category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"
	observationCS  = "http://terminology.hl7.org/CodeSystem/observation-category"
)

// res builds a resource scope; params are raw "name=value" items that
// decode to themselves.
func res(c Context, typ string, p Perms, syn Syntax, params ...string) Scope {
	s := Scope{Kind: KindResource, Context: c, ResourceType: typ, Perms: p, Syntax: syn}
	for _, raw := range params {
		s.Params = append(s.Params, mustParam(raw))
	}
	return s
}

func mustParam(raw string) Param {
	p, problem := parseParam(raw)
	if problem != "" {
		panic(problem)
	}
	return p
}

const (
	rs    = Perms(Read | Search)
	cud   = Perms(Create | Update | Delete)
	r     = Perms(Read)
	cruds = AllPerms
)

// parseCases is the table of Parse results; its inputs seed FuzzRoundTrip.
var parseCases = []struct {
	name string
	in   string
	want Set
}{
	{"empty", "", nil},
	{"only spaces", "   ", nil},
	{"v2 rs", "patient/Observation.rs", Set{res(ContextPatient, "Observation", rs, V2)}},
	{"v2 letters", "user/Observation.c user/Encounter.cud patient/Patient.r system/Group.s",
		Set{res(ContextUser, "Observation", Perms(Create), V2), res(ContextUser, "Encounter", cud, V2),
			res(ContextPatient, "Patient", r, V2), res(ContextSystem, "Group", Perms(Search), V2)}},
	{"v2 cruds wildcard", "user/*.cruds", Set{res(ContextUser, "*", cruds, V2)}},
	{"v1 read", "patient/*.read", Set{res(ContextPatient, "*", rs, V1)}},
	{"v1 write is cud", "user/Observation.write", Set{res(ContextUser, "Observation", cud, V1)}},
	{"v1 star", "system/*.*", Set{res(ContextSystem, "*", cruds, V1)}},
	{"user and patient read", "user/*.read patient/*.read",
		Set{res(ContextUser, "*", rs, V1), res(ContextPatient, "*", rs, V1)}},
	{"granular", "patient/Observation.rs?" + labCategory,
		Set{res(ContextPatient, "Observation", rs, V2, labCategory)}},
	{"granular two params", "patient/Observation.rs?" + labCategory + "&code=http://loinc.org|8867-4",
		Set{res(ContextPatient, "Observation", rs, V2, labCategory, "code=http://loinc.org|8867-4")}},
	{"granular escapes, plus kept", "patient/Observation.rs?code=http%3A%2F%2Floinc.org%7C8867-4&note=a+b",
		Set{{Kind: KindResource, Context: ContextPatient, ResourceType: "Observation", Perms: rs, Params: []Param{
			{Name: "code", Value: "http://loinc.org|8867-4", raw: "code=http%3A%2F%2Floinc.org%7C8867-4"},
			{Name: "note", Value: "a+b", raw: "note=a+b"}}}}},
	{"granular modifier", "patient/Observation.rs?code:in=http://example.org/ValueSet/x",
		Set{res(ContextPatient, "Observation", rs, V2, "code:in=http://example.org/ValueSet/x")}},
	{"granular on v1", "patient/Observation.read?" + labCategory,
		Set{res(ContextPatient, "Observation", rs, V1, labCategory)}},
	{"out of order", "patient/Observation.dus",
		Set{other("patient/Observation.dus", `permissions "dus" are neither an ordered subset of cruds nor read, write or *`)}},
	{"repeated letter", "patient/Observation.rr",
		Set{other("patient/Observation.rr", `permissions "rr" are neither an ordered subset of cruds nor read, write or *`)}},
	{"unknown letter", "patient/Observation.x",
		Set{other("patient/Observation.x", `permissions "x" are neither an ordered subset of cruds nor read, write or *`)}},
	{"empty suffix", "patient/Observation.",
		Set{other("patient/Observation.", `permissions "" are neither an ordered subset of cruds nor read, write or *`)}},
	{"no suffix", "patient/Observation",
		Set{other("patient/Observation", "missing the .permissions suffix after the resource type")}},
	{"lowercase type", "patient/observation.rs",
		Set{other("patient/observation.rs", `resource type "observation" is neither a FHIR type name nor *`)}},
	{"empty query", "patient/Observation.rs?",
		Set{other("patient/Observation.rs?", "empty granular query after ?")}},
	{"param without value", "patient/Observation.rs?category",
		Set{other("patient/Observation.rs?category", `granular parameter "category" is not name=value`)}},
	{"param empty value", "patient/Observation.rs?category=",
		Set{other("patient/Observation.rs?category=", `granular parameter "category=" is not name=value`)}},
	{"trailing ampersand", "patient/Observation.rs?a=b&",
		Set{other("patient/Observation.rs?a=b&", `granular parameter "" is not name=value`)}},
	{"bad escape", "patient/Observation.rs?a=%zz",
		Set{other("patient/Observation.rs?a=%zz", `granular parameter "a=%zz" has a bad %-escape`)}},
	{"escaped control", "patient/Observation.rs?a=%00",
		Set{other("patient/Observation.rs?a=%00", `granular parameter "a=%00" decodes to a control character`)}},
	{"launch scopes", "launch launch/patient launch/encounter",
		Set{{Kind: KindLaunch}, {Kind: KindLaunch, Launch: "patient"}, {Kind: KindLaunch, Launch: "encounter"}}},
	{"launch with role", "launch/imagingstudy?role=http://example.org/role/src%20study",
		Set{{Kind: KindLaunch, Launch: "imagingstudy", Role: "http://example.org/role/src study", roleRaw: "http://example.org/role/src%20study"}}},
	{"launch capital type", "launch/Patient",
		Set{other("launch/Patient", `launch type "Patient" is not a lowercase resource type name`)}},
	{"launch other param", "launch/patient?foo=bar",
		Set{other("launch/patient?foo=bar", `launch scopes take only ?role=, not "foo=bar"`)}},
	{"launch two params", "launch/patient?role=a&x=b",
		Set{other("launch/patient?role=a&x=b", `launch scopes take only ?role=, not "role=a&x=b"`)}},
	{"launch empty role", "launch/patient?role=",
		Set{other("launch/patient?role=", `granular parameter "role=" is not name=value`)}},
	{"identity and lifetime", "openid fhirUser profile offline_access online_access",
		Set{{Kind: KindOpenID}, {Kind: KindFHIRUser}, {Kind: KindProfile}, {Kind: KindOfflineAccess}, {Kind: KindOnlineAccess}}},
	{"extensions", "__extension http://example.com/scope-name FHIRUser launch?role=x",
		Set{{Text: "__extension"}, {Text: "http://example.com/scope-name"}, {Text: "FHIRUser"}, {Text: "launch?role=x"}}},
	{"uri form", "http://smarthealthit.org/fhir/scopes/patient/*.r http://smarthealthit.org/fhir/scopes/launch/patient",
		Set{{Kind: KindResource, Prefix: SMARTPrefix, Context: ContextPatient, ResourceType: "*", Perms: r},
			{Kind: KindLaunch, Prefix: SMARTPrefix, Launch: "patient"}}},
	{"openid uri form", "http://openid.net/specs/openid-connect-core-1_0#openid http://openid.net/specs/openid-connect-core-1_0#offline_access",
		Set{{Kind: KindOpenID, Prefix: OpenIDPrefix}, {Kind: KindOfflineAccess, Prefix: OpenIDPrefix}}},
	{"openid prefix on SMART scope", "http://openid.net/specs/openid-connect-core-1_0#fhirUser",
		Set{other("http://openid.net/specs/openid-connect-core-1_0#fhirUser", "fhirUser is not an OpenID Connect scope")}},
	{"bad uri form", "http://smarthealthit.org/fhir/scopes/patient/Observation.dus",
		Set{other("http://smarthealthit.org/fhir/scopes/patient/Observation.dus", `permissions "dus" are neither an ordered subset of cruds nor read, write or *`)}},
	{"unknown after uri prefix", SMARTPrefix + "bogus", Set{other(SMARTPrefix+"bogus", "not a scope that "+SMARTPrefix+" may precede")}},
	{"double uri prefix", SMARTPrefix + SMARTPrefix + "openid", Set{other(SMARTPrefix+SMARTPrefix+"openid", "not a scope that "+SMARTPrefix+" may precede")}},
	{"duplicates dropped", "openid patient/*.rs openid patient/*.rs fhirUser",
		Set{{Kind: KindOpenID}, res(ContextPatient, "*", rs, V2), {Kind: KindFHIRUser}}},
	{"odd spacing", "  openid    fhirUser  ", Set{{Kind: KindOpenID}, {Kind: KindFHIRUser}}},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	for _, in := range []string{
		"openid\tfhirUser",
		"openid\nfhirUser",
		"openid\x00",
		"patient/Observation.rs?code=\x7f",
		"caf\u00e9",
		`patient/Observation.rs?code="x"`,
		`__a\b`,
	} {
		got, err := Parse(in)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) error = %v, want ErrMalformed", in, err)
		}
		if got != nil {
			t.Errorf("Parse(%q) = %v, want nil set with the error", in, got)
		}
	}
}

// TestParseStringCanonical checks that a canonical scope string (single
// spaces, no duplicates) prints back unchanged, whatever it holds.
func TestParseStringCanonical(t *testing.T) {
	for _, tc := range parseCases {
		in := joinTokens(tc.in)
		set, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if got := set.String(); got != in {
			t.Errorf("Parse(%q).String() = %q", in, got)
		}
	}
}

// joinTokens is what Parse keeps of s, as text: the tokens, once each,
// joined by single spaces.
func joinTokens(s string) string {
	var out []string
	seen := make(map[string]bool)
	for _, tok := range strings.Split(s, " ") {
		if tok != "" && !seen[tok] {
			seen[tok] = true
			out = append(out, tok)
		}
	}
	return strings.Join(out, " ")
}

func TestParamString(t *testing.T) {
	for _, tc := range []struct {
		p    Param
		want string
	}{
		{Param{Name: "category", Value: observationCS + "|laboratory"}, "category=" + observationCS + "|laboratory"},
		{Param{Name: "a=b", Value: "x&y #%z+é"}, "a%3Db=x%26y%20%23%25z+%C3%A9"},
		{mustParam("code=http%3A%2F%2Floinc.org"), "code=http%3A%2F%2Floinc.org"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.p, got, tc.want)
		}
		back := mustParam(tc.p.String())
		if back.Name != tc.p.Name || back.Value != tc.p.Value {
			t.Errorf("parse of %q = %q=%q, want %q=%q", tc.p.String(), back.Name, back.Value, tc.p.Name, tc.p.Value)
		}
	}
}

func TestScopeStringHandBuilt(t *testing.T) {
	for _, tc := range []struct {
		s    Scope
		want string
	}{
		{res(ContextPatient, "Observation", r, V1), "patient/Observation.r"}, // no v1 spelling for r alone
		{res(ContextSystem, "*", cruds, V1), "system/*.*"},
		{Scope{Kind: KindLaunch, Launch: "questionnaire", Role: "http://x/role a"}, "launch/questionnaire?role=http://x/role%20a"},
		{Scope{Kind: KindOnlineAccess, Prefix: SMARTPrefix}, SMARTPrefix + "online_access"},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
