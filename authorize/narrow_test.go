package authorize

import (
	"strings"
	"testing"

	"smartd/authz/scope"
)

// chosenCases are the table of TestChosen and the seeds of FuzzChosen:
// requested, ticked and narrow are space-separated.
var chosenCases = []struct {
	name, requested, ticked, narrow, want string
}{
	{"nothing ticked", "openid patient/Patient.rs", "", "", ""},
	{"no parts", "openid patient/Patient.rs", "openid patient/Patient.rs", "", "openid patient/Patient.rs"},
	{"not requested", "openid", "openid offline_access patient/*.rs", "patient/Patient.rs", "openid"},
	{"unknown scopes never", "__ext launch", "__ext launch", "", "launch"},
	{"one category", "patient/Observation.rs", "patient/Observation.rs", labs, labs},
	{"two categories", "patient/Observation.rs", "patient/Observation.rs", vitals + " " + labs, labs + " " + vitals},
	{"categories without the parent", "patient/Observation.rs", "", labs, ""},
	{"a category of another type", "patient/Observation.rs", "patient/Observation.rs",
		"patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item", ""},
	{"already granular", labs, labs, labs + "&category=x", labs},
	{"wildcard v1", "user/*.read", "user/*.read", "user/Patient.read user/Patient.rs", "user/Patient.read"},
	{"wildcard with a parameter", "patient/*.rs?_tag=t", "patient/*.rs?_tag=t", "patient/Goal.rs?_tag=t patient/Goal.rs", "patient/Goal.rs?_tag=t"},
}

func TestChosen(t *testing.T) {
	h := &Handler{}
	for _, tt := range chosenCases {
		t.Run(tt.name, func(t *testing.T) {
			req, err := scope.Parse(tt.requested)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.chosen(req, strings.Fields(tt.ticked), strings.Fields(tt.narrow)).String(); got != tt.want {
				t.Errorf("chosen %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzChosen: whatever a consent form sends back, nothing outside the
// request is chosen, and the untouched form chooses the request exactly.
func FuzzChosen(f *testing.F) {
	for _, tt := range chosenCases {
		f.Add(tt.requested, tt.ticked, tt.narrow)
	}
	h := &Handler{}
	f.Fuzz(func(t *testing.T, requested, ticked, narrow string) {
		req, err := scope.Parse(requested)
		if err != nil {
			return
		}
		for _, c := range h.chosen(req, strings.Fields(ticked), strings.Fields(narrow)) {
			if got := scope.Grant(scope.Set{c}, req, scope.GrantOptions{}).String(); got != c.String() {
				t.Fatalf("chose %q, which the request %q grants only as %q", c, requested, got)
			}
		}
		var all, parts []string
		for _, s := range offered(req) {
			all = append(all, s.String())
			_, ps := h.parts(s)
			for _, p := range ps {
				parts = append(parts, p.value)
			}
		}
		if got, want := h.chosen(req, all, parts).String(), offered(req).String(); got != want {
			t.Fatalf("untouched form chose %q, want %q", got, want)
		}
	})
}
