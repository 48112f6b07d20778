package rawjson

import (
	"encoding/json"
	"errors"
	"testing"
)

// mustValid fails the test when out is not valid JSON.
func mustValid(t *testing.T, out []byte) {
	t.Helper()
	if !json.Valid(out) {
		t.Fatalf("output is not valid JSON: %s", out)
	}
}

// checkErr fails unless err matches want (nil meaning no error).
func checkErr(t *testing.T, err, want error) bool {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return true
	}
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	return false
}

var topTests = []struct {
	name, obj, key string
	want           string
	found          bool
	err            error
}{
	{"object value", `{"a":1,"b":{"c":2}}`, "b", `{"c":2}`, true, nil},
	{"whitespace", " { \"a\" : 1 ,\n\t\"b\" : [ 1 , 2 ] } \n", "b", `[ 1 , 2 ]`, true, nil},
	{"escaped key", `{"\u0069d":"x"}`, "id", `"x"`, true, nil},
	{"key with escaped quote", `{"a\"b":1,"a":2}`, `a"b`, `1`, true, nil},
	{"value with escapes", `{"s":"a\"}\\"}`, "s", `"a\"}\\"`, true, nil},
	{"non-ASCII", `{"name":"León820"}`, "name", `"León820"`, true, nil},
	{"number kept", `{"v":28.104000000000003}`, "v", `28.104000000000003`, true, nil},
	{"duplicate: last wins", `{"id":"a","id":"b"}`, "id", `"b"`, true, nil},
	{"nested is not top", `{"a":{"id":1}}`, "id", ``, false, nil},
	{"absent", `{"a":1}`, "b", ``, false, nil},
	{"empty object", `{}`, "a", ``, false, nil},
	{"empty object with space", "{ \n }", "a", ``, false, nil},
	{"array", `[1]`, "a", ``, false, ErrWrongType},
	{"string", `"a"`, "a", ``, false, ErrWrongType},
	{"missing value", `{"a":}`, "a", ``, false, ErrSyntax},
	{"trailing comma", `{"a":1,}`, "a", ``, false, ErrSyntax},
	{"trailing data", `{"a":1}x`, "a", ``, false, ErrSyntax},
	{"two objects", `{"a":1}{}`, "a", ``, false, ErrSyntax},
	{"bad nested", `{"a":1,"b":[1,]}`, "a", ``, false, ErrSyntax},
	{"invalid array after wrong type", `[1,]`, "a", ``, false, ErrSyntax},
	{"empty", ``, "a", ``, false, ErrSyntax},
}

func TestTop(t *testing.T) {
	for _, tt := range topTests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := Top([]byte(tt.obj), tt.key)
			if !checkErr(t, err, tt.err) {
				return
			}
			if string(got) != tt.want || found != tt.found {
				t.Errorf("Top(%s, %q) = %s, %v; want %s, %v", tt.obj, tt.key, got, found, tt.want, tt.found)
			}
		})
	}
}

var setTopTests = []struct {
	name, obj, key, val, after string
	want                       string
	err                        error
}{
	{"replace in place", `{"resourceType":"Patient","id":"old","active":true}`, "id", `"new"`, "resourceType",
		`{"resourceType":"Patient","id":"new","active":true}`, nil},
	{"insert after", `{"resourceType":"Patient","active":true}`, "id", `"x"`, "resourceType",
		`{"resourceType":"Patient","id":"x","active":true}`, nil},
	{"insert after last member", `{"a":1,"b":2}`, "c", `3`, "b", `{"a":1,"b":2,"c":3}`, nil},
	{"insert at start when after absent", `{"a":1}`, "b", `2`, "zzz", `{"b":2,"a":1}`, nil},
	{"insert at start when after empty", `{"a":1}`, "b", `2`, "", `{"b":2,"a":1}`, nil},
	{"empty object", `{}`, "a", `1`, "", `{"a":1}`, nil},
	{"empty object with space", "{ }", "a", `1`, "", `{ "a":1}`, nil},
	{"pretty", "{\n  \"resourceType\": \"Patient\",\n  \"active\": true\n}\n", "id", `"x"`, "resourceType",
		"{\n  \"resourceType\": \"Patient\",\n  \"id\": \"x\",\n  \"active\": true\n}\n", nil},
	{"value trimmed", `{"a":1}`, "a", " {\"b\" : 2}\n", "", `{"a":{"b" : 2}}`, nil},
	{"duplicates collapse", `{"id":"a","x":1,"id":"b"}`, "id", `"c"`, "", `{"id":"c","x":1}`, nil},
	{"escaped key kept as written", `{"\u0069d":"a","b":1}`, "id", `"c"`, "", `{"\u0069d":"c","b":1}`, nil},
	{"after with escaped name", `{"r\u0065sourceType":"P","b":1}`, "id", `"c"`, "resourceType",
		`{"r\u0065sourceType":"P","id":"c","b":1}`, nil},
	{"inserted key escaped", `{}`, `a"b`, `1`, "", `{"a\"b":1}`, nil},
	{"other bytes kept", `{"v":28.104000000000003,"u":"Le\u00f3n","w":"León"}`, "x", `true`, "v",
		`{"v":28.104000000000003,"x":true,"u":"Le\u00f3n","w":"León"}`, nil},
	{"nested same name untouched", `{"a":{"id":"n"}}`, "id", `"t"`, "a", `{"a":{"id":"n"},"id":"t"}`, nil},
	{"replace object with array", `{"a":{"b":[{"c":1}]},"d":2}`, "a", `[]`, "", `{"a":[],"d":2}`, nil},
	{"leading and trailing space kept", " \n{\"a\":1} \n", "a", `2`, "", " \n{\"a\":2} \n", nil},
	{"invalid value", `{"a":1}`, "b", `{`, "", ``, ErrSyntax},
	{"empty value", `{"a":1}`, "b", ``, "", ``, ErrSyntax},
	{"two values", `{"a":1}`, "b", `1 2`, "", ``, ErrSyntax},
	{"not an object", `[]`, "b", `1`, "", ``, ErrWrongType},
	{"invalid object", `{"a":01}`, "b", `1`, "", ``, ErrSyntax},
}

