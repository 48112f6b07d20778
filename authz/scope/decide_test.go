package scope

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecide(t *testing.T) {
	lab := []Param{mustParam(labCategory)}
	vitals := []Param{mustParam(vitalsCategory)}
	for _, tc := range []struct {
		name    string
		granted string
		i       Interaction
		typ     string
		want    Decision // By is checked as a string below
		wantBy  string
	}{
		{name: "wildcard read-search allows search",
			granted: "patient/*.rs", i: Search, typ: "Observation",
			want:   Decision{Allowed: true, Constraints: []Constraint{{Context: ContextPatient, Unfiltered: true}}},
			wantBy: "patient/*.rs"},
		{name: "v1 read is rs",
			granted: "patient/*.read", i: Read, typ: "Patient",
			want:   Decision{Allowed: true, Constraints: []Constraint{{Context: ContextPatient, Unfiltered: true}}},
			wantBy: "patient/*.read"},
		{name: "read-search denies create",
			granted: "patient/*.rs openid", i: Create, typ: "Observation",
			want: Decision{Reason: "no granted scope allows create on Observation"}},
		{name: "v1 write is cud: update allowed",
			granted: "user/Observation.write", i: Update, typ: "Observation",
			want:   Decision{Allowed: true, Constraints: []Constraint{{Context: ContextUser, Unfiltered: true}}},
			wantBy: "user/Observation.write"},
		{name: "v1 write is cud: read denied",
			granted: "user/Observation.write", i: Read, typ: "Observation",
			want: Decision{Reason: "no granted scope allows read on Observation"}},
		{name: "system star allows delete",
			granted: "system/*.*", i: Delete, typ: "Patient",
			want:   Decision{Allowed: true, Constraints: []Constraint{{Context: ContextSystem, Unfiltered: true}}},
			wantBy: "system/*.*"},
		{name: "read without search",
			granted: "patient/Observation.r", i: Search, typ: "Observation",
			want: Decision{Reason: "no granted scope allows search on Observation"}},
		{name: "other type",
			granted: "patient/Observation.rs", i: Search, typ: "Condition",
			want: Decision{Reason: "no granted scope allows search on Condition"}},
		{name: "granular gives a filter",
			granted: "patient/Observation.rs?" + labCategory, i: Read, typ: "Observation",
			want: Decision{Allowed: true, Constraints: []Constraint{
				{Context: ContextPatient, Filters: []Filter{{ResourceType: "Observation", Params: lab}}}}},
			wantBy: "patient/Observation.rs?" + labCategory},
		{name: "granular filters are a union",
			granted: "patient/Observation.rs?" + labCategory + " patient/Observation.rs?" + vitalsCategory, i: Search, typ: "Observation",
			want: Decision{Allowed: true, Constraints: []Constraint{
				{Context: ContextPatient, Filters: []Filter{{ResourceType: "Observation", Params: lab}, {ResourceType: "Observation", Params: vitals}}}}},
			wantBy: "patient/Observation.rs?" + labCategory + " patient/Observation.rs?" + vitalsCategory},
		{name: "narrower filter dropped",
			granted: "patient/Observation.rs?" + labCategory + "&code=x patient/Observation.rs?" + labCategory, i: Search, typ: "Observation",
			want: Decision{Allowed: true, Constraints: []Constraint{
				{Context: ContextPatient, Filters: []Filter{{ResourceType: "Observation", Params: lab}}}}},
			wantBy: "patient/Observation.rs?" + labCategory + "&code=x patient/Observation.rs?" + labCategory},
		{name: "unrestricted scope wins over granular",
			granted: "patient/Observation.rs?" + labCategory + " patient/*.r", i: Read, typ: "Observation",
			want:   Decision{Allowed: true, Constraints: []Constraint{{Context: ContextPatient, Unfiltered: true}}},
			wantBy: "patient/Observation.rs?" + labCategory + " patient/*.r"},
		{name: "granular scope does not allow other letters",
			granted: "patient/Observation.rs?" + labCategory + " patient/*.r", i: Search, typ: "Observation",
			want: Decision{Allowed: true, Constraints: []Constraint{
				{Context: ContextPatient, Filters: []Filter{{ResourceType: "Observation", Params: lab}}}}},
			wantBy: "patient/Observation.rs?" + labCategory},
		{name: "contexts kept apart, in patient-user-system order",
			granted: "user/Observation.rs patient/Observation.rs?" + labCategory, i: Search, typ: "Observation",
			want: Decision{Allowed: true, Constraints: []Constraint{
				{Context: ContextPatient, Filters: []Filter{{ResourceType: "Observation", Params: lab}}},
				{Context: ContextUser, Unfiltered: true}}},
			wantBy: "user/Observation.rs patient/Observation.rs?" + labCategory},
		{name: "system-level search lists types",
			granted: "patient/Observation.rs patient/Condition.rs?category=x patient/Patient.r", i: Search, typ: "",
			want: Decision{Allowed: true, Constraints: []Constraint{
				{Context: ContextPatient, Filters: []Filter{{ResourceType: "Observation"}, {ResourceType: "Condition", Params: []Param{mustParam("category=x")}}}}}},
			wantBy: "patient/Observation.rs patient/Condition.rs?category=x"},
		{name: "system-level search under a wildcard",
			granted: "system/Observation.s system/*.s", i: Search, typ: "",
			want:   Decision{Allowed: true, Constraints: []Constraint{{Context: ContextSystem, Unfiltered: true}}},
			wantBy: "system/Observation.s system/*.s"},
		{name: "system-level search with granular wildcard",
			granted: "user/*.s?_security=R user/*.s?_security=R&_tag=x", i: Search, typ: "",
			want: Decision{Allowed: true, Constraints: []Constraint{
				{Context: ContextUser, Filters: []Filter{{ResourceType: "*", Params: []Param{mustParam("_security=R")}}}}}},
			wantBy: "user/*.s?_security=R user/*.s?_security=R&_tag=x"},
		{name: "system-level search denied",
			granted: "patient/*.r", i: Search, typ: "",
			want: Decision{Reason: "no granted scope allows search across resource types"}},
		{name: "non-resource scopes allow nothing",
			granted: "openid fhirUser launch launch/patient offline_access __x", i: Read, typ: "Patient",
			want: Decision{Reason: "no granted scope allows read on Patient"}},
		{name: "malformed scope allows nothing",
			granted: "patient/Observation.dus", i: Delete, typ: "Observation",
			want: Decision{Reason: "no granted scope allows delete on Observation"}},
		{name: "no interaction", granted: "system/*.*", i: 0, typ: "Patient",
			want: Decision{Reason: "unknown interaction Interaction(0)"}},
		{name: "two interactions at once", granted: "system/*.*", i: Read | Search, typ: "Patient",
			want: Decision{Reason: "unknown interaction Interaction(18)"}},
		{name: "read needs a type", granted: "system/*.*", i: Read, typ: "",
			want: Decision{Reason: "read needs a resource type"}},
		{name: "star is not a type", granted: "system/*.*", i: Read, typ: "*",
			want: Decision{Reason: `"*" is not a resource type name`}},
		{name: "lowercase is not a type", granted: "system/*.*", i: Read, typ: "patient",
			want: Decision{Reason: `"patient" is not a resource type name`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustParse(t, tc.granted).Decide(tc.i, tc.typ)
			if gotBy := got.By.String(); gotBy != tc.wantBy {
				t.Errorf("By = %q, want %q", gotBy, tc.wantBy)
			}
			got.By = nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decide(%v, %q) on %q (-want +got):\n%s", tc.i, tc.typ, tc.granted, diff)
			}
			if got.Allowed != (len(got.Constraints) > 0) || got.Allowed == (got.Reason != "") {
				t.Errorf("inconsistent decision %+v", got)
			}
		})
	}
}

