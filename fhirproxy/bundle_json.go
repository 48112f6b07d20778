package fhirproxy

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"smartd/fhirproxy/store"
)

// bundleJSON writes a Bundle without re-encoding the resources it holds:
// they are stored compact and go out as they are.
type bundleJSON struct {
	buf     bytes.Buffer
	entries int
}

type link struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type entryRequestJSON struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

type entryResponse struct {
	Status       string          `json:"status"`
	Location     string          `json:"location,omitempty"`
	Etag         string          `json:"etag,omitempty"`
	LastModified string          `json:"lastModified,omitempty"`
	Outcome      json.RawMessage `json:"outcome,omitempty"`
}

type entrySearch struct {
	Mode string `json:"mode"`
}

// entry is one Bundle.entry; Resource is raw JSON.
type entry struct {
	FullURL  string
	Resource []byte
	Search   *entrySearch
	Request  *entryRequestJSON
	Response *entryResponse
}

func newBundle(typ string, total *int, links []link, now time.Time) *bundleJSON {
	b := &bundleJSON{}
	b.buf.WriteString(`{"resourceType":"Bundle","type":`)
	writeJSON(&b.buf, typ)
	if !now.IsZero() {
		b.buf.WriteString(`,"timestamp":`)
		writeJSON(&b.buf, store.FormatInstant(now))
	}
	if total != nil {
		b.buf.WriteString(`,"total":`)
		b.buf.WriteString(strconv.Itoa(*total))
	}
	if len(links) > 0 {
		b.buf.WriteString(`,"link":`)
		writeJSON(&b.buf, links)
	}
	b.buf.WriteString(`,"entry":[`)
	return b
}

func (b *bundleJSON) add(e entry) {
	if b.entries > 0 {
		b.buf.WriteByte(',')
	}
	b.entries++
	b.buf.WriteByte('{')
	sep := ""
	field := func(name string) {
		b.buf.WriteString(sep)
		b.buf.WriteString(`"` + name + `":`)
		sep = ","
	}
	if e.FullURL != "" {
		field("fullUrl")
		writeJSON(&b.buf, e.FullURL)
	}
	if e.Resource != nil {
		field("resource")
		b.buf.Write(e.Resource)
	}
	if e.Search != nil {
		field("search")
		writeJSON(&b.buf, e.Search)
	}
	if e.Request != nil {
		field("request")
		writeJSON(&b.buf, e.Request)
	}
	if e.Response != nil {
		field("response")
		writeJSON(&b.buf, e.Response)
	}
	b.buf.WriteByte('}')
}

// bytes closes the bundle; a bundle with no entries has no entry element.
func (b *bundleJSON) bytes() []byte {
	out := b.buf.Bytes()
	if b.entries == 0 {
		out = bytes.TrimSuffix(out, []byte(`,"entry":[`))
		return append(out, '}')
	}
	return append(out, "]}"...)
}

// writeJSON appends v without HTML escaping, so links keep their "&".
func writeJSON(buf *bytes.Buffer, v any) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// etag renders a version as a weak ETag.
func etag(v uint64) string { return `W/"` + strconv.FormatUint(v, 10) + `"` }
