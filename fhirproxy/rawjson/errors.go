package rawjson

import "errors"

// Errors returned by this package, wrapped with the byte offset or the member
// they concern; test them with errors.Is.
var (
	// ErrSyntax means the input is not valid JSON (as judged by
	// encoding/json.Valid), or a value passed in to be inserted is not.
	ErrSyntax = errors.New("rawjson: invalid JSON")
	// ErrTooDeep means arrays and objects nest deeper than 10000 levels.
	ErrTooDeep = errors.New("rawjson: JSON nested too deeply")
	// ErrWrongType means the document is not an object where one is needed,
	// or meta is not an object, or meta.tag is not an array.
	ErrWrongType = errors.New("rawjson: unexpected JSON type")
)
