package scope

import (
	"strconv"
	"strings"
)

// Interaction is one of the five SMART permissions c, r, u, d, s as a kind
// of FHIR request. SMART App Launch 2.2, scopes-and-launch-context, "Scopes
// for requesting FHIR Resources" maps FHIR interactions onto them:
//
//	Create  c  create (type level)
//	Read    r  read, vread, history of an instance
//	Update  u  update (including update-as-create, "upsert"), patch
//	Delete  d  delete
//	Search  s  search and history at type level, search and history at
//	           system level
//
// Batch and transaction have no letter: authorise each entry as the
// interaction it carries. InteractionOf does this mapping for FHIR R4
// restful-interaction codes. The zero value is not an interaction and is
// always denied.
type Interaction uint8

// The five interactions, one bit each so that Perms is a set of them.
const (
	Create Interaction = 1 << iota
	Read
	Update
	Delete
	Search
)

// Perms is a set of interactions: the permissions of a resource scope.
type Perms uint8

// AllPerms is c, r, u, d and s: v1 `.*`, v2 `.cruds`.
const AllPerms = Perms(Create | Read | Update | Delete | Search)

// The v1 suffixes and the v2 permissions they stand for (SMART App Launch
// 2.2: `.read` ⇒ `.rs`, `.write` ⇒ `.cud`, `.*` ⇒ `.cruds`).
const (
	v1Read  = Perms(Read | Search)
	v1Write = Perms(Create | Update | Delete)
)

// interactions in "cruds" order, with their letters and names.
var interactions = [...]struct {
	i      Interaction
	letter byte
	name   string
}{
	{Create, 'c', "create"},
	{Read, 'r', "read"},
	{Update, 'u', "update"},
	{Delete, 'd', "delete"},
	{Search, 's', "search"},
}

func (i Interaction) valid() bool {
	return i != 0 && i&(i-1) == 0 && Perms(i)&^AllPerms == 0
}

// String returns "create", "read", "update", "delete" or "search".
func (i Interaction) String() string {
	for _, x := range interactions {
		if x.i == i {
			return x.name
		}
	}
	return "Interaction(" + strconv.Itoa(int(i)) + ")"
}

// Letter returns the scope letter: 'c', 'r', 'u', 'd' or 's' (0 if i is not
// an interaction).
func (i Interaction) Letter() byte {
	for _, x := range interactions {
		if x.i == i {
			return x.letter
		}
	}
	return 0
}

// Has reports whether p includes interaction i.
func (p Perms) Has(i Interaction) bool { return i.valid() && p&Perms(i) != 0 }

// String returns the letters of p in "cruds" order ("rs", "cud"), or "" for
// the empty set.
func (p Perms) String() string {
	var b strings.Builder
	for _, x := range interactions {
		if p&Perms(x.i) != 0 {
			b.WriteByte(x.letter)
		}
	}
	return b.String()
}

// fhirInteractions maps FHIR R4 restful-interaction codes
// (http://hl7.org/fhir/restful-interaction) to SMART interactions.
var fhirInteractions = map[string]Interaction{
	"create":           Create,
	"read":             Read,
	"vread":            Read,
	"history-instance": Read,
	"update":           Update,
	"patch":            Update,
	"delete":           Delete,
	"search-type":      Search,
	"history-type":     Search,
	"search-system":    Search,
	"history-system":   Search,
}

// InteractionOf returns the SMART interaction for a FHIR R4
// restful-interaction code ("vread" → Read, "history-type" → Search, "patch"
// → Update). It reports false for codes with no letter of their own: batch
// and transaction (authorise each entry), capabilities and operation (the
// operation's own rules apply), and the ambiguous "search" and "history"
// (use the -instance, -type or -system code).
func InteractionOf(code string) (Interaction, bool) {
	i, ok := fhirInteractions[code]
	return i, ok
}
