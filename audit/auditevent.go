package audit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Code systems of the AuditEvent rendering (R4 AuditEvent terminology).
const (
	systemEventType   = "http://terminology.hl7.org/CodeSystem/audit-event-type"
	systemInteraction = "http://hl7.org/fhir/restful-interaction"
	systemDICOM       = "http://dicom.nema.org/resources/ontology/DCM"
	systemRoleType    = "http://terminology.hl7.org/CodeSystem/extra-security-role-type"
	systemSourceType  = "http://terminology.hl7.org/CodeSystem/security-source-type"
	systemEntityType  = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	systemObjectRole  = "http://terminology.hl7.org/CodeSystem/object-role"
	systemURI         = "urn:ietf:rfc:3986"
	// InteractionSystem is smartd's own code system for the subtype of
	// authentication events other than login and logout (authorize,
	// token, introspect, revoke, register).
	InteractionSystem = "urn:smartd:audit-interaction"
)

// restAction is the AuditEvent.action (R4 "AuditEventAction": C create,
// R read, U update, D delete, E execute, which includes search) of each
// restful-interaction code.
var restAction = map[string]string{
	"read": "R", "vread": "R", "history": "R", "history-instance": "R", "history-type": "R", "history-system": "R",
	"create": "C", "update": "U", "patch": "U", "delete": "D",
	"search": "E", "search-type": "E", "search-system": "E", "capabilities": "E",
	"transaction": "E", "batch": "E", "operation": "E",
}

// The shapes of the R4 AuditEvent elements used (R4 §6.4.3).
type (
	coding struct {
		System  string `json:"system,omitempty"`
		Code    string `json:"code,omitempty"`
		Display string `json:"display,omitempty"`
	}
	codeableConcept struct {
		Coding []coding `json:"coding"`
	}
	identifier struct {
		System string `json:"system,omitempty"`
		Value  string `json:"value"`
	}
	reference struct {
		Reference  string      `json:"reference,omitempty"`
		Identifier *identifier `json:"identifier,omitempty"`
		Display    string      `json:"display,omitempty"`
	}
	network struct {
		Address string `json:"address"`
		Type    string `json:"type"`
	}
	agent struct {
		Type      *codeableConcept `json:"type,omitempty"`
		Who       *reference       `json:"who,omitempty"`
		AltID     string           `json:"altId,omitempty"`
		Name      string           `json:"name,omitempty"`
		Requestor bool             `json:"requestor"`
		Network   *network         `json:"network,omitempty"`
	}
	source struct {
		Observer reference `json:"observer"`
		Type     []coding  `json:"type"`
	}
	detail struct {
		Type        string `json:"type"`
		ValueString string `json:"valueString"`
	}
	entity struct {
		What        *reference `json:"what,omitempty"`
		Type        *coding    `json:"type,omitempty"`
		Role        *coding    `json:"role,omitempty"`
		Description string     `json:"description,omitempty"`
		Query       string     `json:"query,omitempty"`
		Detail      []detail   `json:"detail,omitempty"`
	}
	auditEvent struct {
		ResourceType string   `json:"resourceType"`
		ID           string   `json:"id,omitempty"`
		Type         coding   `json:"type"`
		Subtype      []coding `json:"subtype,omitempty"`
		Action       string   `json:"action,omitempty"`
		Recorded     string   `json:"recorded"`
		Outcome      string   `json:"outcome,omitempty"`
		OutcomeDesc  string   `json:"outcomeDesc,omitempty"`
		Agent        []agent  `json:"agent"`
		Source       source   `json:"source"`
		Entity       []entity `json:"entity,omitempty"`
	}
)

