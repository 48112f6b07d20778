package search

// ParamType is the kind of a search parameter (FHIR R4 search, "Search Parameter Types").
type ParamType uint8

// The search parameter types the server indexes.
const (
	Token ParamType = iota + 1
	Reference
	String
	Date
)

// String returns the FHIR name of the type ("token", "reference", "string", "date").
func (t ParamType) String() string {
	switch t {
	case Token:
		return "token"
	case Reference:
		return "reference"
	case String:
		return "string"
	case Date:
		return "date"
	}
	return "unknown"
}

// Definition describes one search parameter of one resource type.
type Definition struct {
	// Name is the parameter's code, e.g. "patient" or "_lastUpdated".
	Name string
	// Type says how values are indexed and matched.
	Type ParamType
	// Paths are the elements the values come from, dot-separated from the
	// resource root; a choice element is written with "[x]" ("effective[x]").
	Paths []string
	// Targets lists the resource types a Reference parameter may point to.
	Targets []string
	// Description is one line for the CapabilityStatement.
	Description string
}

// IndexValue is one value a resource holds for one search parameter, as the
// store indexes it. Which fields are set depends on Type.
type IndexValue struct {
	Param string
	Type  ParamType
	// System and Code: Token (Code is also the id for _id).
	System string
	Code   string
	// Ref: Reference, always "Type/id" relative to our base, except a
	// reference to another server, kept as the absolute URL written.
	Ref string
	// Norm is the normalized String value (lower case, accents removed);
	// Text is the value as written, for :exact.
	Norm string
	Text string
	// Lo and Hi bound a Date value, inclusive, in Unix milliseconds UTC.
	Lo, Hi int64
}

// Query is a parsed FHIR search: one resource type (or a system search),
// criteria that must all hold, and the result parameters.
type Query struct {
	// Type is the resource type searched; "" for a system search.
	Type string
	// Types restricts a system search (_type); empty means every type.
	Types []string
	// Criteria are ANDed.
	Criteria []Criterion
	// Count is _count; 0 means the server default. _count=0 (no entries,
	// just the total) is reported as Count 0 with Summary "count".
	Count int
	// Sort keys in order (_sort).
	Sort []SortKey
	// Total is _total: "", "none", "estimate" or "accurate".
	Total string
	// Summary is _summary; only "count" (and "false") are supported.
	Summary string
	// Elements lists _elements, top-level element names.
	Elements []string
	// Include and RevInclude are _include and _revinclude.
	Include    []Include
	RevInclude []Include
	// Cursor is the opaque paging position (_cursor) from a next link.
	Cursor string
	// Ignored lists the parameters the server did not use and why; in
	// strict handling Parse returns an error instead.
	Ignored []Issue
}

// Criterion is one search parameter with its values, which are ORed.
type Criterion struct {
	Param Definition
	// Modifier is the modifier without its colon: "", "exact",
	// "contains", "missing", "not", or a resource type for a reference.
	Modifier string
	// Chain is set for a chained parameter (subject:Patient.name=x):
	// the references of Param must point to a resource of Chain.Type
	// matching Chain.Criterion.
	Chain *Chain
	// Has is set for _has:Type:ref:param=x: the resource must be the
	// target of ref in some Has.Type resource matching Has.Criterion.
	Has *Has
	// Values are ORed; with Chain or Has they live in the inner criterion.
	Values []Value
}

// Chain is the inner part of a chained parameter.
type Chain struct {
	Type      string
	Criterion Criterion
}

// Has is the inner part of a _has parameter.
type Has struct {
	Type      string // the referring resource type
	RefParam  string // its reference parameter that points back
	Criterion Criterion
}

// Value is one search value; which fields are set depends on the
// parameter's type.
type Value struct {
	// Prefix is the comparator of a Date value: eq ne lt gt le ge sa eb.
	Prefix string
	// Token: System and Code. HasSystem distinguishes "|code" (no system)
	// from "code" (any system); "system|" has an empty Code.
	System    string
	HasSystem bool
	Code      string
	// Reference: "Type/id", or a bare "id" when the type is not known.
	Ref string
	// String: Norm is the normalized value, Text as written.
	Norm string
	Text string
	// Date: the range the value denotes, inclusive, Unix milliseconds UTC.
	Lo, Hi int64
	// Missing is the value of :missing (true or false).
	Missing bool
}

// SortKey is one _sort key.
type SortKey struct {
	Param Definition
	Desc  bool
}

// Include is one _include or _revinclude: resources of SourceType whose
// Param references (Param "*" means every reference parameter), limited
// to TargetType when set.
type Include struct {
	SourceType string
	Param      string
	TargetType string
	Iterate    bool
}

// Issue names a parameter the server did not use, and why.
type Issue struct {
	Param  string
	Reason string
}

// Error is a search the server refuses: a malformed value, or (in strict
// handling) an unknown parameter or modifier. It names the parameter.
type Error struct {
	Param  string
	Reason string
}

func (e *Error) Error() string { return "search parameter " + e.Param + ": " + e.Reason }
