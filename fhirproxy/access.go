package fhirproxy

import (
	"net/url"
	"sync"

	"smartd/authz/scope"
	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
)

// Access is what the bearer of one request's access token may reach: the
// granted scopes and the context they are confined to (SMART App Launch
// 2.2, "Scopes for requesting FHIR Resources"). A nil *Access is the
// trusted internal path, which sees everything.
type Access struct {
	// Scopes is the granted scope.
	Scopes scope.Set
	// Patient is the id of the patient in launch context: patient/ scopes
	// reach its compartment, and nothing when it is "".
	Patient string
	// UserAll is true when user/ scopes reach every resource (a
	// clinician, under this sandbox's policy); otherwise UserPatient is
	// the patient whose compartment they reach (a patient user, or the
	// patient a RelatedPerson acts for), and nothing when it is "".
	UserAll     bool
	UserPatient string
	// FHIRUser is the signed-in user's own resource ("Practitioner/12"),
	// always readable with their token, whatever the scopes say.
	FHIRUser string
	// ClientID and Subject name the app and the user (the client for
	// Backend Services) the token was issued to, and Scope is the granted
	// scope as issued, for the audit trail.
	ClientID, Subject, Scope string

	// reaches remembers the decisions per permission and type (reachKey
	// to reach): the fields above must not change once it is in use.
	reaches sync.Map
}

// sharedTypes are the resource types outside the Patient compartment that
// carry no patient's data and that a patient's record refers to
// (performers, places, medications, definitions): patient/ scopes reach
// every resource of these types. Any other type outside the compartment
// (Binary, Group, ...) is out of reach of patient/ scopes.
var sharedTypes = map[string]bool{
	"Practitioner": true, "PractitionerRole": true, "Organization": true, "Location": true,
	"Medication": true, "Substance": true, "HealthcareService": true, "Endpoint": true,
	"Questionnaire": true, "ValueSet": true, "CodeSystem": true,
}

// permission maps an interaction to the SMART permission it needs:
// read, vread and instance history need r; searches and type or system
// history need s (SMART 2.2 keeps read and search apart).
func permission(i Interaction) scope.Interaction {
	switch i {
	case Read, VRead, HistoryInstance, Everything:
		return scope.Read
	case SearchType, SearchSystem, SearchCompartment, HistoryType, HistorySystem:
		return scope.Search
	case Create:
		return scope.Create
	case Update:
		return scope.Update
	case Delete:
		return scope.Delete
	}
	return 0
}

// guard is the store.Guard of one permission under an Access: for each
// resource type, the reaches the granted scopes and their context allow.
// The answers are remembered in the Access, which lives as long as its
// token is cached, so a request pays for a decision only the first time
// its token meets a type.
type guard struct {
	a  *Access
	op scope.Interaction
}

type reach struct {
	alts   []store.Reach
	all    bool
	reason string
}

// reachKey names one decision of an Access.
type reachKey struct {
	op  scope.Interaction
	typ string
}

func (a *Access) guard(op scope.Interaction) *guard {
	return &guard{a: a, op: op}
}

// Reaches implements store.Guard.
func (g *guard) Reaches(typ string) ([]store.Reach, bool) {
	r := g.of(typ)
	return r.alts, r.all
}

// allowed reports whether any resource of typ can be reached, and if not,
// why, in words for an OperationOutcome.
func (g *guard) allowed(typ string) (bool, string) {
	r := g.of(typ)
	return r.all || len(r.alts) > 0, r.reason
}

func (g *guard) of(typ string) reach {
	key := reachKey{g.op, typ}
	if r, ok := g.a.reaches.Load(key); ok {
		return r.(reach)
	}
	r := g.a.reach(g.op, typ)
	g.a.reaches.Store(key, r)
	return r
}

// reach turns the scope decision for op on typ into the alternatives the
// store applies: one per context the granted scopes reach, each narrowed
// by the granular scopes' parameters.
func (a *Access) reach(op scope.Interaction, typ string) reach {
	d := a.Scopes.Decide(op, typ)
	if !d.Allowed {
		return reach{reason: d.Reason}
	}
	var out reach
	for _, c := range d.Constraints {
		comp, ok := a.context(c.Context, typ)
		if !ok {
			continue
		}
		if c.Unfiltered {
			if comp == nil {
				return reach{all: true}
			}
			out.alts = append(out.alts, store.NewReach(comp, nil))
			continue
		}
		for _, f := range c.Filters {
			if f.ResourceType != typ && f.ResourceType != "*" {
				continue
			}
			crits, ok := criteria(typ, f.Params)
			if !ok {
				continue // a filter the store cannot apply admits nothing
			}
			if comp == nil && len(crits) == 0 {
				return reach{all: true}
			}
			out.alts = append(out.alts, store.NewReach(comp, crits))
		}
	}
	if len(out.alts) == 0 {
		out.reason = "the granted scopes allow " + op.String() + " on " + typ + " only in a context this token does not have"
		if a.Patient == "" && len(d.Constraints) == 1 && d.Constraints[0].Context == scope.ContextPatient {
			out.reason = "patient/ scopes need a patient in launch context, and this token has none"
		}
	}
	return out
}

// context returns the compartment a scope context confines typ to (nil:
// none), or false when the context reaches no resource of typ.
func (a *Access) context(c scope.Context, typ string) (*store.Compartment, bool) {
	patient := ""
	switch c {
	case scope.ContextSystem:
		return nil, true
	case scope.ContextUser:
		if a.UserAll {
			return nil, true
		}
		patient = a.UserPatient
	case scope.ContextPatient:
		patient = a.Patient
	}
	switch {
	case patient == "":
		return nil, false
	case sharedTypes[typ]:
		return nil, true
	case typ != "Patient" && len(search.PatientCompartment(typ)) == 0:
		return nil, false
	}
	return &store.Compartment{Type: "Patient", ID: patient}, true
}

// criteria parses a granular scope's parameters as search criteria of typ;
// false when one is not a supported search parameter of typ.
func criteria(typ string, params []scope.Param) ([]search.Criterion, bool) {
	if len(params) == 0 {
		return nil, true
	}
	vals := url.Values{}
	for _, p := range params {
		vals.Add(p.Name, p.Value)
	}
	q, err := search.Parse(typ, vals, true)
	if err != nil || len(q.Criteria) != len(params) || len(q.Ignored) > 0 {
		return nil, false
	}
	return q.Criteria, true
}
