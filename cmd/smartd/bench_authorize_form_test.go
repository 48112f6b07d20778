package main

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// formCases are the table of TestPageForms and the seeds of
// FuzzPageForms: a page, and the forms found as (action, the entries a
// press of press submits, user and password fields).
var formCases = []struct {
	name, page, press string
	want              []wantForm
}{
	{"consent page", `<!doctype html><html><body><main><h1>Allow access?</h1>
<form method="post" action="/auth/consent">
<input type="hidden" name="csrf_token" value="tok">
<input type="hidden" name="req.state" value="a&amp;b">
<input type="hidden" name="req.scope" value="launch/patient patient/*.rs">
<fieldset><legend>Health records</legend>
<div class="check"><input type="checkbox" id="s0" name="scope" value="launch/patient" checked><label for="s0">Open <span class="tag">limited</span><code>launch/patient</code></label></div>
<div class="check"><input type="checkbox" id="s1" name="scope" value="patient/*.rs" checked=""><label for="s1">Read</label></div>
<div class="check"><input type="checkbox" id="s2" name="scope" value="patient/Observation.rs?category=laboratory"><label for="s2">Labs</label></div>
</fieldset>
<div class="check"><input type="checkbox" id="remember" name="remember" value="1"><label for="remember">Remember</label></div>
<div class="actions"><button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button></div>
</form></main></body></html>`, "Allow", []wantForm{{
		action: "/auth/consent",
		values: url.Values{"csrf_token": {"tok"}, "req.state": {"a&b"}, "req.scope": {"launch/patient patient/*.rs"},
			"scope": {"launch/patient", "patient/*.rs"}, "decision": {"allow"}},
		pressed: true,
	}}},
	{"deny pressed, label in an element", `<form method=POST action=/c><input type=hidden name=x value=1>
<button name=decision value=allow>Allow</button><button name=decision value=deny><span>  Deny </span></button></form>`,
		"deny", []wantForm{{action: "/c", values: url.Values{"x": {"1"}, "decision": {"deny"}}, pressed: true}}},
	{"login page", `<form method="post" action="/auth/login"><input type="hidden" name="csrf_token" value="t">
<input type="text" id="username" name="username" value="" autocomplete="username">
<input type="password" name="password"><button type="submit">Sign in</button></form>`,
		"Sign in", []wantForm{{action: "/auth/login", values: url.Values{"csrf_token": {"t"}, "username": {""}, "password": {""}},
			user: "username", password: "password", pressed: true}}},
	{"the autocomplete=username field is the user's", `<form method=post><input name=q><input type=email name=login autocomplete=username>
<input type=password name=pw><input type=password name=pw2><input type=submit value=Go></form>`,
		"go", []wantForm{{values: url.Values{"q": {""}, "login": {""}, "pw": {""}, "pw2": {""}}, user: "login", password: "pw", pressed: true}}},
	{"controls a browser does not submit", `<form method=post action=/f>
<input type=hidden name=kept value=k><input type=hidden name=off value=x disabled><input type=hidden value=nameless>
<input type=checkbox name=box><input type=checkbox name=on checked><input type=radio name=r value=1><input type=radio name=r value=2 checked>
<input type=file name=f><input type=reset name=rs value=R><input type=image name=img><input type=button name=b value=B>
<button type=button name=nb value=1>Allow</button><button type=reset>Allow</button><button disabled name=d value=1>Allow</button>
<input type=submit name=go value=Allow></form>`,
		"Allow", []wantForm{{action: "/f", values: url.Values{"kept": {"k"}, "on": {"on"}, "r": {"2"}, "go": {"Allow"}}, pressed: true}}},
	{"select and textarea", `<form method=post>
<select name=one><option value=a>A<option value=b selected>B</select>
<select name=first><option>First choice</option><option>Second</option></select>
<select name=many multiple><option value=1 selected>1</option><option value=2>2</option><option selected>three</option></select>
<select name=off disabled><option value=z selected>Z</option></select>
<select name=empty></select>
<textarea name=note>line one
&lt;two&gt;</textarea><button>OK</button></form>`,
		"ok", []wantForm{{values: url.Values{"one": {"b"}, "first": {"First choice"}, "many": {"1", "three"}, "note": {"line one\n<two>"}}, pressed: true}}},
	{"GET forms and fields outside a form are left out", `<input type=hidden name=stray value=1>
<form action=/search><input name=q value=x><button>Allow</button></form>
<form method=post action=/two><input type=hidden name=b value=2></form><input type=hidden name=after value=1>`,
		"Allow", []wantForm{{action: "/two", values: nil, pressed: false}}},
	{"two POST forms keep their own fields", `<form method=post action=/a><input type=hidden name=a value=1><button>Allow</button></form>
<form method=post action=/b><input type=hidden name=b value=2><button>Allow</button></form>`,
		"Allow", []wantForm{{action: "/a", values: url.Values{"a": {"1"}}, pressed: true}, {action: "/b", values: url.Values{"b": {"2"}}, pressed: true}}},
	{"no forms", `<p>Signed out</p>`, "Allow", nil},
}

// wantForm is what a test expects of one form.
type wantForm struct {
	action         string
	values         url.Values // what press submits; nil when nothing is pressed
	user, password string
	pressed        bool
}

func TestPageForms(t *testing.T) {
	for _, tc := range formCases {
		t.Run(tc.name, func(t *testing.T) {
			forms, err := pageForms([]byte(tc.page))
			if err != nil {
				t.Fatal(err)
			}
			var got []wantForm
			for _, f := range forms {
				vals, ok := f.press(tc.press)
				got = append(got, wantForm{action: f.action, values: vals, user: f.userField, password: f.passwordField, pressed: ok})
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(wantForm{})); diff != "" {
				t.Errorf("forms (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzPageForms checks that any page parses without panicking, that a
// button found can be pressed, and that hidden fields come back as they
// were written: a form rendered with a hidden input name=value (escaped
// as html/template would) is read back as exactly that entry.
func FuzzPageForms(f *testing.F) {
	for _, tc := range formCases {
		f.Add(tc.page, "req.state", "a&b")
	}
	f.Add("<form method=post>", `na"me`, "<v>")
	f.Fuzz(func(t *testing.T, page, name, value string) {
		forms, err := pageForms([]byte(page))
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range forms {
			for _, b := range form.buttons {
				if _, ok := form.press(b.label); !ok {
					t.Fatalf("button %q cannot be pressed", b.label)
				}
			}
		}
		if name == "" {
			return
		}
		doc := `<form method="post" action="/x"><input type="hidden" name="` + html.EscapeString(name) +
			`" value="` + html.EscapeString(value) + `"><button>Allow</button></form>`
		forms, err = pageForms([]byte(doc))
		if err != nil || len(forms) != 1 {
			t.Fatalf("%q: %d forms, %v", doc, len(forms), err)
		}
		got, _ := forms[0].press("Allow")
		if want := (url.Values{htmlText(name): {htmlText(value)}}); !cmp.Equal(want, got) {
			t.Errorf("%q read back as %q, want %q", doc, got, want)
		}
	})
}

// htmlText is s as the tokenizer reads it back from an attribute: line
// breaks normalised to \n (HTML Living Standard §13.2.3.5).
func htmlText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