func TestSetTop(t *testing.T) {
	for _, tt := range setTopTests {
		t.Run(tt.name, func(t *testing.T) {
			obj := []byte(tt.obj)
			got, err := SetTop(obj, tt.key, []byte(tt.val), tt.after)
			if !checkErr(t, err, tt.err) {
				return
			}
			if string(got) != tt.want {
				t.Errorf("SetTop(%s, %q, %s, %q)\n got %s\nwant %s", tt.obj, tt.key, tt.val, tt.after, got, tt.want)
			}
			mustValid(t, got)
			if string(obj) != tt.obj {
				t.Errorf("input modified: %s", obj)
			}
		})
	}
}

var deleteTopTests = []struct {
	name, obj, key, want string
	err                  error
}{
	{"middle", `{"a":1,"b":2,"c":3}`, "b", `{"a":1,"c":3}`, nil},
	{"first", `{"a":1,"b":2,"c":3}`, "a", `{"b":2,"c":3}`, nil},
	{"last", `{"a":1,"b":2,"c":3}`, "c", `{"a":1,"b":2}`, nil},
	{"only", `{"a":1}`, "a", `{}`, nil},
	{"only pretty", "{\n  \"a\": 1\n}", "a", "{}", nil},
	{"absent", `{"a":1}`, "b", `{"a":1}`, nil},
	{"empty", `{}`, "b", `{}`, nil},
	{"duplicates", `{"a":1,"b":2,"a":3}`, "a", `{"b":2}`, nil},
	{"escaped key", `{"\u0061":1,"b":2}`, "a", `{"b":2}`, nil},
	{"pretty first", "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}", "a", "{\n  \"b\": 2,\n  \"c\": 3\n}", nil},
	{"pretty middle", "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}", "b", "{\n  \"a\": 1,\n  \"c\": 3\n}", nil},
	{"pretty last", "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}", "c", "{\n  \"a\": 1,\n  \"b\": 2\n}", nil},
	{"nested kept", `{"a":{"b":1},"b":{"a":2}}`, "b", `{"a":{"b":1}}`, nil},
	{"not an object", `null`, "a", ``, ErrWrongType},
	{"invalid", `{"a" 1}`, "a", ``, ErrSyntax},
}

func TestDeleteTop(t *testing.T) {
	for _, tt := range deleteTopTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DeleteTop([]byte(tt.obj), tt.key)
			if !checkErr(t, err, tt.err) {
				return
			}
			if string(got) != tt.want {
				t.Errorf("DeleteTop(%s, %q)\n got %s\nwant %s", tt.obj, tt.key, got, tt.want)
			}
			mustValid(t, got)
		})
	}
}

var keepTopTests = []struct {
	name, obj string
	keys      []string
	want      string
	err       error
}{
	{"subset in document order", `{"resourceType":"Patient","id":"1","meta":{},"name":[],"gender":"f"}`,
		[]string{"gender", "id", "resourceType"}, `{"resourceType":"Patient","id":"1","gender":"f"}`, nil},
	{"none", `{"a":1,"b":2}`, nil, `{}`, nil},
	{"all", `{"a":1,"b":2}`, []string{"a", "b", "c"}, `{"a":1,"b":2}`, nil},
	{"escaped key", `{"\u0061":1,"b":2}`, []string{"a"}, `{"\u0061":1}`, nil},
	{"duplicates kept", `{"a":1,"b":2,"a":3}`, []string{"a"}, `{"a":1,"a":3}`, nil},
	{"pretty", "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}", []string{"a", "c"}, "{\n  \"a\": 1,\n  \"c\": 3\n}", nil},
	{"not an object", `1`, nil, ``, ErrWrongType},
	{"invalid", `{"a":tru}`, nil, ``, ErrSyntax},
}

func TestKeepTop(t *testing.T) {
	for _, tt := range keepTopTests {
		t.Run(tt.name, func(t *testing.T) {
			keys := map[string]bool{}
			for _, k := range tt.keys {
				keys[k] = true
			}
			got, err := KeepTop([]byte(tt.obj), keys)
			if !checkErr(t, err, tt.err) {
				return
			}
			if string(got) != tt.want {
				t.Errorf("KeepTop(%s, %v)\n got %s\nwant %s", tt.obj, tt.keys, got, tt.want)
			}
			mustValid(t, got)
		})
	}
}
