package ui

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzConsent renders the consent page with arbitrary app name, scope and
// description, and checks the output parses to exactly the expected
// structure: no script element, one scope checkbox whose value and the
// title round-trip, and the two buttons.
func FuzzConsent(f *testing.F) {
	f.Add("Growth Chart", "patient/Observation.rs?category=laboratory", "Read lab results.")
	f.Add(evil, evil, evil)
	f.Add(`"><img src=x onerror=alert(1)>`, `' onmouseover='x`, "</label></form><form>")
	f.Fuzz(func(t *testing.T, app, scope, desc string) {
		page := ConsentPage{AppName: app, Scopes: []ScopeChoice{{Value: scope, Description: desc, Checked: true}}, CSRF: "tok", Action: "/c"}
		_, doc := render(t, Consent(page))
		if n := len(all(doc, "script")); n != 0 {
			t.Fatalf("%d script elements", n)
		}
		if n := len(all(doc, "form")); n != 1 {
			t.Fatalf("%d forms, want 1", n)
		}
		if n := len(all(doc, "img")); n != 0 {
			t.Fatalf("%d img elements, want 0", n)
		}
		boxes := checkboxes(doc, "scope")
		if len(boxes) != 1 {
			t.Fatalf("scope checkboxes = %v, want one", boxes)
		}
		if got := buttons(doc); len(got) != 2 || got[0][0] != "Allow" || got[1][0] != "Deny" {
			t.Fatalf("buttons = %q", got)
		}
		// The parser rewrites NUL, CR and invalid UTF-8, so compare only
		// values it leaves alone.
		if clean(scope) {
			if _, ok := boxes[scope]; !ok {
				t.Errorf("checkbox value lost: want %q, have %v", scope, boxes)
			}
		}
		if clean(app) {
			want := strings.Join(strings.Fields(pageTitle(page.title())), " ")
			if got := text(all(doc, "title")[0]); got != want {
				t.Errorf("title = %q, want %q", got, want)
			}
		}
	})
}

func clean(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\r\ufffd")
}
