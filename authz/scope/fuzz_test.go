package scope

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzRoundTrip checks, for every string Parse accepts, that printing and
// parsing again gives the same Set, that every token prints back as
// written, that a set granted against itself comes back whole (less its
// KindOther scopes), and that every scope can be described and decided on.
// Seeds: the Parse, Grant and Describe tables, and testdata/fuzz.
func FuzzRoundTrip(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	for _, tc := range grantCases {
		f.Add(tc.requested)
		f.Add(tc.allowed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		set, err := Parse(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrMalformed", in, err)
			}
			if strings.IndexFunc(in, func(r rune) bool { return r != ' ' && (r > 0x7e || !nqchar(byte(r))) }) < 0 {
				t.Fatalf("Parse(%q) failed on a string of scope tokens: %v", in, err)
			}
			return
		}
		printed := set.String()
		if want := joinTokens(in); printed != want {
			t.Fatalf("Parse(%q).String() = %q, want %q", in, printed, want)
		}
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) (printed from %q): %v", printed, in, err)
		}
		if !again.Equal(set) {
			t.Fatalf("Parse(Parse(%q).String()) = %#v, want %#v", in, again, set)
		}
		var known Set
		for _, s := range set {
			if s.Kind == KindOther {
				if s.Text == "" {
					t.Fatalf("%q: other scope without text", in)
				}
			} else {
				known = append(known, s)
			}
			if s.Kind == KindResource && (s.Perms == 0 || s.Perms&^AllPerms != 0) {
				t.Fatalf("%q: resource scope %v with permissions %08b", in, s, s.Perms)
			}
			if d := Describe(s); !strings.HasSuffix(d, ".") {
				t.Fatalf("Describe(%v) = %q", s, d)
			}
		}
		if got := Grant(set, set, GrantOptions{}); !got.Equal(known) {
			t.Fatalf("Grant(%q, itself) = %q, want %q", in, got, known)
		}
		for _, i := range []Interaction{Create, Read, Update, Delete, Search} {
			for _, typ := range []string{"Observation", ""} {
				d := set.Decide(i, typ)
				if d.Allowed != (len(d.Constraints) > 0) || d.Allowed == (d.Reason != "") || d.Allowed != (len(d.By) > 0) {
					t.Fatalf("%q: inconsistent decision for %v %q: %+v", in, i, typ, d)
				}
			}
		}
	})
}

// FuzzGrant checks that Grant never widens access: whatever the grant lets
// through, in any context and for any interaction, both the request and the
// allowance let through too; and that granting again changes nothing.
func FuzzGrant(f *testing.F) {
	for _, tc := range grantCases {
		f.Add(tc.requested, tc.allowed)
	}
	f.Fuzz(func(t *testing.T, req, allow string) {
		requested, err1 := Parse(req)
		allowed, err2 := Parse(allow)
		if err1 != nil || err2 != nil {
			return
		}
		granted := Grant(requested, allowed, GrantOptions{})
		for _, s := range granted {
			if s.Kind == KindOther {
				t.Fatalf("Grant(%q, %q) granted other scope %q", req, allow, s)
			}
		}
		for _, i := range []Interaction{Create, Read, Update, Delete, Search} {
			for _, typ := range []string{"Observation", "Patient", ""} {
				g := granted.Decide(i, typ)
				for _, bound := range []Set{requested, allowed} {
					if !within(g, bound.Decide(i, typ)) {
						t.Fatalf("Grant(%q, %q) = %q: %v on %q: %+v exceeds %q", req, allow, granted, i, typ, g.Constraints, bound)
					}
				}
			}
		}
		if again := Grant(granted, granted, GrantOptions{}); !again.Equal(granted) {
			t.Fatalf("Grant(g, g) = %q, want g = %q", again, granted)
		}
		if again := Grant(granted, allowed, GrantOptions{}); again.String() != granted.String() {
			t.Fatalf("Grant(Grant(%q, %q), allowed) = %q, want %q", req, allow, again, granted)
		}
	})
}

// within reports whether everything decision g lets through, bound lets
// through as well.
func within(g, bound Decision) bool {
	for _, c := range g.Constraints {
		i := slices.IndexFunc(bound.Constraints, func(b Constraint) bool { return b.Context == c.Context })
		if i < 0 {
			return false
		}
		b := bound.Constraints[i]
		if b.Unfiltered {
			continue
		}
		if c.Unfiltered {
			return false
		}
		for _, f := range c.Filters {
			if !slices.ContainsFunc(b.Filters, func(bf Filter) bool { return bf.covers(f) }) {
				return false
			}
		}
	}
	return true
}
