package conformance

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// formView is an htmlForm with its action as a string, for cmp.
type formView struct {
	Action, Method string
	Fields         []formField
	Buttons        []formButton
}

func views(forms []htmlForm) []formView {
	var out []formView
	for _, f := range forms {
		out = append(out, formView{f.Action.String(), f.Method, f.Fields, f.Buttons})
	}
	return out
}

// formPages are the form-parsing cases; their bodies seed FuzzParseForms.
var formPages = []struct {
	name, body string
	want       []formView
}{
	{"login", `<form method="POST" action="/auth/login"><input type="hidden" name="csrf" value="t1">
		<input name="user"><input type="password" name="pw"><input type="submit" value="Sign in"></form>`,
		[]formView{{"https://as.example/auth/login", "POST",
			[]formField{{Name: "csrf", Value: "t1", Type: "hidden"}, {Name: "user", Type: "text"}, {Name: "pw", Type: "password"}},
			[]formButton{{Value: "Sign in", Label: "Sign in"}}}}},
	{"consent", `<form method=post action="consent"><input type=checkbox name=scope value="openid" checked>
		<input type=checkbox name=scope value="patient/*.rs"><input type="checkbox" name="remember">
		<button type="button">Help</button><button name="decision" value="allow"> Allow
		access </button><button type="reset">Reset</button><button name="decision" value="deny">Deny</button></form>`,
		[]formView{{"https://as.example/auth/consent", "POST",
			[]formField{{Name: "scope", Value: "openid", Type: "checkbox", Checked: true},
				{Name: "scope", Value: "patient/*.rs", Type: "checkbox"}, {Name: "remember", Value: "on", Type: "checkbox"}},
			[]formButton{{Name: "decision", Value: "allow", Label: "Allow access"}, {Name: "decision", Value: "deny", Label: "Deny"}}}}},
	{"picker", `<form role=search><input type=search name=name value="ñu"></form>
		<form method="post" action="https://other.example/pick?x=1"><button name="patient" value="p1"><b>Ana</b> 1970</button></form>`,
		[]formView{
			{"https://as.example/auth/page?step=2", "GET", []formField{{Name: "name", Value: "ñu", Type: "search"}}, nil},
			{"https://other.example/pick?x=1", "POST", nil, []formButton{{Name: "patient", Value: "p1", Label: "Ana 1970"}}}}},
	{"controls", `<form method="post"><select name="s"><option>a</option><option value="b" selected>B</option></select>
		<select name="t"><option value="x">X</option></select><select name="empty"></select>
		<textarea name="note"> hi  there </textarea><input name="off" disabled value="1">
		<input type="radio" name="r" value="1"><input type="radio" name="r" value="2" checked>
		<input type="file" name="f"><input type="image" name="go" alt="Go"><input>
		</form>`,
		[]formView{{"https://as.example/auth/page?step=2", "POST",
			[]formField{{Name: "s", Value: "b", Type: "select"}, {Name: "t", Value: "x", Type: "select"}, {Name: "empty", Type: "select"},
				{Name: "note", Value: "hi there", Type: "textarea"},
				{Name: "r", Value: "1", Type: "radio"}, {Name: "r", Value: "2", Type: "radio", Checked: true}},
			[]formButton{{Name: "go", Label: "Go"}}}}},
	{"no forms", `<p>Something went wrong</p>`, nil},
}

var pageURL, _ = url.Parse("https://as.example/auth/page?step=2")

func TestParseForms(t *testing.T) {
	for _, tt := range formPages {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, views(parseForms([]byte(tt.body), pageURL))); diff != "" {
				t.Errorf("forms (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormValues(t *testing.T) {
	consent := parseForms([]byte(formPages[1].body), pageURL)[0]
	allow := &consent.Buttons[0]
	tests := []struct {
		name   string
		press  *formButton
		untick func(name, value string) bool
		set    url.Values
		want   url.Values
	}{
		{"allow", allow, nil, nil, url.Values{"scope": {"openid"}, "decision": {"allow"}}},
		{"untick openid", allow, func(_, v string) bool { return v == "openid" }, nil, url.Values{"decision": {"allow"}}},
		{"set overrides", allow, nil, url.Values{"scope": {"x", "y"}}, url.Values{"scope": {"x", "y"}, "decision": {"allow"}}},
		{"no button", nil, nil, nil, url.Values{"scope": {"openid"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, consent.values(tt.press, tt.untick, tt.set)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestFormChoice: the browser recognises a login form by its password
// input, consent by an approve button's label or value, and a picker by
// choice buttons or radios.
func TestFormChoice(t *testing.T) {
	page := func(body string) []htmlForm { return parseForms([]byte(body), pageURL) }
	if f, ok := loginForm(page(formPages[0].body)); !ok || f.field("password").Name != "pw" {
		t.Errorf("login form not found")
	}
	if _, ok := loginForm(page(formPages[1].body)); ok {
		t.Errorf("a consent page taken for a login")
	}
	for body, want := range map[string]string{
		formPages[1].body: "allow",
		`<form method=post><button name=d value=1>Decline</button><button name=d value=2>Approve</button></form>`: "2",
		`<form method=post><input type=submit name=ok value="Authorize"></form>`:                                  "Authorize",
		`<form method=post><button name=p value=7>Allowance Smith</button></form>`:                                "",
	} {
		_, btn := consentForm(page(body))
		got := ""
		if btn != nil {
			got = btn.Value
		}
		if got != want {
			t.Errorf("consent button of %.60q: %q, want %q", body, got, want)
		}
	}
	f, btn := pickerForm(page(formPages[2].body))
	if f == nil || btn.Value != "p1" {
		t.Errorf("picker: %+v %+v", f, btn)
	}
	f, _ = pickerForm(page(`<form method=post><input type=radio name=pt value=a><input type=radio name=pt value=b checked><button>Go</button></form>`))
	if f == nil || !cmp.Equal(f.values(nil, nil, nil), url.Values{"pt": {"a"}}) {
		t.Errorf("radio picker: %+v", f)
	}
	if f, _ := pickerForm(page(`<form><button name=a value=b>x</button></form>`)); f != nil {
		t.Errorf("a GET form taken for a picker")
	}
}

func TestMismatchedRedirect(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:8000/callback":  "http://localhost:8000/callback/conformance-mismatch",
		"https://app.example/":            "https://app.example/conformance-mismatch",
		"https://app.example/cb?tenant=1": "https://app.example/cb/conformance-mismatch?tenant=1",
	} {
		got := mismatchedRedirect(in)
		if got != want {
			t.Errorf("mismatchedRedirect(%q) = %q, want %q", in, got, want)
		}
		u, _ := url.Parse(got)
		if matchStop(u, []string{in}) != "" {
			t.Errorf("%q matches the registered %q", got, in)
		}
	}
}

// FuzzParseForms: any page parses without panicking, every form has an
// absolute action, and its values survive URL encoding.
func FuzzParseForms(f *testing.F) {
	for _, p := range formPages {
		f.Add(p.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, form := range parseForms([]byte(body), pageURL) {
			if !form.Action.IsAbs() {
				t.Fatalf("relative action %q", form.Action)
			}
			var btn *formButton
			if len(form.Buttons) > 0 {
				btn = &form.Buttons[0]
			}
			v := form.values(btn, nil, nil)
			back, err := url.ParseQuery(v.Encode())
			if err != nil || !cmp.Equal(v, back, cmp.Comparer(func(a, b url.Values) bool { return a.Encode() == b.Encode() })) {
				t.Fatalf("values %v do not round-trip: %v %v", v, back, err)
			}
		}
	})
}
