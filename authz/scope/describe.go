package scope

import (
	"strings"
	"unicode"
)

// Describe returns one plain-English sentence about s for a consent page
// (SMART App Launch 2.2, best-practices: explain each scope in plain
// language). Patient scopes are worded for the patient ("your allergies");
// wildcard scopes say that types added later are included, as the IG asks
// ("Wildcard scopes"); granular parameters are spelled out.
func Describe(s Scope) string {
	switch s.Kind {
	case KindResource:
		return describeResource(s)
	case KindLaunch:
		return describeLaunch(s)
	case KindOpenID:
		return "Confirm your identity when you sign in."
	case KindFHIRUser:
		return "Know who you are (your FHIR user)."
	case KindProfile:
		return "Read your basic profile, such as your name."
	case KindOfflineAccess:
		return "Keep access when you are not using the app (offline access)."
	case KindOnlineAccess:
		return "Keep access while you are signed in (online access)."
	}
	if s.Problem != "" {
		return "Ask for \"" + s.Text + "\", which is not a valid SMART scope (" + s.Problem + ") and will not be granted."
	}
	return "Ask for \"" + s.Text + "\", which this server does not support and will not grant."
}

// verbs in the order a person reads them, not "cruds" order.
var verbs = [...]struct {
	i    Interaction
	word string
}{{Read, "read"}, {Search, "search"}, {Create, "add"}, {Update, "change"}, {Delete, "delete"}}

func describeResource(s Scope) string {
	var words []string
	for _, v := range verbs {
		if s.Perms.Has(v.i) {
			words = append(words, v.word)
		}
	}
	var b strings.Builder
	b.WriteString(capitalize(joinOr(words, "and")))
	b.WriteByte(' ')

	var conds []string // spelled-out parameter constraints
	if s.ResourceType == "*" {
		switch s.Context {
		case ContextPatient:
			b.WriteString("all types of your data")
		case ContextUser:
			b.WriteString("all types of data you can access")
		default:
			b.WriteString("all types of data the app's access policy allows")
		}
		b.WriteString(", including types added later")
		for _, p := range s.Params {
			conds = append(conds, describeParam(p))
		}
	} else {
		// The first category becomes an adjective ("laboratory
		// observations"); further ones are spelled out.
		category := ""
		for _, p := range s.Params {
			if p.Name == "category" && category == "" {
				category = describeCategory(p.Value)
			} else {
				conds = append(conds, describeParam(p))
			}
		}
		noun := typeNoun(s.ResourceType)
		if category != "" {
			noun = category + " " + noun
		}
		switch {
		case s.Context == ContextPatient && s.ResourceType == "Patient" && category == "":
			b.WriteString("your demographics")
		case s.Context == ContextPatient:
			b.WriteString("your " + noun)
		case s.Context == ContextUser:
			b.WriteString(noun + " you can access")
		default:
			b.WriteString(noun + " the app's access policy allows")
		}
	}
	if len(conds) > 0 {
		b.WriteString(", limited to those where ")
		b.WriteString(joinOr(conds, "and"))
	}
	b.WriteByte('.')
	return b.String()
}

// describeParam spells out one constraint: "code is 8867-4 (http://loinc.org)".
func describeParam(p Param) string {
	name, mod, _ := strings.Cut(p.Name, ":")
	switch name {
	case "_security":
		name = "security label"
	case "_tag":
		name = "tag"
	}
	verb := "is"
	switch mod {
	case "":
	case "not":
		verb = "is not"
	case "in":
		verb = "is in the value set"
	case "not-in":
		verb = "is not in the value set"
	default:
		name = name + " (" + mod + ")"
	}
	var alts []string
	for v := range strings.SplitSeq(p.Value, ",") {
		alts = append(alts, describeToken(v))
	}
	return name + " " + verb + " " + joinOr(alts, "or")
}

// describeToken renders a token search value "system|code".
func describeToken(v string) string {
	system, code, ok := strings.Cut(v, "|")
	switch {
	case !ok:
		return v
	case system == "":
		return code
	case code == "":
		return "any code from " + system
	}
	return code + " (" + system + ")"
}

