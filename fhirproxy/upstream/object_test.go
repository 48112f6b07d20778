package upstream

import (
	"bytes"
	"encoding/json"
	"testing"
)

var objectTests = []struct {
	in   string
	want string // "" when in is refused
}{
	{`{}`, `{}`},
	{`{"resourceType":"Bundle","type":"searchset"}`, `{"resourceType":"Bundle","type":"searchset"}`},
	{` { "b" : [1, 2] , "a" : {"x":null} } `, `{"b":[1, 2],"a":{"x":null}}`},
	{`{"u":"a\u0026b","n":-1.5e3,"t":true}`, `{"u":"a\u0026b","n":-1.5e3,"t":true}`},
	{`{"dup":1,"dup":2}`, ""},
	{`{"dup":1,"Dup":2}`, `{"dup":1,"Dup":2}`},
	{`[]`, ""},
	{`"s"`, ""},
	{`{"a":1}{}`, ""},
	{`{"a":1} x`, ""},
	{`{"a":}`, ""},
	{`{"a":1`, ""},
	{``, ""},
}

func TestObject(t *testing.T) {
	for _, tc := range objectTests {
		o, err := parseObject([]byte(tc.in))
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("parseObject(%q) = %s, want an error", tc.in, o.bytes())
		case tc.want != "" && err != nil:
			t.Errorf("parseObject(%q): %v", tc.in, err)
		case tc.want != "" && string(o.bytes()) != tc.want:
			t.Errorf("parseObject(%q).bytes() = %s, want %s", tc.in, o.bytes(), tc.want)
		}
	}
}

func TestObjectEdit(t *testing.T) {
	o, err := parseObject([]byte(`{"resourceType":"Bundle","total":3,"link":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	o.del("total")
	o.setString("url", "https://x.example/fhir?a=1&b=<2>")
	o.set("link", json.RawMessage(`[{"relation":"self"}]`))
	want := `{"resourceType":"Bundle","link":[{"relation":"self"}],"url":"https://x.example/fhir?a=1&b=<2>"}`
	if got := string(o.bytes()); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if o.str("url") != "https://x.example/fhir?a=1&b=<2>" || o.str("link") != "" || o.get("total") != nil {
		t.Errorf("lookups after the edit: %q %q %s", o.str("url"), o.str("link"), o.get("total"))
	}
}

// FuzzObject checks that an object that parses prints as valid JSON
// with the same members in the same order.
func FuzzObject(f *testing.F) {
	for _, tc := range objectTests {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		o, err := parseObject(in)
		if err != nil {
			return
		}
		out := o.bytes()
		if !json.Valid(out) {
			t.Fatalf("%q printed as invalid JSON %q", in, out)
		}
		again, err := parseObject(out)
		if err != nil || len(again) != len(o) {
			t.Fatalf("%q: reparsing %q: %v", in, out, err)
		}
		for i := range o {
			var a, b bytes.Buffer
			json.Compact(&a, o[i].value)
			json.Compact(&b, again[i].value)
			if o[i].name != again[i].name || a.String() != b.String() {
				t.Fatalf("%q: member %d changed: %q %s, then %q %s", in, i, o[i].name, o[i].value, again[i].name, again[i].value)
			}
		}
	})
}
