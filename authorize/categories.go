package authorize

// Code systems of the categories the consent page offers, as US Core
// 6.1 binds each resource's category element.
const (
	// observationCategory: FHIR R4 observation-category
	// (terminology.hl7.org/CodeSystem/observation-category).
	observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	// usCoreCategory: US Core's us-core-category (sdoh, functional-status, ...).
	usCoreCategory = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
	// conditionCategory: FHIR R4 condition-category
	// (terminology.hl7.org/CodeSystem/condition-category).
	conditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category"
	// usCoreConditionCategory: US Core's condition-category (health-concern).
	usCoreConditionCategory = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
	// v2DiagnosticService: HL7 v2 table 0074, diagnostic service section
	// (terminology.hl7.org/CodeSystem/v2-0074), bound by US Core
	// DiagnosticReport for Laboratory Results Reporting (LAB).
	v2DiagnosticService = "http://terminology.hl7.org/CodeSystem/v2-0074"
)

// category is one code of a resource type's category search parameter.
type category struct{ system, code, label string }

// typeCategories are the categories offered as parts of a resource scope
// on the type, with the parts' legend (the ONC granular-selection and
// fine-grained tests narrow Observation and Condition scopes to these).
//
// DocumentReference is left out on purpose: US Core defines one category
// for it (us-core-documentreference-category clinical-note), and with one
// part "all ticked" must mean the whole scope, so the part could not
// narrow anything.
var typeCategories = map[string]struct {
	title string
	codes []category
}{
	"Observation": {"Kinds of observations", []category{
		{observationCategory, "laboratory", "Laboratory results"},
		{observationCategory, "vital-signs", "Vital signs"},
		{observationCategory, "social-history", "Social history"},
		{usCoreCategory, "sdoh", "Social needs (SDOH)"},
		{observationCategory, "survey", "Surveys and questionnaires"},
		{observationCategory, "exam", "Physical exam findings"},
		{observationCategory, "imaging", "Imaging results"},
		{observationCategory, "procedure", "Procedure results"},
		{observationCategory, "therapy", "Therapy notes"},
		{observationCategory, "activity", "Physical activity"},
	}},
	"Condition": {"Kinds of conditions", []category{
		{conditionCategory, "problem-list-item", "Problem list"},
		{conditionCategory, "encounter-diagnosis", "Visit diagnoses"},
		{usCoreConditionCategory, "health-concern", "Health concerns"},
	}},
	"DiagnosticReport": {"Kinds of diagnostic reports", []category{
		{v2DiagnosticService, "LAB", "Laboratory"},
		{v2DiagnosticService, "RAD", "Radiology"},
		{v2DiagnosticService, "PAT", "Pathology"},
		{v2DiagnosticService, "CUS", "Cardiac ultrasound"},
		{v2DiagnosticService, "EC", "Electrocardiography"},
	}},
}

// wildcardTypes are the resource types offered as parts of a wildcard
// scope (`patient/*.rs`), in the order shown: the US Core 6.1 profiled
// types and the ones they reference. Types a server adds later are
// reached only by keeping every part ticked, which grants the wildcard.
var wildcardTypes = []struct{ typ, label string }{
	{"Patient", "Demographics"},
	{"AllergyIntolerance", "Allergies"},
	{"Condition", "Conditions and problems"},
	{"Observation", "Observations (results, vital signs)"},
	{"MedicationRequest", "Medication orders"},
	{"Medication", "Medications"},
	{"MedicationDispense", "Medication dispenses"},
	{"Immunization", "Immunizations"},
	{"Procedure", "Procedures"},
	{"Encounter", "Visits (encounters)"},
	{"DiagnosticReport", "Diagnostic reports"},
	{"DocumentReference", "Documents and clinical notes"},
	{"CarePlan", "Care plans"},
	{"CareTeam", "Care teams"},
	{"Goal", "Goals"},
	{"Device", "Implanted devices"},
	{"ServiceRequest", "Orders and referrals"},
	{"Specimen", "Specimens"},
	{"QuestionnaireResponse", "Questionnaire answers"},
	{"Coverage", "Insurance coverage"},
	{"RelatedPerson", "Related people"},
	{"Practitioner", "Care providers"},
	{"PractitionerRole", "Care provider roles"},
	{"Organization", "Organizations"},
	{"Location", "Locations"},
	{"Provenance", "Provenance of records"},
}
