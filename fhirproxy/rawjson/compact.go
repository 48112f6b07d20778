package rawjson

// Compact returns a copy of the JSON document src without insignificant
// whitespace, keeping every token as written, like encoding/json.Compact.
func Compact(src []byte) ([]byte, error) {
	s := scanner{src: src}
	if _, _, err := s.document(); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(src))
	run := 0 // start of the bytes not yet copied
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '"':
			i, _, _ = s.str(i) // valid: checked above
		case isSpace(c):
			out = append(out, src[run:i]...)
			for i < len(src) && isSpace(src[i]) {
				i++
			}
			run = i
		default:
			i++
		}
	}
	return append(out, src[run:]...), nil
}
