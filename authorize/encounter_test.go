package authorize

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// encounterPicker signs pat in for scopes and returns the encounter
// picker.
func encounterPicker(t *testing.T, b *browser, scopes string) string {
	t.Helper()
	_, body := b.start(scopes)
	_, body = b.login(body, "pat")
	if page(body) != PickEncounterPath {
		t.Fatalf("got %q, want the encounter picker:\n%s", page(body), body)
	}
	return body
}

const encounterScopes = "launch/patient launch/encounter openid patient/*.rs"

// TestEncounterPicker: the chosen encounter, or none, goes into the
// grant; without launch/encounter there is no picker.
func TestEncounterPicker(t *testing.T) {
	tests := []struct {
		name, pick, want string
	}{
		{"choose", "enc-3", "enc-3"},
		{"continue without", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			b := e.browser()
			body := encounterPicker(t, b, encounterScopes)
			_, body = b.submit(body, PickEncounterPath, url.Values{"encounter": {tt.pick}})
			if page(body) != ConsentPath {
				t.Fatalf("after the pick: %q, want the consent page", page(body))
			}
			g := b.redeem(b.allow(body))
			if g.Context.Patient != "pat-1" || g.Context.Encounter != tt.want {
				t.Errorf("context %+v, want pat-1 and encounter %q", g.Context, tt.want)
			}
		})
	}
	t.Run("not asked", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		g := b.redeem(b.allow(consentPage(t, b, "launch/patient openid patient/*.rs")))
		if g.Context.Encounter != "" {
			t.Errorf("encounter %q without launch/encounter", g.Context.Encounter)
		}
	})
	t.Run("no patient", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		g := b.redeem(b.allow(consentPage(t, b, "launch/encounter openid patient/*.rs")))
		if g.Context.Encounter != "" || g.Context.Patient != "" {
			t.Errorf("context %+v without launch/patient, want none", g.Context)
		}
	})
}

// TestEncounterPickerPages: newest first, a page at a time, searchable
// by class; the page links carry the request.
func TestEncounterPickerPages(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	body := encounterPicker(t, b, encounterScopes)
	ids := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, "enc-"+itoa(i))
		}
		return out
	}
	want := append(ids(1, 10), "") // the last button continues without one
	if diff := cmp.Diff(want, buttonValues(t, body, "encounter")); diff != "" {
		t.Errorf("first page (-want +got):\n%s", diff)
	}
	next := link(t, body, "next")
	_, body = b.do(http.MethodGet, e.srv.URL+next, nil)
	if diff := cmp.Diff(append(ids(11, 20), ""), buttonValues(t, body, "encounter")); diff != "" {
		t.Errorf("second page (-want +got):\n%s", diff)
	}
	_, body = b.do(http.MethodGet, e.srv.URL+link(t, body, "next"), nil)
	if diff := cmp.Diff(append(ids(21, 23), ""), buttonValues(t, body, "encounter")); diff != "" {
		t.Errorf("last page (-want +got):\n%s", diff)
	}
	if strings.Contains(body, `rel="next"`) {
		t.Error("the last page links to a next one")
	}
	u, _ := url.Parse(next)
	q := u.Query()
	q.Del("page")
	q.Set("class", "EMER")
	_, body = b.do(http.MethodGet, e.srv.URL+PickEncounterPath+"?"+q.Encode(), nil)
	if diff := cmp.Diff([]string{"enc-2", "enc-4", "enc-6", "enc-8", "enc-10", "enc-12", "enc-14", "enc-16", "enc-18", "enc-20", ""}, buttonValues(t, body, "encounter")); diff != "" {
		t.Errorf("class EMER (-want +got):\n%s", diff)
	}
	_, body = b.submit(body, PickEncounterPath, url.Values{"encounter": {"enc-20"}})
	if g := b.redeem(b.allow(body)); g.Context.Encounter != "enc-20" {
		t.Errorf("encounter %q, want enc-20", g.Context.Encounter)
	}
}

// TestEncounterOfAnotherPatient: an encounter of another patient, or no
// encounter at all, is refused, by the picker and by a forged consent.
func TestEncounterOfAnotherPatient(t *testing.T) {
	for _, enc := range []string{"enc-x", "enc-404", "enc-1,enc-x"} {
		t.Run("pick "+enc, func(t *testing.T) {
			e := newEnv(t)
			b := e.browser()
			body := encounterPicker(t, b, encounterScopes)
			resp, _ := b.submit(body, PickEncounterPath, url.Values{"encounter": {enc}})
			wantError(t, resp, "access_denied", "not one of the patient's")
		})
		t.Run("consent "+enc, func(t *testing.T) {
			e := newEnv(t)
			b := e.browser()
			body := encounterPicker(t, b, encounterScopes)
			_, body = b.submit(body, PickEncounterPath, url.Values{"encounter": {"enc-1"}})
			resp, _ := b.submit(body, ConsentPath, url.Values{"decision": {"allow"}, encounterField: {enc}})
			wantError(t, resp, "access_denied", "not one of the patient's")
		})
	}
}

// link is the href of the page's rel=next or rel=prev link.
func link(t *testing.T, body, rel string) string {
	t.Helper()
	_, after, ok := strings.Cut(body, `rel="`+rel+`"`)
	before := body
	if ok {
		before = body[:len(body)-len(after)]
	}
	i := strings.LastIndex(before, `href="`)
	if !ok || i < 0 {
		t.Fatalf("no rel=%s link in:\n%s", rel, body)
	}
	href, _, _ := strings.Cut(before[i+len(`href="`):], `"`)
	return strings.ReplaceAll(href, "&amp;", "&")
}

func itoa(i int) string {
	return strings.TrimLeft(string([]byte{byte('0' + i/10), byte('0' + i%10)}), "0")
}