func TestDecisionUnfiltered(t *testing.T) {
	set := mustParse(t, "user/Observation.rs patient/Observation.rs?"+labCategory)
	if d := set.Decide(Search, "Observation"); !d.Unfiltered() {
		t.Errorf("%+v: want Unfiltered (the user context has no filter)", d)
	}
	if d := set[1:].Decide(Search, "Observation"); d.Unfiltered() {
		t.Errorf("%+v: want filtered", d)
	}
}

func TestScopeAllows(t *testing.T) {
	s := mustParse(t, "patient/*.rs")[0]
	for _, tc := range []struct {
		i    Interaction
		typ  string
		want bool
	}{
		{Read, "Observation", true}, {Search, "Patient", true}, {Create, "Observation", false},
		{Read, "*", false}, {0, "Observation", false},
	} {
		if got := s.Allows(tc.i, tc.typ); got != tc.want {
			t.Errorf("%v.Allows(%v, %q) = %v, want %v", s, tc.i, tc.typ, got, tc.want)
		}
	}
	if o := mustParse(t, "openid")[0]; o.Allows(Read, "Patient") {
		t.Error("openid allows read")
	}
	for in, want := range map[string]bool{"patient/*.rs": false, "patient/Observation.rs?a=b": true, "patient/Observation.rs?": false} {
		if got := mustParse(t, in)[0].Granular(); got != want {
			t.Errorf("Parse(%q)[0].Granular() = %v, want %v", in, got, want)
		}
	}
}

func TestInteractionOf(t *testing.T) {
	for code, want := range map[string]Interaction{
		"create": Create, "read": Read, "vread": Read, "history-instance": Read,
		"update": Update, "patch": Update, "delete": Delete,
		"search-type": Search, "history-type": Search, "search-system": Search, "history-system": Search,
	} {
		if got, ok := InteractionOf(code); !ok || got != want {
			t.Errorf("InteractionOf(%q) = %v, %v; want %v", code, got, ok, want)
		}
	}
	for _, code := range []string{"batch", "transaction", "capabilities", "operation", "search", "history", ""} {
		if got, ok := InteractionOf(code); ok {
			t.Errorf("InteractionOf(%q) = %v, want no interaction", code, got)
		}
	}
}

func TestInteractionAndPermsStrings(t *testing.T) {
	if got := Perms(Create | Search | Read).String(); got != "crs" {
		t.Errorf("Perms.String() = %q", got)
	}
	if got := AllPerms.String(); got != "cruds" {
		t.Errorf("AllPerms.String() = %q", got)
	}
	var letters, names []string
	for _, i := range []Interaction{Create, Read, Update, Delete, Search} {
		letters = append(letters, string(i.Letter()))
		names = append(names, i.String())
	}
	if diff := cmp.Diff([]string{"c", "r", "u", "d", "s"}, letters); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"create", "read", "update", "delete", "search"}, names); diff != "" {
		t.Error(diff)
	}
	if Interaction(0).Letter() != 0 || Perms(0).Has(0) {
		t.Error("the zero interaction has a letter or is in a set")
	}
}
