package rawjson

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testRefs is the rewrite the table tests apply.
var testRefs = map[string]string{
	"urn:uuid:1": "Patient/1",
	"urn:uuid:2": "Encounter/2",
	`a"b`:        `c"d`,
	"ctl":        "a\x01\tb\n",
	"html":       "Patient?name=a&b=<c>",
	"text":       "León\u2028x",
	"bad utf8":   "a\xffb",
	"same":       "same",
}

func rewriteTestRefs(ref string) (string, bool) {
	s, ok := testRefs[ref]
	return s, ok
}

var rewriteTests = []struct {
	name, doc string
	want      string
	refs      []string // every reference seen, in order
	err       error
}{
	{"simple", `{"subject":{"reference":"urn:uuid:1"}}`, `{"subject":{"reference":"Patient/1"}}`,
		[]string{"urn:uuid:1"}, nil},
	{"display kept", `{"subject":{"reference":"urn:uuid:1","display":"urn:uuid:1"}}`,
		`{"subject":{"reference":"Patient/1","display":"urn:uuid:1"}}`, []string{"urn:uuid:1"}, nil},
	{"arrays of objects", `{"a":[{"reference":"urn:uuid:1"},{"reference":"urn:uuid:2"},{"reference":"urn:uuid:3"}]}`,
		`{"a":[{"reference":"Patient/1"},{"reference":"Encounter/2"},{"reference":"urn:uuid:3"}]}`,
		[]string{"urn:uuid:1", "urn:uuid:2", "urn:uuid:3"}, nil},
	{"contained and extensions",
		`{"contained":[{"resourceType":"Coverage","payor":[{"reference":"urn:uuid:1"}]}],"extension":[{"url":"x","valueReference":{"reference":"urn:uuid:2"}}],"insurance":[{"coverage":{"reference":"#coverage"}}]}`,
		`{"contained":[{"resourceType":"Coverage","payor":[{"reference":"Patient/1"}]}],"extension":[{"url":"x","valueReference":{"reference":"Encounter/2"}}],"insurance":[{"coverage":{"reference":"#coverage"}}]}`,
		[]string{"urn:uuid:1", "urn:uuid:2", "#coverage"}, nil},
	{"bundle entries", `{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:1","resource":{"subject":{"reference":"urn:uuid:1"}}}]}`,
		`{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:1","resource":{"subject":{"reference":"Patient/1"}}}]}`,
		[]string{"urn:uuid:1"}, nil},
	{"reference is an object", `{"reference":{"reference":"urn:uuid:1"}}`, `{"reference":{"reference":"Patient/1"}}`,
		[]string{"urn:uuid:1"}, nil},
	{"reference not a string", `{"reference":5,"x":{"reference":null},"y":{"reference":true},"z":{"reference":["urn:uuid:1"]}}`,
		`{"reference":5,"x":{"reference":null},"y":{"reference":true},"z":{"reference":["urn:uuid:1"]}}`, nil, nil},
	{"other keys", `{"references":"urn:uuid:1","Reference":"urn:uuid:1","referenc":"urn:uuid:1","url":"urn:uuid:1"}`,
		`{"references":"urn:uuid:1","Reference":"urn:uuid:1","referenc":"urn:uuid:1","url":"urn:uuid:1"}`, nil, nil},
	{"escaped key", `{"r\u0065ference":"urn:uuid:1"}`, `{"r\u0065ference":"Patient/1"}`, []string{"urn:uuid:1"}, nil},
	{"escaped value", `{"reference":"urn:uuid:\u0031"}`, `{"reference":"Patient/1"}`, []string{"urn:uuid:1"}, nil},
	{"escaped quote in value", `{"reference":"a\"b"}`, `{"reference":"c\"d"}`, []string{`a"b`}, nil},
	{"control characters escaped", `{"reference":"ctl"}`, `{"reference":"a\u0001\tb\n"}`, []string{"ctl"}, nil},
	{"html characters kept", `{"reference":"html"}`, `{"reference":"Patient?name=a&b=<c>"}`, []string{"html"}, nil},
	{"non-ASCII kept, U+2028 escaped", `{"reference":"text"}`, `{"reference":"León\u2028x"}`, []string{"text"}, nil},
	{"invalid UTF-8 replaced", `{"reference":"bad utf8"}`, `{"reference":"a\ufffdb"}`, []string{"bad utf8"}, nil},
	{"unchanged value keeps its escapes", `{"reference":"s\u0061me"}`, `{"reference":"s\u0061me"}`, []string{"same"}, nil},
	{"whitespace kept", "{ \"subject\" : {\n  \"reference\" : \"urn:uuid:1\" ,\n  \"display\":\"x\"\n} }\n",
		"{ \"subject\" : {\n  \"reference\" : \"Patient/1\" ,\n  \"display\":\"x\"\n} }\n", []string{"urn:uuid:1"}, nil},
	{"numbers and text kept", `{"v":28.104000000000003,"e":1E+2,"n":-0.0,"t":"Le\u00f3n León \\ \/","reference":"urn:uuid:2"}`,
		`{"v":28.104000000000003,"e":1E+2,"n":-0.0,"t":"Le\u00f3n León \\ \/","reference":"Encounter/2"}`, []string{"urn:uuid:2"}, nil},
	{"empty objects and arrays", `{"a":{},"b":[],"c":[{}],"reference":""}`, `{"a":{},"b":[],"c":[{}],"reference":""}`, []string{""}, nil},
	{"top-level array", `[{"reference":"urn:uuid:1"},"urn:uuid:2"]`, `[{"reference":"Patient/1"},"urn:uuid:2"]`, []string{"urn:uuid:1"}, nil},
	{"top-level string", `"urn:uuid:1"`, `"urn:uuid:1"`, nil, nil},
	{"unterminated", `{"reference":"urn:uuid:1}`, ``, nil, ErrSyntax},
	{"bad escape", `{"reference":"\x"}`, ``, nil, ErrSyntax},
	{"raw control character", "{\"reference\":\"a\nb\"}", ``, nil, ErrSyntax},
	{"trailing data", `{"reference":"urn:uuid:1"} x`, ``, nil, ErrSyntax},
	{"error after a replacement", `{"reference":"urn:uuid:1","a":[1 2]}`, ``, nil, ErrSyntax},
	{"empty", ` `, ``, nil, ErrSyntax},
}