// describeCategory turns "http://...observation-category|laboratory,
// ...|vital-signs" into "laboratory or vital sign".
func describeCategory(v string) string {
	var alts []string
	for alt := range strings.SplitSeq(v, ",") {
		code := alt
		if _, c, ok := strings.Cut(alt, "|"); ok {
			code = c
		}
		if name, ok := categoryNames[code]; ok {
			code = name
		} else {
			code = strings.NewReplacer("-", " ", "_", " ").Replace(code)
		}
		alts = append(alts, code)
	}
	return joinOr(alts, "or")
}

// categoryNames are adjectives for the US Core / FHIR category codes ONC
// requires (observation-category, condition-category, us-core-category).
var categoryNames = map[string]string{
	"laboratory":          "laboratory",
	"vital-signs":         "vital sign",
	"social-history":      "social history",
	"imaging":             "imaging",
	"survey":              "survey",
	"exam":                "exam",
	"therapy":             "therapy",
	"activity":            "activity",
	"procedure":           "procedure",
	"sdoh":                "social needs",
	"problem-list-item":   "problem list",
	"encounter-diagnosis": "encounter diagnosis",
	"health-concern":      "health concern",
	"clinical-note":       "clinical note",
}

// typeNouns are plain plural nouns for common FHIR R4 resource types.
var typeNouns = map[string]string{
	"AllergyIntolerance":    "allergies",
	"Appointment":           "appointments",
	"Binary":                "attached files",
	"CarePlan":              "care plans",
	"CareTeam":              "care teams",
	"Claim":                 "insurance claims",
	"Condition":             "conditions",
	"Coverage":              "insurance coverage details",
	"Device":                "devices",
	"DiagnosticReport":      "diagnostic reports",
	"DocumentReference":     "documents",
	"Encounter":             "visits (encounters)",
	"ExplanationOfBenefit":  "insurance claim explanations",
	"Goal":                  "goals",
	"ImagingStudy":          "imaging studies",
	"Immunization":          "immunizations",
	"Location":              "locations",
	"Medication":            "medications",
	"MedicationDispense":    "medication dispenses",
	"MedicationRequest":     "medication orders and prescriptions",
	"MedicationStatement":   "medication statements",
	"Observation":           "observations",
	"Organization":          "organizations",
	"Patient":               "patient records",
	"Practitioner":          "care provider records",
	"PractitionerRole":      "care provider roles",
	"Procedure":             "procedures",
	"Provenance":            "data provenance records",
	"Questionnaire":         "questionnaires",
	"QuestionnaireResponse": "questionnaire answers",
	"RelatedPerson":         "related person records",
	"ServiceRequest":        "orders and referrals",
	"Specimen":              "specimens",
	"Task":                  "tasks",
}

// typeNoun returns a plural noun for a resource type, splitting unknown
// CamelCase names: "MolecularSequence" → "molecular sequence records".
func typeNoun(typ string) string {
	if n, ok := typeNouns[typ]; ok {
		return n
	}
	var b strings.Builder
	for i, r := range typ {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String() + " records"
}

func describeLaunch(s Scope) string {
	var sentence string
	switch s.Launch {
	case "":
		sentence = "Use the context the app is launched with from the EHR, such as the open patient record"
	case "patient":
		sentence = "Learn which patient is selected when the app starts"
	case "encounter":
		sentence = "Learn which visit (encounter) is selected when the app starts"
	default:
		what := s.Launch + " record"
		for t := range typeNouns {
			if strings.EqualFold(t, s.Launch) {
				what = t
			}
		}
		sentence = "Learn which " + what + " is selected when the app starts"
	}
	if s.Role != "" {
		sentence += " (in the role " + s.Role + ")"
	}
	return sentence + "."
}

// joinOr joins words as "a, b and c" (conj "and") or "a, b or c".
func joinOr(words []string, conj string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
