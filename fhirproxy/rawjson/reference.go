package rawjson

// RewriteReferences calls fn with the decoded string value of every member
// named "reference", at any depth and in document order (Reference.reference,
// FHIR R4 references.html; contained resources, extensions and Bundle entries
// included), and replaces the value wherever fn returns a different string
// and true, encoding it as a JSON string. A "reference" member whose value is
// not a string is skipped. doc may be any JSON value.
//
// Collecting references is a call whose fn returns false. When nothing is
// replaced the result is doc itself, not a copy; otherwise it is a new slice
// in which only the replaced values differ.
func RewriteReferences(doc []byte, fn func(ref string) (string, bool)) ([]byte, error) {
	var out []byte
	done := 0 // doc[:done] is in out
	s := scanner{src: doc}
	s.onRef = func(vs, ve int) error {
		old := unquote(doc[vs:ve])
		ref, ok := fn(old)
		if !ok || ref == old {
			return nil
		}
		if out == nil {
			out = make([]byte, 0, len(doc)+len(doc)/16+len(ref))
		}
		out = append(out, doc[done:vs]...)
		out = appendString(out, ref)
		done = ve
		return nil
	}
	if _, _, err := s.document(); err != nil {
		return nil, err
	}
	if out == nil {
		return doc, nil
	}
	return append(out, doc[done:]...), nil
}