// AuditEvent renders r as a FHIR R4 AuditEvent (JSON). base is the FHIR
// base URL of the server (e.g. https://ehr.example.org/fhir): references
// to resources and a relative fhirUser are made absolute with it, and it
// identifies the observer; "" leaves references relative.
//
//   - type: a KindFHIR record is "rest" (audit-event-type), with the
//     interaction as subtype (restful-interaction); a KindAuth record is
//     DICOM 110114 "User Authentication", subtype 110122 Login or 110123
//     Logout, or the action in InteractionSystem.
//   - action: C, R, U or D for create, read/vread/history, update/patch and
//     delete; E (execute) for searches, operations, bundles and
//     authentication.
//   - outcome: 0 success, 4 denied or a client error, 8 a server error
//     (5xx); outcomeDesc carries the HTTP status and the reason.
//   - agent: the user (humanuser, who = their fhirUser reference or, for
//     a username, an identifier) as requestor, and the app (DICOM 110153
//     Source Role ID, who = its client_id), the requestor itself when no
//     user is signed in, with the network address. A record with neither
//     gets one anonymous requestor agent.
//   - source: the observer is smartd, identified by base; type 4
//     Application Server.
//   - entity: the resource (what = Type/id; for a search, the query in
//     entity.query, base64), the launch patient (role 1 Patient), and the
//     scope (role 13 Security Resource, in a detail named "scope").
//
// The request id, AuditEvent.period and purposeOfEvent are not rendered.
func (r Record) AuditEvent(base string) []byte {
	base = strings.TrimSuffix(base, "/")
	ev := auditEvent{
		ResourceType: "AuditEvent",
		Recorded:     r.Time.UTC().Format(time.RFC3339Nano),
		OutcomeDesc:  outcomeDesc(r),
		Agent:        agents(r, base),
		Source: source{
			Observer: reference{Display: "smartd"},
			Type:     []coding{{System: systemSourceType, Code: "4", Display: "Application Server"}},
		},
		Entity: entities(r, base),
	}
	if validID(r.ID) {
		ev.ID = r.ID
	}
	if base != "" {
		ev.Source.Observer.Identifier = &identifier{System: systemURI, Value: base}
	}
	if r.Kind == KindAuth {
		ev.Type = coding{System: systemDICOM, Code: "110114", Display: "User Authentication"}
		ev.Action = "E"
		switch r.Interaction {
		case "":
		case AuthLogin:
			ev.Subtype = []coding{{System: systemDICOM, Code: "110122", Display: "Login"}}
		case AuthLogout:
			ev.Subtype = []coding{{System: systemDICOM, Code: "110123", Display: "Logout"}}
		default:
			ev.Subtype = []coding{{System: InteractionSystem, Code: r.Interaction}}
		}
	} else {
		ev.Type = coding{System: systemEventType, Code: "rest", Display: "RESTful Operation"}
		if a, ok := restAction[r.Interaction]; ok {
			ev.Action = a
			ev.Subtype = []coding{{System: systemInteraction, Code: r.Interaction}}
		} else if r.Interaction != "" {
			ev.Subtype = []coding{{System: InteractionSystem, Code: r.Interaction}}
		}
	}
	switch outcome := r.Outcome; {
	case outcome == "" && r.Status == 0:
	case outcome == OutcomeSuccess || outcome == "" && r.Status < 400:
		ev.Outcome = "0"
	case r.Status >= 500:
		ev.Outcome = "8"
	default:
		ev.Outcome = "4"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(ev) // only strings and bools: it cannot fail
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// outcomeDesc is "HTTP <status>: <reason>", or what of it is known.
func outcomeDesc(r Record) string {
	var parts []string
	if r.Status != 0 {
		parts = append(parts, "HTTP "+strconv.Itoa(r.Status))
	}
	if r.Reason != "" {
		parts = append(parts, r.Reason)
	}
	return strings.Join(parts, ": ")
}

func agents(r Record, base string) []agent {
	var out []agent
	if r.User != "" {
		a := agent{
			Type:      &codeableConcept{Coding: []coding{{System: systemRoleType, Code: "humanuser", Display: "human user"}}},
			Requestor: true,
		}
		if ref, ok := resourceRef(r.User, base); ok {
			a.Who = &reference{Reference: ref}
		} else {
			a.Who = &reference{Identifier: &identifier{Value: r.User}}
			a.Name = r.User
		}
		out = append(out, a)
	}
	app := agent{
		Type:      &codeableConcept{Coding: []coding{{System: systemDICOM, Code: "110153", Display: "Source Role ID"}}},
		Requestor: r.User == "",
		Network:   networkOf(r.RemoteAddr),
	}
	if r.ClientID != "" {
		app.Who = &reference{Identifier: &identifier{Value: r.ClientID}, Display: r.ClientID}
		app.AltID = r.ClientID
	}
	if r.ClientID != "" || app.Network != nil || len(out) == 0 {
		out = append(out, app)
	}
	return out
}

// networkOf is the agent network of a remote address: an IP address
// (type 2) or else a machine name (type 1).
func networkOf(addr string) *network {
	if addr == "" {
		return nil
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	if host == "" {
		return nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return &network{Address: host, Type: "2"}
	}
	return &network{Address: host, Type: "1"}
}

func entities(r Record, base string) []entity {
	var out []entity
	systemObject := &coding{System: systemEntityType, Code: "2", Display: "System Object"}
	switch {
	case r.Query != "" || strings.HasPrefix(r.Interaction, "search"):
		q := r.ResourceType
		if r.Query != "" {
			q += "?" + r.Query
		}
		if q != "" {
			out = append(out, entity{
				Type:  systemObject,
				Role:  &coding{System: systemObjectRole, Code: "24", Display: "Query"},
				Query: base64.StdEncoding.EncodeToString([]byte(q)),
			})
		}
	case r.ResourceType != "" && r.ResourceID != "":
		out = append(out, entity{
			What: &reference{Reference: absolute(base, r.ResourceType+"/"+r.ResourceID)},
			Type: systemObject,
			Role: &coding{System: systemObjectRole, Code: "4", Display: "Domain Resource"},
		})
	case r.ResourceType != "":
		out = append(out, entity{Type: systemObject, Description: r.ResourceType})
	}
	if r.Patient != "" {
		out = append(out, entity{
			What: &reference{Reference: absolute(base, "Patient/"+r.Patient)},
			Type: &coding{System: systemEntityType, Code: "1", Display: "Person"},
			Role: &coding{System: systemObjectRole, Code: "1", Display: "Patient"},
		})
	}
	if r.Scope != "" {
		out = append(out, entity{
			Type:        systemObject,
			Role:        &coding{System: systemObjectRole, Code: "13", Display: "Security Resource"},
			Description: "OAuth 2.0 scope",
			Detail:      []detail{{Type: "scope", ValueString: r.Scope}},
		})
	}
	return out
}

// resourceRef is user as a reference, if it is one: an absolute URL, or
// Type/id with a capitalized type.
func resourceRef(user, base string) (string, bool) {
	if strings.HasPrefix(user, "https://") || strings.HasPrefix(user, "http://") {
		return user, true
	}
	typ, id, ok := strings.Cut(user, "/")
	if !ok || typ == "" || id == "" || strings.ContainsAny(id, "/ ") || typ[0] < 'A' || typ[0] > 'Z' {
		return "", false
	}
	for _, c := range typ {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return "", false
		}
	}
	return absolute(base, user), true
}

// validID reports whether id is a FHIR id (R4 §2.24.0.1: [A-Za-z0-9\-\.]{1,64}).
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func absolute(base, ref string) string {
	if base == "" {
		return ref
	}
	return base + "/" + ref
}

// Bundle renders records as a FHIR R4 collection Bundle of AuditEvents
// (see Record.AuditEvent for base), each entry with its fullUrl when the
// record has an ID and base is set.
func Bundle(base string, records []Record) []byte {
	type bundleEntry struct {
		FullURL  string          `json:"fullUrl,omitempty"`
		Resource json.RawMessage `json:"resource"`
	}
	base = strings.TrimSuffix(base, "/")
	b := struct {
		ResourceType string        `json:"resourceType"`
		Type         string        `json:"type"`
		Entry        []bundleEntry `json:"entry,omitempty"`
	}{ResourceType: "Bundle", Type: "collection"}
	for _, r := range records {
		e := bundleEntry{Resource: r.AuditEvent(base)}
		if base != "" && validID(r.ID) {
			e.FullURL = base + "/AuditEvent/" + r.ID
		}
		b.Entry = append(b.Entry, e)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(b)
	return out.Bytes()
}