func TestRewriteReferences(t *testing.T) {
	for _, tt := range rewriteTests {
		t.Run(tt.name, func(t *testing.T) {
			doc := []byte(tt.doc)
			var seen []string
			got, err := RewriteReferences(doc, func(ref string) (string, bool) {
				seen = append(seen, ref)
				return rewriteTestRefs(ref)
			})
			if !checkErr(t, err, tt.err) {
				return
			}
			if string(got) != tt.want {
				t.Errorf("RewriteReferences(%s)\n got %s\nwant %s", tt.doc, got, tt.want)
			}
			if diff := cmp.Diff(tt.refs, seen); diff != "" {
				t.Errorf("references seen (-want +got):\n%s", diff)
			}
			mustValid(t, got)
			if string(doc) != tt.doc {
				t.Errorf("input modified: %s", doc)
			}
		})
	}
}

// TestRewriteReferencesUnchanged checks the documented aliasing: with no
// replacement the document itself comes back.
func TestRewriteReferencesUnchanged(t *testing.T) {
	doc := readFixture(t)
	for name, fn := range map[string]func(string) (string, bool){
		"collect":  func(string) (string, bool) { return "", false },
		"identity": func(s string) (string, bool) { return s, true },
	} {
		got, err := RewriteReferences(doc, fn)
		if err != nil {
			t.Fatal(err)
		}
		if &got[0] != &doc[0] || len(got) != len(doc) {
			t.Errorf("%s: got a new slice", name)
		}
	}
}

// TestRewriteReferencesSamples rewrites every urn:uuid reference of real
// bundles, whole and entry by entry, the way a transaction does, then
// rewrites them back: the result must be the original bytes, so nothing else
// was touched.
func TestRewriteReferencesSamples(t *testing.T) {
	docs := map[string][]byte{"builtin": readFixture(t)}
	t.Run("load", func(t *testing.T) {
		raw, entries := sampleBundle(t, sampleWithText)
		docs["bundle"] = raw
		for i, e := range entries[:min(40, len(entries))] {
			docs[e.FullURL] = e.Resource
			if i == 0 {
				docs["compact entry"], _ = Compact(e.Resource)
			}
		}
	})
	forward := func(ref string) (string, bool) {
		if id, ok := strings.CutPrefix(ref, "urn:uuid:"); ok {
			return "Resource/" + id + "/\"é\"", true
		}
		return "", false
	}
	back := func(ref string) (string, bool) {
		if id, ok := strings.CutPrefix(ref, "Resource/"); ok {
			return "urn:uuid:" + strings.TrimSuffix(id, "/\"é\""), true
		}
		return "", false
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			before := collectRefs(t, doc)
			out, err := RewriteReferences(doc, forward)
			if err != nil {
				t.Fatal(err)
			}
			mustValid(t, out)
			var want []string
			for _, r := range before {
				if s, ok := forward(r); ok {
					r = s
				}
				want = append(want, r)
			}
			if diff := cmp.Diff(want, collectRefs(t, out)); diff != "" {
				t.Errorf("references after rewrite (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, oracleRefs(t, out)); diff != "" {
				t.Errorf("encoding/json sees other references (-want +got):\n%s", diff)
			}
			again, err := RewriteReferences(out, back)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, doc) {
				t.Errorf("rewriting back did not restore the original bytes")
			}
		})
	}
}

func collectRefs(t testing.TB, doc []byte) []string {
	t.Helper()
	var refs []string
	if _, err := RewriteReferences(doc, func(ref string) (string, bool) {
		refs = append(refs, ref)
		return "", false
	}); err != nil {
		t.Fatal(err)
	}
	return refs
}

// oracleRefs lists the string values of "reference" members in document
// order with encoding/json's tokenizer, independently of this package.
func oracleRefs(t testing.TB, doc []byte) []string {
	t.Helper()
	type frame struct {
		object, wantKey bool
		key             string
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var stack []frame
	var refs []string
	// consumed marks the end of a value in the enclosing object.
	consumed := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for dec.More() || len(stack) > 0 {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				consumed()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				stack[n-1].key, stack[n-1].wantKey = v, false
				continue
			}
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].key == "reference" {
				refs = append(refs, v)
			}
			consumed()
		default:
			consumed()
		}
	}
	return refs
}
