package scope

import "strconv"

// Kind says what a scope asks for.
type Kind uint8

// Kinds of scope. The zero value is KindOther, so a zero Scope is an
// (empty) opaque scope that is never granted.
const (
	// KindOther is a scope this package does not define: an extension
	// (`__name`, a full URI), or a token that looks like a SMART scope but
	// does not follow the grammar (Scope.Problem says why). Never granted.
	KindOther Kind = iota
	// KindResource is a FHIR resource scope: patient/, user/ or system/.
	KindResource
	// KindLaunch is `launch` or `launch/<type>` (Scope.Launch names the type).
	KindLaunch
	// KindOpenID is `openid`.
	KindOpenID
	// KindFHIRUser is `fhirUser`.
	KindFHIRUser
	// KindProfile is `profile` (OpenID Connect Core §5.4).
	KindProfile
	// KindOfflineAccess is `offline_access`.
	KindOfflineAccess
	// KindOnlineAccess is `online_access`.
	KindOnlineAccess
)

var kindNames = [...]string{
	KindOther:         "other",
	KindResource:      "resource",
	KindLaunch:        "launch",
	KindOpenID:        "openid",
	KindFHIRUser:      "fhirUser",
	KindProfile:       "profile",
	KindOfflineAccess: "offline_access",
	KindOnlineAccess:  "online_access",
}

// String returns a short name for k ("resource", "openid", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Context is the part of a resource scope before the slash: whose data the
// scope reaches.
type Context uint8

// Resource scope contexts. The zero value is not a context.
const (
	// ContextPatient (`patient/`) reaches the compartment of the patient in
	// launch context.
	ContextPatient Context = iota + 1
	// ContextUser (`user/`) reaches what the signed-in user may access.
	ContextUser
	// ContextSystem (`system/`) reaches what the client's own policy allows
	// (Backend Services).
	ContextSystem
)

var contextNames = [...]string{ContextPatient: "patient", ContextUser: "user", ContextSystem: "system"}

// String returns "patient", "user" or "system"; "" for the zero value.
func (c Context) String() string {
	if int(c) < len(contextNames) {
		return contextNames[c]
	}
	return "Context(" + strconv.Itoa(int(c)) + ")"
}

// Syntax is the version of the permission suffix a resource scope was
// written in. The zero value is V2.
type Syntax uint8

const (
	// V2 is the SMART 2 suffix: an ordered subset of "cruds" (`.rs`).
	V2 Syntax = iota
	// V1 is the SMART 1 suffix `.read`, `.write` or `.*`.
	V1
)

// URI prefixes that may stand before a scope (SMART App Launch 2.2,
// scopes-and-launch-context, "Appendix: URI representation of scopes").
const (
	// SMARTPrefix may precede any scope this package defines.
	SMARTPrefix = "http://smarthealthit.org/fhir/scopes/"
	// OpenIDPrefix may precede `openid`, `profile` and `offline_access`.
	OpenIDPrefix = "http://openid.net/specs/openid-connect-core-1_0#"
)

// Scope is one parsed scope token. Which fields are meaningful depends on
// Kind; the others are zero. Build scopes with Parse: a Scope written by hand
// prints from its decoded fields (see Param.String).
type Scope struct {
	Kind Kind

	// Prefix is the URI prefix the token was written with (SMARTPrefix or
	// OpenIDPrefix), or "" for the short form. It does not change meaning.
	Prefix string

	// Resource scopes.

	// Context is patient, user or system.
	Context Context
	// ResourceType is a FHIR resource type name, or "*" for every type,
	// including types the server adds later.
	ResourceType string
	// Perms is the set of interactions the scope permits.
	Perms Perms
	// Syntax is how the permissions were written; V1 scopes print as
	// .read/.write/.* as long as Perms is rs, cud or cruds.
	Syntax Syntax
	// Params are the granular constraints after "?", in written order; a
	// resource must match all of them. Nil when there are none.
	Params []Param

	// Launch scopes.

	// Launch is "" for `launch` (EHR launch) or the lowercase type of
	// `launch/<type>`: "patient", "encounter", "imagingstudy", ...
	Launch string
	// Role is the decoded value of `launch/<type>?role=`, or "".
	Role    string
	roleRaw string

	// Other scopes.

	// Text is the token exactly as written, for KindOther.
	Text string
	// Problem, for KindOther, says why a token that looks like a SMART
	// scope was not understood ("empty granular query after ?"); it is ""
	// for extension and unknown scopes.
	Problem string
}

// Param is one granular constraint `name=value` of a resource scope, such as
// category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory.
type Param struct {
	// Name is the decoded search parameter name, including any modifier
	// ("code:in").
	Name string
	// Value is the decoded value: %XX escapes are decoded, '+' and '|' are
	// kept as they are.
	Value string
	raw   string
}

// Equal reports whether s and t are the same scope written the same way:
// every field matches and the printed forms agree. `patient/*.read` and
// `patient/*.rs` mean the same but are not Equal.
func (s Scope) Equal(t Scope) bool {
	if s.Kind != t.Kind || s.Prefix != t.Prefix || s.Context != t.Context ||
		s.ResourceType != t.ResourceType || s.Perms != t.Perms || s.Syntax != t.Syntax ||
		s.Launch != t.Launch || s.Role != t.Role || s.roleText() != t.roleText() ||
		s.Text != t.Text || s.Problem != t.Problem || len(s.Params) != len(t.Params) {
		return false
	}
	for i, p := range s.Params {
		if !p.Equal(t.Params[i]) {
			return false
		}
	}
	return true
}

// Equal reports whether p and q have the same name and value, written the
// same way.
func (p Param) Equal(q Param) bool {
	return p.Name == q.Name && p.Value == q.Value && p.String() == q.String()
}

// Allows reports whether s is a resource scope that permits interaction i on
// resourceType (a type name; "*" matches nothing). It ignores s.Params: a
// granular scope allows the interaction only on resources matching them,
// which Set.Decide reports as filters. Enforcement should call Set.Decide.
func (s Scope) Allows(i Interaction, resourceType string) bool {
	return s.Kind == KindResource && i.valid() && s.Perms.Has(i) &&
		resourceType != "*" && (s.ResourceType == "*" || s.ResourceType == resourceType)
}

// Granular reports whether s is a resource scope with granular parameters.
func (s Scope) Granular() bool { return s.Kind == KindResource && len(s.Params) > 0 }
