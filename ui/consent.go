package ui

import "strconv"

// ConsentPage is the view model of the consent screen, where the signed-in
// user grants the app some or all of the scopes it asked for
// (app-launch.html, "Obtain authorization code"; scopes are defined in
// scopes-and-launch-context.html).
//
// The form POSTs to Action: csrf_token, the Hidden fields, one "scope"
// field (ScopeField) per ticked scope, one "narrow" field (NarrowField)
// per ticked part of a scope, "remember=1" when that box is ticked, and
// "decision" set to "allow" or "deny" by the button pressed.
type ConsentPage struct {
	// AppName is the display name of the app asking for access.
	AppName string
	// AppLogoURL is the app's registered logo (logo_uri); empty shows none.
	AppLogoURL string
	// User is the display name of the signed-in user.
	User string
	// Patient is the display name of the patient in context; may be empty.
	Patient string
	// Scopes are the requested scopes shown first, without a heading group.
	Scopes []ScopeChoice
	// Categories are further requested scopes grouped under headings,
	// e.g. "Health records" or "Your identity"; may be empty.
	Categories []ScopeCategory
	// CSRF is the value of the hidden csrf_token field.
	CSRF string
	// Action is the URL the form posts to.
	Action string
	// Hidden carries the authorize request through the form.
	Hidden map[string]string
	// Remember offers an unticked "remember this decision" checkbox.
	Remember bool
}

// ScopeChoice is one requested scope, shown as a labelled checkbox.
type ScopeChoice struct {
	// Value is the scope string, sent as a "scope" field when ticked.
	Value string
	// Description is one plain sentence saying what the scope allows,
	// e.g. "Read your lab results."
	Description string
	// Checked ticks the box. Callers set it for every requested scope (the
	// page's default is all ticked) and clear it only to re-show a choice.
	Checked bool
	// Granular marks a SMART v2 scope narrowed by a search parameter
	// (e.g. ?category=laboratory); the page labels it "limited".
	Granular bool
	// PartsTitle is the legend of Parts, e.g. "Kinds of observations".
	PartsTitle string
	// Parts are finer choices within this scope, shown under it as
	// checkboxes named NarrowField: the categories of a resource type or
	// the resource types of a wildcard scope (the ONC limited-access and
	// granular-selection tests). Empty shows none.
	Parts []ScopePart
}

// ScopePart is one finer choice within a requested scope.
type ScopePart struct {
	// Value is the narrower scope, sent as a NarrowField field when ticked.
	Value string
	// Label names the part in a few words, e.g. "Laboratory results".
	Label string
	// Checked ticks the box; callers tick every part at first.
	Checked bool
}

// Form field names of the consent page.
const (
	// ScopeField carries each ticked requested scope.
	ScopeField = "scope"
	// NarrowField carries each ticked part of a requested scope.
	NarrowField = "narrow"
)

// ScopeCategory is a heading with the scopes grouped under it.
type ScopeCategory struct {
	// Title is the group's legend.
	Title string
	// Scopes are the scopes in the group.
	Scopes []ScopeChoice
}

// scopeGroup is a ScopeCategory with an element id for every checkbox.
type scopeGroup struct {
	Title string
	Items []scopeItem
}

// scopeItem is a ScopeChoice with the id of its checkbox and of its
// parts' checkboxes (ID-0, ID-1, ...).
type scopeItem struct {
	ID string
	ScopeChoice
	PartItems []partItem
}

// partItem is a ScopePart with the id of its checkbox.
type partItem struct {
	ID string
	ScopePart
}

func (p ConsentPage) title() string { return forApp("Allow access", " for ", p.AppName) }

// groups returns the ungrouped scopes (titled "Access requested") and then
// the categories, numbering checkbox ids scope-0, scope-1, ... across all,
// and the parts of scope-N scope-N-0, scope-N-1, ...
func (p ConsentPage) groups() []scopeGroup {
	n := 0
	number := func(title string, in []ScopeChoice) scopeGroup {
		g := scopeGroup{Title: title}
		for _, c := range in {
			it := scopeItem{ID: "scope-" + strconv.Itoa(n), ScopeChoice: c}
			for j, part := range c.Parts {
				it.PartItems = append(it.PartItems, partItem{ID: it.ID + "-" + strconv.Itoa(j), ScopePart: part})
			}
			g.Items = append(g.Items, it)
			n++
		}
		return g
	}
	var out []scopeGroup
	if len(p.Scopes) > 0 {
		out = append(out, number("Access requested", p.Scopes))
	}
	for _, c := range p.Categories {
		if len(c.Scopes) > 0 {
			out = append(out, number(c.Title, c.Scopes))
		}
	}
	return out
}

// intro is the sentence under the heading, naming the app, user and patient.
func (p ConsentPage) intro() string {
	app := p.AppName
	if app == "" {
		app = "This app"
	}
	s := app + " is asking for access"
	if p.Patient != "" {
		s += " to the records of " + p.Patient
	}
	if p.User != "" {
		s += ", on behalf of " + p.User
	}
	return s + ". Untick anything you do not want to share."
}

// partsTitle is the legend of the parts, "Only these" by default.
func (it scopeItem) partsTitle() string {
	if it.PartsTitle != "" {
		return it.PartsTitle
	}
	return "Only these"
}
