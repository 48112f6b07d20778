package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// modelError maps an error of a samply UnmarshalXxx, for a document the walk has
// accepted, to a refusal. Check no longer calls the models at run time (the
// walk checks everything they do, at half the cost); the tests use them as an
// oracle that the walk must agree with. The walk checks everything the models do, and more, so
// none is expected, with one exception that is not the client's fault: the
// models' enums compare a code's raw bytes, so they refuse a code written with a
// JSON escape (such as the comparator "\u003c" that Go's encoder writes for "<",
// samply issue #17). The walk has checked the decoded code against the same enum,
// so that error is dropped.
func modelError(rt string, err error) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		el := rt
		if te.Field != "" {
			el += "." + te.Field
		}
		return structureError(el, fmt.Sprintf("a JSON %s cannot be read as %s", te.Value, te.Type))
	}
	if msg := err.Error(); strings.HasPrefix(msg, "unknown ") && strings.Contains(msg, " code `") {
		return nil
	}
	return structureError(rt, "the R4 models refuse the resource: "+err.Error())
}

// agreeWithModels fails the test when the samply model of rt refuses a
// resource that Check accepted.
func agreeWithModels(t testing.TB, rt string, raw []byte) {
	t.Helper()
	rs := loadSchema().resources[rt]
	if rs == nil {
		t.Fatalf("no schema for %s", rt)
	}
	if err := rs.unmarshal(raw); err != nil {
		if e := modelError(rt, err); e != nil {
			t.Errorf("Check accepted a %s that the R4 model refuses: %v", rt, e)
		}
	}
}
