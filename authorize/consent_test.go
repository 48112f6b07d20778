package authorize

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"smartd/sessions"
	"smartd/ui"
)

const (
	labs   = "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
	vitals = "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"
)

// consentPage signs pat in for scopes and returns the consent page.
func consentPage(t *testing.T, b *browser, scopes string) string {
	t.Helper()
	_, body := b.start(scopes)
	resp, body := b.login(body, "pat")
	if resp.StatusCode != http.StatusOK || page(body) != ConsentPath {
		t.Fatalf("got %d on %q, want the consent page:\n%s", resp.StatusCode, page(body), body)
	}
	return body
}

// without returns the form's values of name minus drop.
func without(form url.Values, name string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(form[name]), func(v string) bool { return slices.Contains(drop, v) })
}

// untick returns a consent override that unticks the given scopes and
// parts of page's form.
func untick(t *testing.T, page string, scopes, parts []string) url.Values {
	form := formFields(t, page, ConsentPath)
	return url.Values{
		"decision":     {"allow"},
		ui.ScopeField:  without(form, ui.ScopeField, scopes...),
		ui.NarrowField: without(form, ui.NarrowField, parts...),
	}
}

// TestConsentNarrowing: what the user unticks is not granted, categories
// and wildcard types become narrower scopes, and an untouched page grants
// exactly the requested string.
func TestConsentNarrowing(t *testing.T) {
	const condProblems = "patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item"
	tests := []struct {
		name, scopes  string
		scopes0, part []string // unticked
		extra         url.Values
		want          string
	}{
		{name: "untouched", scopes: "launch/patient openid fhirUser patient/Observation.rs patient/Condition.rs patient/*.read offline_access",
			want: "launch/patient openid fhirUser patient/Observation.rs patient/Condition.rs patient/*.read offline_access"},
		{name: "untick a scope", scopes: "launch/patient openid patient/Patient.rs patient/Observation.rs",
			scopes0: []string{"patient/Patient.rs"}, want: "launch/patient openid patient/Observation.rs"},
		{name: "untick a category", scopes: "launch/patient patient/Observation.rs",
			part: []string{"patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|social-history"},
			want: "launch/patient " + labs + " " + vitals +
				" patient/Observation.rs?category=http://hl7.org/fhir/us/core/CodeSystem/us-core-category|sdoh" +
				" patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|survey" +
				" patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|exam" +
				" patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|imaging" +
				" patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|procedure" +
				" patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|therapy" +
				" patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|activity"},
		{name: "keep one category of each", scopes: "launch/patient patient/Condition.rs patient/Observation.rs",
			part: append(others("Condition", "problem-list-item"), others("Observation", "laboratory")...),
			want: "launch/patient " + condProblems + " " + labs},
		{name: "untick every category", scopes: "launch/patient openid patient/Observation.rs",
			part: others("Observation", ""), want: "launch/patient openid"},
		{name: "wildcard v1 stays v1", scopes: "launch/patient patient/*.read",
			part: typesBut("patient/%s.read", "Patient", "Observation"), want: "launch/patient patient/Patient.read patient/Observation.read"},
		{name: "wildcard v2", scopes: "launch/patient openid patient/*.rs",
			part: typesBut("patient/%s.rs", "Condition"), want: "launch/patient openid patient/Condition.rs"},
		{name: "unticked parent drops its parts", scopes: "launch/patient openid patient/Observation.rs",
			scopes0: []string{"patient/Observation.rs"}, want: "launch/patient openid"},
		{name: "values not offered are ignored", scopes: "launch/patient patient/Observation.rs",
			part: others("Observation", "laboratory"),
			extra: url.Values{
				ui.ScopeField:  {"patient/Observation.rs", "launch/patient", "patient/*.cruds", "user/*.rs", "offline_access"},
				ui.NarrowField: {labs, "patient/Condition.rs", "patient/Observation.cruds", "patient/Observation.rs?category=x"},
			},
			want: "launch/patient " + labs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			b := e.browser()
			body := consentPage(t, b, tt.scopes)
			set := untick(t, body, tt.scopes0, tt.part)
			for k, v := range tt.extra {
				set[k] = v
			}
			resp, _ := b.submit(body, ConsentPath, set)
			if g := b.redeem(resp); g.Scope != tt.want {
				t.Errorf("granted\n%q, want\n%q", g.Scope, tt.want)
			}
		})
	}
}

