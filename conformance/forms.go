package conformance

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// htmlForm is a form on a page, as a browser would submit it (HTML
// Living Standard, "Form submission": the successful controls).
type htmlForm struct {
	// Action is the resolved URL the form submits to.
	Action *url.URL
	// Method is GET or POST.
	Method  string
	Fields  []formField
	Buttons []formButton
}

// formField is an input, select or textarea with a name.
type formField struct {
	Name, Value, Type string
	Checked           bool
}

// formButton is a submit button: a <button> (not type=button or reset)
// or an input of type submit or image.
type formButton struct {
	Name, Value, Label string
}

// parseForms returns the forms of an HTML page whose URL is base.
func parseForms(body []byte, base *url.URL) []htmlForm {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var forms []htmlForm
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "form" {
			continue
		}
		f := htmlForm{Method: "GET", Action: base}
		if strings.EqualFold(attr(n, "method"), "post") {
			f.Method = "POST"
		}
		if a, ok := attrOK(n, "action"); ok && a != "" {
			if u, err := base.Parse(strings.TrimSpace(a)); err == nil {
				f.Action = u
			}
		}
		for c := range n.Descendants() {
			if c.Type != html.ElementNode || hasAttr(c, "disabled") {
				continue
			}
			switch c.Data {
			case "input":
				addInput(&f, c)
			case "button":
				switch strings.ToLower(attr(c, "type")) {
				case "", "submit":
					f.Buttons = append(f.Buttons, formButton{Name: attr(c, "name"), Value: attr(c, "value"), Label: text(c)})
				}
			case "select":
				if name := attr(c, "name"); name != "" {
					f.Fields = append(f.Fields, formField{Name: name, Type: "select", Value: selectedOption(c)})
				}
			case "textarea":
				if name := attr(c, "name"); name != "" {
					f.Fields = append(f.Fields, formField{Name: name, Type: "textarea", Value: text(c)})
				}
			}
		}
		forms = append(forms, f)
	}
	return forms
}

func addInput(f *htmlForm, n *html.Node) {
	typ := strings.ToLower(attr(n, "type"))
	if typ == "" {
		typ = "text"
	}
	name, value := attr(n, "name"), attr(n, "value")
	switch typ {
	case "submit", "image":
		label := value
		if label == "" {
			label = attr(n, "alt")
		}
		f.Buttons = append(f.Buttons, formButton{Name: name, Value: value, Label: label})
	case "button", "reset", "file":
	case "checkbox", "radio":
		if value == "" {
			value = "on"
		}
		if name != "" {
			f.Fields = append(f.Fields, formField{Name: name, Value: value, Type: typ, Checked: hasAttr(n, "checked")})
		}
	default:
		if name != "" {
			f.Fields = append(f.Fields, formField{Name: name, Value: value, Type: typ})
		}
	}
}

// selectedOption is the value of a select's selected option, else of its
// first.
func selectedOption(sel *html.Node) string {
	first, found := "", false
	for o := range sel.Descendants() {
		if o.Type != html.ElementNode || o.Data != "option" {
			continue
		}
		v, ok := attrOK(o, "value")
		if !ok {
			v = text(o)
		}
		if hasAttr(o, "selected") {
			return v
		}
		if !found {
			first, found = v, true
		}
	}
	return first
}

// values are what submitting f with button press sends: every named
// field, checkboxes and radios only when checked (after untick, which
// may clear a box), the button's name and value, then set.
func (f *htmlForm) values(press *formButton, untick func(name, value string) bool, set url.Values) url.Values {
	v := url.Values{}
	for _, fd := range f.Fields {
		if fd.Type == "checkbox" || fd.Type == "radio" {
			if !fd.Checked || untick != nil && untick(fd.Name, fd.Value) {
				continue
			}
		}
		v.Add(fd.Name, fd.Value)
	}
	if press != nil && press.Name != "" {
		v.Add(press.Name, press.Value)
	}
	for k, vs := range set {
		v[k] = vs
	}
	return v
}

// field returns the first field of type typ, or nil.
func (f *htmlForm) field(typ string) *formField {
	for i := range f.Fields {
		if f.Fields[i].Type == typ {
			return &f.Fields[i]
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasAttr(n *html.Node, key string) bool {
	_, ok := attrOK(n, key)
	return ok
}

// text is the text content of n with white space collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// pageSummary is what a page says, for a failure reason: its title, its
// first heading and its alerts (role=alert, or a class naming an error or
// alert), else the start of its text.
func pageSummary(body []byte) string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return clip(string(body), 200)
	}
	var parts []string
	add := func(s string) {
		if s != "" && (len(parts) == 0 || parts[len(parts)-1] != s) {
			parts = append(parts, s)
		}
	}
	var h1 string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		class := strings.ToLower(attr(n, "class"))
		switch {
		case n.Data == "title":
			add(text(n))
		case n.Data == "h1" && h1 == "":
			h1 = text(n)
			add(h1)
		case attr(n, "role") == "alert" || strings.Contains(class, "error") || strings.Contains(class, "alert"):
			add(text(n))
		}
	}
	if len(parts) == 0 {
		return clip(text(doc), 200)
	}
	return clip(strings.Join(parts, " — "), 300)
}
