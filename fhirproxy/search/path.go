package search

import "strings"

// step is one element of a compiled path.
type step struct {
	// name is the element as written in the path, without "[x]".
	name string
	// keys are the JSON properties to read: the name itself, or for a
	// choice element ("effective[x]") the typed names that can hold a
	// value of the parameter's type.
	keys []string
	// whereKey and whereVal keep only the children whose whereKey property
	// is the string whereVal (FHIRPath "where(system='phone')").
	whereKey, whereVal string
}

// choiceSuffixes are the choice types read for each parameter type. Timing
// is left out of Date on purpose (see the package comment).
var choiceSuffixes = map[ParamType][]string{
	Token:     {"CodeableConcept", "Coding", "Code", "Boolean", "String", "Identifier", "Uri", "Canonical"},
	Reference: {"Reference"},
	String:    {"String", "Markdown"},
	Date:      {"DateTime", "Period", "Instant", "Date"},
}

// compilePath turns a table path such as "telecom.where(system='phone')"
// or "effective[x]" into steps. A malformed table path is a programming
// error and panics when the registry is built.
func compilePath(path string, t ParamType) []step {
	var steps []step
	for seg := range strings.SplitSeq(path, ".") {
		if rest, ok := strings.CutPrefix(seg, "where("); ok {
			cond, ok := strings.CutSuffix(rest, ")")
			k, v, ok2 := strings.Cut(cond, "=")
			if !ok || !ok2 || len(steps) == 0 || len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
				panic("search: bad where in path " + path)
			}
			last := &steps[len(steps)-1]
			last.whereKey, last.whereVal = k, v[1:len(v)-1]
			continue
		}
		if seg == "" || strings.ContainsAny(seg, "()'= ") {
			panic("search: bad path " + path)
		}
		if name, ok := strings.CutSuffix(seg, "[x]"); ok {
			s := step{name: name}
			for _, suf := range choiceSuffixes[t] {
				s.keys = append(s.keys, name+suf)
			}
			steps = append(steps, s)
			continue
		}
		steps = append(steps, step{name: seg, keys: []string{seg}})
	}
	return steps
}

// walk visits every value at the end of steps below node, calling x.leaf.
// Arrays are flattened at every step.
func (x *extractor) walk(node any, steps []step) {
	if len(steps) == 0 {
		x.leaf(node)
		return
	}
	m, ok := node.(map[string]any)
	if !ok {
		return
	}
	s := &steps[0]
	for _, k := range s.keys {
		v, ok := m[k]
		if !ok {
			continue
		}
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				if s.keep(e) {
					x.walk(e, steps[1:])
				}
			}
			continue
		}
		if s.keep(v) {
			x.walk(v, steps[1:])
		}
	}
}

func (s *step) keep(v any) bool {
	if s.whereKey == "" {
		return true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	got, _ := m[s.whereKey].(string)
	return got == s.whereVal
}