// others returns the category parts of patient/<typ>.rs except keep.
func others(typ, keep string) []string {
	var out []string
	for _, c := range typeCategories[typ].codes {
		if c.code != keep {
			out = append(out, "patient/"+typ+".rs?category="+c.system+"|"+c.code)
		}
	}
	return out
}

// typesBut returns the wildcard's parts, by format, except keep.
func typesBut(format string, keep ...string) []string {
	var out []string
	for _, w := range wildcardTypes {
		if !slices.Contains(keep, w.typ) {
			out = append(out, strings.Replace(format, "%s", w.typ, 1))
		}
	}
	return out
}

// TestConsentParts: the page offers categories and types as ticked parts
// only where they can narrow.
func TestConsentParts(t *testing.T) {
	e := newEnv(t)
	body := consentPage(t, e.browser(), "launch/patient openid patient/Observation.rs patient/DocumentReference.rs "+labs+" patient/*.rs user/Condition.rs")
	form := formFields(t, body, ConsentPath)
	if got, want := len(form[ui.NarrowField]), len(typeCategories["Observation"].codes)+len(wildcardTypes)+len(typeCategories["Condition"].codes); got != want {
		t.Errorf("%d ticked parts, want %d (Observation's categories, the wildcard's types, user/Condition's categories)", got, want)
	}
	for _, v := range []string{labs, "patient/Patient.rs", "user/Condition.rs?category=http://hl7.org/fhir/us/core/CodeSystem/condition-category|health-concern"} {
		if !slices.Contains(form[ui.NarrowField], v) {
			t.Errorf("part %q not offered", v)
		}
	}
	for _, v := range []string{"patient/DocumentReference.rs?category=", labs + "&category="} {
		for _, got := range form[ui.NarrowField] {
			if strings.HasPrefix(got, v) {
				t.Errorf("part %q offered", got)
			}
		}
	}
	if !strings.Contains(body, `name="remember"`) || strings.Contains(body, `name="remember" value="1" checked`) {
		t.Error("the remember box is missing or ticked")
	}
}

// TestConsentNoCategoryWithoutSupport: categories the server cannot
// enforce are not offered.
func TestConsentNoCategoryWithoutSupport(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Grant.Supports = func(typ, param string) bool { return param != "category" }
	})
	body := consentPage(t, e.browser(), "launch/patient patient/Observation.rs")
	if parts := formFields(t, body, ConsentPath)[ui.NarrowField]; len(parts) != 0 {
		t.Errorf("parts %q offered", parts)
	}
}

// TestConsentDeny: Deny sends access_denied and the state; nothing is
// remembered even with the box ticked.
func TestConsentDeny(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	body := consentPage(t, b, "launch/patient openid patient/*.rs")
	resp, _ := b.submit(body, ConsentPath, url.Values{"decision": {"deny"}, "remember": {"1"}})
	wantError(t, resp, "access_denied", "denied")
	if got, _ := e.users.RememberedConsent("pat", testClient); got != "" {
		t.Errorf("remembered %q after a denial", got)
	}
}

// TestConsentCSRF: the consent form needs the signed-in session's token.
func TestConsentCSRF(t *testing.T) {
	for _, token := range []string{"", "forged"} {
		e := newEnv(t)
		b := e.browser()
		body := consentPage(t, b, "launch/patient openid patient/*.rs")
		set := url.Values{"decision": {"allow"}, sessions.CSRFField: {token}}
		if resp, page := b.submit(body, ConsentPath, set); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "did not come from this site") {
			t.Errorf("token %q: got %d, want the 403 page", token, resp.StatusCode)
		}
	}
}
