package main

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// htmlForm is a POST form of a page as a browser without JavaScript
// would submit it (HTML Living Standard §4.10.21.4, "Constructing the
// entry list"): the fields are every enabled, named control's entries
// (hidden and text inputs, ticked check boxes and radio buttons, the
// chosen options of a select, textareas) without the submit buttons,
// which are listed apart so that the caller can press one.
type htmlForm struct {
	action  string
	fields  url.Values
	buttons []formButton
	// userField is the sign-in name's input (autocomplete=username, else
	// the first text or email input), passwordField the first password
	// input; "" when the form has none.
	userField, passwordField string
}

// formButton is a submit button: <button> (type submit, the default) or
// <input type=submit>.
type formButton struct {
	name, value string
	label       string // the button's text, or an input's value
}

// press returns the entries a click on the button labelled label (case
// and surrounding space ignored) submits: the fields and the button's
// own name=value. It reports false when no button has that label.
func (f *htmlForm) press(label string) (url.Values, bool) {
	for _, b := range f.buttons {
		if strings.EqualFold(strings.TrimSpace(b.label), label) {
			out := make(url.Values, len(f.fields)+1)
			for k, v := range f.fields {
				out[k] = v
			}
			if b.name != "" {
				out.Add(b.name, b.value)
			}
			return out, true
		}
	}
	return nil, false
}

// pageForms returns the POST forms of an HTML page, in order. It reads
// tokens (golang.org/x/net/html's tokenizer) rather than building the
// document tree: forms do not nest, and the load generator shares the
// machine with the server it measures.
func pageForms(page []byte) ([]htmlForm, error) {
	z := html.NewTokenizer(bytes.NewReader(page))
	var (
		forms    []htmlForm
		cur      *htmlForm
		text     *strings.Builder // the text of the open button, option or textarea
		button   *formButton
		sel      *selectState
		areaName string
	)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return nil, err
			}
			return forms, nil
		case html.TextToken:
			if text != nil {
				text.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if !formTags[tag] || cur == nil && tag != "form" {
				continue // the attributes of other tags are never read
			}
			var a tagAttrs
			a.read(z)
			if tag == "form" {
				cur = nil
				if strings.EqualFold(a.method, "post") {
					forms = append(forms, htmlForm{action: a.action, fields: url.Values{}})
					cur = &forms[len(forms)-1]
				}
				continue
			}
			disabled := a.has&attrDisabled != 0
			switch tag {
			case "input":
				if !disabled {
					cur.input(&a)
				}
			case "button":
				if typ := strings.ToLower(a.typ); (typ == "" || typ == "submit") && !disabled && tt == html.StartTagToken {
					cur.buttons = append(cur.buttons, formButton{name: a.name, value: a.value})
					button, text = &cur.buttons[len(cur.buttons)-1], &strings.Builder{}
				}
			case "select":
				if !disabled && a.name != "" {
					sel = &selectState{name: a.name, multiple: a.has&attrMultiple != 0}
				}
			case "option":
				if sel != nil {
					sel.closeOption(text)
					sel.open = &selectOption{value: a.value, hasValue: a.has&attrValue != 0, selected: a.has&attrSelected != 0}
					text = &strings.Builder{}
				}
			case "textarea":
				if !disabled && a.name != "" && tt == html.StartTagToken {
					areaName, text = a.name, &strings.Builder{}
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "form":
				cur = nil
			case "button":
				if button != nil {
					button.label = strings.TrimSpace(text.String())
					button, text = nil, nil
				}
			case "option":
				if sel != nil {
					sel.closeOption(text)
					text = nil
				}
			case "select":
				if sel != nil && cur != nil {
					sel.closeOption(text)
					sel.add(cur.fields)
				}
				sel, text = nil, nil
			case "textarea":
				if areaName != "" && cur != nil {
					cur.fields.Add(areaName, text.String())
				}
				areaName, text = "", nil
			}
		}
	}
}

// formTags are the tags pageForms reads. Never mutated.
var formTags = map[string]bool{"form": true, "input": true, "button": true, "select": true, "option": true, "textarea": true}

// input adds an <input>'s entry to the form.
func (f *htmlForm) input(a *tagAttrs) {
	typ := strings.ToLower(a.typ)
	name := a.name
	switch typ {
	case "submit":
		f.buttons = append(f.buttons, formButton{name: name, value: a.value, label: a.value})
		return
	case "image", "button", "reset", "file":
		return
	case "password":
		if f.passwordField == "" {
			f.passwordField = name
		}
	case "", "text", "email":
		if name != "" && (f.userField == "" || strings.EqualFold(a.autocomplete, "username")) {
			f.userField = name
		}
	}
	if name == "" {
		return
	}
	if typ == "checkbox" || typ == "radio" {
		if a.has&attrChecked == 0 {
			return
		}
		if a.has&attrValue == 0 {
			f.fields.Add(name, "on")
			return
		}
	}
	f.fields.Add(name, a.value)
}

// tagAttrs are the attributes of a form control that pageForms reads,
// unescaped; the first of a repeated attribute wins, as in a browser.
type tagAttrs struct {
	method, action, typ, name, value, autocomplete string
	has                                            uint8 // attr* bits: the attribute is present
}

// Bits of tagAttrs.has.
const (
	attrValue uint8 = 1 << iota
	attrChecked
	attrSelected
	attrDisabled
	attrMultiple
)

// read reads the current tag's attributes. Attribute names come lower
// case from the tokenizer; the switch on string(k) does not allocate.
func (a *tagAttrs) read(z *html.Tokenizer) {
	var seen [5]bool // method, action, type, name, autocomplete
	set := func(i int, dst *string, v []byte) {
		if !seen[i] {
			seen[i], *dst = true, string(v)
		}
	}
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		switch string(k) {
		case "method":
			set(0, &a.method, v)
		case "action":
			set(1, &a.action, v)
		case "type":
			set(2, &a.typ, v)
		case "name":
			set(3, &a.name, v)
		case "autocomplete":
			set(4, &a.autocomplete, v)
		case "value":
			if a.has&attrValue == 0 {
				a.value, a.has = string(v), a.has|attrValue
			}
		case "checked":
			a.has |= attrChecked
		case "selected":
			a.has |= attrSelected
		case "disabled":
			a.has |= attrDisabled
		case "multiple":
			a.has |= attrMultiple
		}
	}
}

// selectState collects the options of an open <select>.
type selectState struct {
	name     string
	multiple bool
	options  []selectOption
	open     *selectOption
}

type selectOption struct {
	value, text        string
	hasValue, selected bool
}

// closeOption ends the open option (an option's end tag is optional),
// whose text is in text.
func (s *selectState) closeOption(text *strings.Builder) {
	if s.open != nil {
		if text != nil {
			s.open.text = text.String()
		}
		s.options = append(s.options, *s.open)
		s.open = nil
	}
}

// add adds the select's entries: every selected option of a multiple
// select; for a single one the last selected option, else the first.
func (s *selectState) add(fields url.Values) {
	if s.multiple {
		for _, o := range s.options {
			if o.selected {
				fields.Add(s.name, o.entry())
			}
		}
		return
	}
	if len(s.options) == 0 {
		return
	}
	pick := s.options[0]
	for _, o := range s.options {
		if o.selected {
			pick = o
		}
	}
	fields.Add(s.name, pick.entry())
}

// entry is an option's value: its value attribute, else its text.
func (o selectOption) entry() string {
	if o.hasValue {
		return o.value
	}
	return strings.TrimSpace(o.text)
}
