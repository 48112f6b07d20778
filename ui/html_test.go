package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// render renders c and parses the result as an HTML document.
func render(t testing.TB, c templ.Component) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("Render: %v", err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("html.Parse: %v", err)
	}
	return buf.String(), doc
}

// all returns every element under n with the given tag, in document order.
func all(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

// attr returns n's attribute key and whether it is present.
func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// text is the text content of n, elements separated by a space, with
// whitespace runs collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		switch d.Type {
		case html.TextNode:
			b.WriteString(d.Data)
		case html.ElementNode:
			b.WriteString(" ")
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// byAttr returns the elements with tag whose attribute key equals val.
func byAttr(n *html.Node, tag, key, val string) []*html.Node {
	var out []*html.Node
	for _, e := range all(n, tag) {
		if v, ok := attr(e, key); ok && v == val {
			out = append(out, e)
		}
	}
	return out
}

// hiddenValues maps each hidden input's name to its value(s) in forms.
func hiddenValues(form *html.Node) map[string][]string {
	out := map[string][]string{}
	for _, in := range byAttr(form, "input", "type", "hidden") {
		name, _ := attr(in, "name")
		val, _ := attr(in, "value")
		out[name] = append(out[name], val)
	}
	return out
}
