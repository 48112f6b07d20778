package rawjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// isObject reports whether the valid JSON doc is an object.
func isObject(doc []byte) bool {
	t := bytes.TrimLeft(doc, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// wantInvalid fails unless err reports invalid JSON.
func wantInvalid(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooDeep) {
		t.Fatalf("error = %v on invalid JSON, want ErrSyntax or ErrTooDeep", err)
	}
}

func FuzzCompact(f *testing.F) {
	for _, doc := range scanTests {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkCompact(t, doc)
	})
}

func FuzzRewriteReferences(f *testing.F) {
	for _, tt := range rewriteTests {
		f.Add([]byte(tt.doc), "Patient/")
	}
	f.Add([]byte(`{"a":[{"reference":"x","b":{"reference":"y"}}],"reference":"z"}`), "\"\\\u2028\x01é")
	f.Fuzz(func(t *testing.T, doc []byte, prefix string) {
		refs, err := collect(doc)
		if !json.Valid(doc) {
			wantInvalid(t, err)
			return
		}
		if err != nil {
			t.Fatalf("valid JSON rejected: %v", err)
		}
		if diff := cmp.Diff(oracleRefs(t, doc), refs); diff != "" {
			t.Fatalf("references differ from encoding/json's (-oracle +got):\n%s", diff)
		}

		compact, err := Compact(doc)
		if err != nil {
			t.Fatal(err)
		}
		same, err := RewriteReferences(compact, func(s string) (string, bool) { return s, true })
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(same, compact) {
			t.Fatalf("identity rewrite changed the document:\n got %s\nwant %s", same, compact)
		}

		out, err := RewriteReferences(doc, func(s string) (string, bool) { return prefix + s, true })
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out) {
			t.Fatalf("output is not valid JSON: %q", out)
		}
		if !utf8.ValidString(prefix) {
			return // written as \ufffd: the strings no longer match
		}
		var want []string
		for _, r := range refs {
			want = append(want, prefix+r)
		}
		if diff := cmp.Diff(want, oracleRefs(t, out)); diff != "" {
			t.Fatalf("rewritten references (-want +got):\n%s", diff)
		}
	})
}

// collect returns the references of doc in document order.
func collect(doc []byte) ([]string, error) {
	var refs []string
	_, err := RewriteReferences(doc, func(ref string) (string, bool) {
		refs = append(refs, ref)
		return "", false
	})
	return refs, err
}

func FuzzSetTop(f *testing.F) {
	for _, tt := range setTopTests {
		f.Add([]byte(tt.obj), tt.key, []byte(tt.val), tt.after)
	}
	f.Fuzz(func(t *testing.T, obj []byte, key string, val []byte, after string) {
		out, err := SetTop(obj, key, val, after)
		switch {
		case !json.Valid(obj) || !json.Valid(val):
			wantInvalid(t, err)
			return
		case !isObject(obj):
			if !errors.Is(err, ErrWrongType) {
				t.Fatalf("error = %v on a non-object, want ErrWrongType", err)
			}
			return
		case err != nil:
			t.Fatalf("valid input rejected: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("output is not valid JSON: %q", out)
		}
		if !utf8.ValidString(key) {
			return // written as \ufffd: the names no longer match
		}
		var was, is map[string]json.RawMessage
		if err := json.Unmarshal(obj, &was); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &is); err != nil {
			t.Fatal(err)
		}
		if got, want := string(is[key]), string(bytes.TrimSpace(val)); got != want {
			t.Fatalf("value of %q = %s, want %s", key, got, want)
		}
		delete(was, key)
		delete(is, key)
		if diff := cmp.Diff(was, is); diff != "" {
			t.Fatalf("other members changed (-before +after):\n%s", diff)
		}
	})
}

// FuzzObjectEdits checks SetMeta, AddTag, DeleteTop and KeepTop together.
func FuzzObjectEdits(f *testing.F) {
	for _, tt := range setMetaTests {
		f.Add([]byte(tt.obj), "meta", tt.id)
	}
	for _, tt := range addTagTests {
		f.Add([]byte(tt.obj), tt.system, tt.code)
	}
	for _, tt := range deleteTopTests {
		f.Add([]byte(tt.obj), tt.key, "x")
	}
	f.Fuzz(func(t *testing.T, obj []byte, key, s string) {
		if !json.Valid(obj) {
			_, err := SetMeta(obj, s, key, s)
			wantInvalid(t, err)
			_, err = AddTag(obj, key, s)
			wantInvalid(t, err)
			_, err = DeleteTop(obj, key)
			wantInvalid(t, err)
			_, err = KeepTop(obj, map[string]bool{key: true})
			wantInvalid(t, err)
			return
		}
		textOK := utf8.ValidString(key) && utf8.ValidString(s)

		if out, err := SetMeta(obj, s, key, s); err == nil {
			// Maps, not structs: encoding/json matches struct fields
			// without regard to case, and "mEtA" is not meta.
			var r, meta map[string]json.RawMessage
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("SetMeta output %q: %v", out, err)
			}
			if err := json.Unmarshal(r["meta"], &meta); err != nil {
				t.Fatalf("SetMeta output %q: meta: %v", out, err)
			}
			if textOK && (jsonString(t, r["id"]) != s || jsonString(t, meta["versionId"]) != key || jsonString(t, meta["lastUpdated"]) != s) {
				t.Fatalf("SetMeta output %s", out)
			}
		} else if !errors.Is(err, ErrWrongType) {
			t.Fatalf("SetMeta: %v", err)
		}

		if out, err := AddTag(obj, key, s); err == nil {
			var r, meta map[string]json.RawMessage
			var tags []json.RawMessage
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("AddTag output %q: %v", out, err)
			}
			if err := json.Unmarshal(r["meta"], &meta); err != nil {
				t.Fatalf("AddTag output %q: meta: %v", out, err)
			}
			if err := json.Unmarshal(meta["tag"], &tags); err != nil {
				t.Fatalf("AddTag output %q: meta.tag: %v", out, err)
			}
			if textOK && !containsCoding(t, tags, key, s) {
				t.Fatalf("AddTag output %s lacks the coding", out)
			}
		} else if !errors.Is(err, ErrWrongType) {
			t.Fatalf("AddTag: %v", err)
		}

		out, err := DeleteTop(obj, key)
		if !isObject(obj) {
			if !errors.Is(err, ErrWrongType) {
				t.Fatalf("DeleteTop error = %v on a non-object", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out) {
			t.Fatalf("DeleteTop output is not valid JSON: %q", out)
		}
		if _, found, _ := Top(out, key); found {
			t.Fatalf("DeleteTop output %s still has %q", out, key)
		}
		kept, err := KeepTop(obj, map[string]bool{key: true})
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(kept, &m); err != nil {
			t.Fatalf("KeepTop output %q: %v", kept, err)
		}
		want, found, _ := Top(obj, key)
		if got := m[key]; textOK && found && string(got) != string(want) || len(m) > 1 {
			t.Fatalf("KeepTop output %s, want only %q: %s", kept, key, want)
		}
	})
}

// containsCoding reports whether a Coding with system and code (an empty
// one absent) is among tags; member names match exactly.
func containsCoding(t *testing.T, tags []json.RawMessage, system, code string) bool {
	for _, raw := range tags {
		var c map[string]json.RawMessage
		if json.Unmarshal(raw, &c) != nil {
			continue
		}
		if jsonString(t, c["system"]) == system && jsonString(t, c["code"]) == code {
			return true
		}
	}
	return false
}

// jsonString decodes a JSON string; absent or not a string gives "".
func jsonString(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}
