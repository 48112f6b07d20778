package rawjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// scanTests are documents on which the scanner must agree with
// encoding/json.Valid and Compact with encoding/json.Compact.
var scanTests = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `-0.0e-0`, `1E+2`, `28.104000000000003`, `true`, `false`, `null`,
	" \t\r\n{ \"a\" : [ 1 , 2 , { } , [ ] ] }\n ",
	`{"a\"b":"c\\d\/e\bf\fg\nh\ri\tj\u00e9\uD83D\uDE00"}`,
	`{"León":"Rodríquez611 😀"}`, "\"\xff\xfe\"", `"\ud800"`, `{"a":{"b":{"c":[[[{}]]]}}}`,
	`{"a" "b"}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{a:1}`, `{"a":1 "b":2}`, `[1 2]`,
	`01`, `1.`, `.1`, `1e`, `1e+`, `-`, `+1`, `0x1`, `1.e1`, `NaN`, `tru`, `nul`, `falsey`, `truex`,
	`"a`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", "\"\x00\"", `"\`, `{"a":"b"`, `[`, `{`, `}`, `]`,
	``, ` `, `1 2`, `{} {}`, `{}]`, "\xef\xbb\xbf{}", `{"a":1}` + "\x00",
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
}

func TestCompact(t *testing.T) {
	for _, doc := range scanTests {
		name := doc
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			checkCompact(t, []byte(doc))
		})
	}
}

// checkCompact compares Compact with encoding/json on doc.
func checkCompact(t *testing.T, doc []byte) {
	t.Helper()
	got, err := Compact(doc)
	var want bytes.Buffer
	wantErr := json.Compact(&want, doc)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("Compact(%q) error = %v, encoding/json: %v", doc, err, wantErr)
	}
	if err != nil {
		if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooDeep) {
			t.Fatalf("error %v is not ErrSyntax or ErrTooDeep", err)
		}
		return
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("Compact(%q)\n got %q\nwant %q", doc, got, want.Bytes())
	}
}

func TestCompactTooDeep(t *testing.T) {
	doc := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	if _, err := Compact([]byte(doc)); !errors.Is(err, ErrTooDeep) {
		t.Errorf("error = %v, want ErrTooDeep", err)
	}
	obj := `{"a":` + doc + `}`
	if _, err := RewriteReferences([]byte(obj), func(string) (string, bool) { return "", false }); !errors.Is(err, ErrTooDeep) {
		t.Errorf("RewriteReferences error = %v, want ErrTooDeep", err)
	}
	if _, _, err := Top([]byte(obj), "a"); !errors.Is(err, ErrTooDeep) {
		t.Errorf("Top error = %v, want ErrTooDeep", err)
	}
}

func TestCompactFixtures(t *testing.T) {
	checkCompact(t, readFixture(t))
	t.Run("sample bundle", func(t *testing.T) {
		raw, _ := sampleBundle(t, sampleWithText)
		checkCompact(t, raw)
	})
}
