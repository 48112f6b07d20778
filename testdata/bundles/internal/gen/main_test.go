package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// committed is where the generated bundles are committed, relative to this
// package's directory.
const committed = "../.."

// TestCommittedFilesAreCurrent regenerates the bundles into a temporary
// directory and compares them with the committed ones, byte for byte. After
// changing the generator, run `go run ./testdata/bundles/internal/gen` from
// the repository root.
func TestCommittedFilesAreCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir); err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := filepath.Glob(filepath.Join(committed, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	base := func(paths []string) []string {
		out := make([]string, len(paths))
		for i, p := range paths {
			out[i] = filepath.Base(p)
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff(base(want), base(got)); diff != "" {
		t.Fatalf("committed bundle files differ from the generated ones (-generated +committed):\n%s", diff)
	}
	for _, name := range base(want) {
		gen, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		old, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gen, old) {
			t.Errorf("%s is stale: run go run ./testdata/bundles/internal/gen from the repository root", name)
		}
	}
}

// TestGenerateIsDeterministic guards against map iteration order or other
// run-to-run variation leaking into the output.
func TestGenerateIsDeterministic(t *testing.T) {
	a, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b, cmp.AllowUnexported(file{})); diff != "" {
		t.Errorf("two runs differ:\n%s", diff)
	}
}

func TestNPI(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"123456789", "1234567893"}, // the example in the CMS check digit standard
		{"999900017", "9999000174"},
		{"999900025", "9999000257"},
		{"999900033", "9999000331"},
	} {
		if got := npi(tc.base); got != tc.want {
			t.Errorf("npi(%q) = %q; want %q", tc.base, got, tc.want)
		}
	}
}

func TestUUIDFor(t *testing.T) {
	// Expected values from Python's uuid.uuid5(uuid.NAMESPACE_URL, name).
	for _, tc := range []struct{ name, want string }{
		{"http://python.org/", "4c565f0d-3f5a-5890-b41b-20cf47701c5e"},
		{"https://smartd.example/testdata/bundles/10-jose-nunez/Patient/1", "b1b399a6-84c8-5285-a3bb-cac268476303"},
	} {
		if got := uuidFor(tc.name); got != tc.want {
			t.Errorf("uuidFor(%q) = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestEncode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      any
		want    string
		wantErr error
	}{
		{"order kept, empties dropped", obj("b", 1, "a", "x", "c", "", "d", list(), "e", obj()),
			"{\n  \"b\": 1,\n  \"a\": \"x\"\n}\n", nil},
		{"nested", obj("k", list(obj("v", 1.5), true)),
			"{\n  \"k\": [\n    {\n      \"v\": 1.5\n    },\n    true\n  ]\n}\n", nil},
		{"UTF-8 and HTML characters unescaped", obj("n", "José Ñúñez <a&b> O'Connor"),
			"{\n  \"n\": \"José Ñúñez <a&b> O'Connor\"\n}\n", nil},
		{"empty object refused", object{}, "", errEmpty},
		{"empty string member refused", object{{"k", ""}}, "", errEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encode(tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v; want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// writeStringCases are the table for TestWriteString and the seeds of
// FuzzWriteString.
var writeStringCases = []struct{ in, want string }{
	{"José Ñúñez", `"José Ñúñez"`},
	{"O'Connor", `"O'Connor"`},
	{`a"b\c`, `"a\"b\\c"`},
	{"<&>", `"<&>"`},
	{"tab\tnew\nline", `"tab\tnew\nline"`},
	{"\u2028", `"\u2028"`},
	{"\x00", `"\u0000"`},
}

func TestWriteString(t *testing.T) {
	for _, tc := range writeStringCases {
		var b bytes.Buffer
		if err := writeString(&b, tc.in); err != nil {
			t.Fatalf("writeString(%q): %v", tc.in, err)
		}
		if got := b.String(); got != tc.want {
			t.Errorf("writeString(%q) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzWriteString checks that writeString emits one JSON string that decodes
// back to its input when the input is valid UTF-8, and refuses "".
func FuzzWriteString(f *testing.F) {
	for _, tc := range writeStringCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		err := writeString(&b, s)
		if s == "" {
			if !errors.Is(err, errEmpty) {
				t.Fatalf("empty string: err = %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var back string
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, b.Bytes(), err)
		}
		if utf8.ValidString(s) && back != s {
			t.Errorf("round trip %q -> %s -> %q", s, b.Bytes(), back)
		}
	})
}
