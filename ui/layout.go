package ui

import (
	"maps"
	"slices"
)

// csrfField is the form field that carries the CSRF token on every form.
const csrfField = "csrf_token"

// productName ends every page title.
const productName = "smartd"

// pageTitle is the <title> text: the page's own title, then the product.
func pageTitle(title string) string {
	if title == "" {
		return productName
	}
	return title + " · " + productName
}

// sortedKeys returns m's keys in order, so hidden fields render stably.
func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// forApp appends " to <app>" (or similar) when the app has a name.
func forApp(prefix, joiner, app string) string {
	if app == "" {
		return prefix
	}
	return prefix + joiner + app
}

// prefixed returns prefix+s, or "" when s is empty.
func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}

// appOrThis names the app, or says "this app" when it has no name.
func appOrThis(app string) string {
	if app == "" {
		return "this app"
	}
	return app
}
