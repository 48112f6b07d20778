package search

import (
	"slices"
)

// patientCompartment is the R4 (4.0.1) CompartmentDefinition "patient"
// (http://hl7.org/fhir/R4/compartmentdefinition-patient.html): for each
// resource type that can be in a patient's compartment, the search
// parameters that put it there. Types never in the compartment are absent.
var patientCompartment = map[string][]string{
	"Account":                     {"subject"},
	"AdverseEvent":                {"subject"},
	"AllergyIntolerance":          {"patient", "recorder", "asserter"},
	"Appointment":                 {"actor"},
	"AppointmentResponse":         {"actor"},
	"AuditEvent":                  {"patient"},
	"Basic":                       {"patient", "author"},
	"BodyStructure":               {"patient"},
	"CarePlan":                    {"patient", "performer"},
	"CareTeam":                    {"patient", "participant"},
	"ChargeItem":                  {"subject"},
	"Claim":                       {"patient", "payee"},
	"ClaimResponse":               {"patient"},
	"ClinicalImpression":          {"subject"},
	"Communication":               {"subject", "sender", "recipient"},
	"CommunicationRequest":        {"subject", "sender", "recipient", "requester"},
	"Composition":                 {"subject", "author", "attester"},
	"Condition":                   {"patient", "asserter"},
	"Consent":                     {"patient"},
	"Coverage":                    {"policy-holder", "subscriber", "beneficiary", "payor"},
	"CoverageEligibilityRequest":  {"patient"},
	"CoverageEligibilityResponse": {"patient"},
	"DetectedIssue":               {"patient"},
	"DeviceRequest":               {"subject", "performer"},
	"DeviceUseStatement":          {"subject"},
	"DiagnosticReport":            {"subject"},
	"DocumentManifest":            {"subject", "author", "recipient"},
	"DocumentReference":           {"subject", "author"},
	"Encounter":                   {"patient"},
	"EnrollmentRequest":           {"subject"},
	"EpisodeOfCare":               {"patient"},
	"ExplanationOfBenefit":        {"patient", "payee"},
	"FamilyMemberHistory":         {"patient"},
	"Flag":                        {"patient"},
	"Goal":                        {"patient"},
	"Group":                       {"member"},
	"ImagingStudy":                {"patient"},
	"Immunization":                {"patient"},
	"ImmunizationEvaluation":      {"patient"},
	"ImmunizationRecommendation":  {"patient"},
	"Invoice":                     {"subject", "patient", "recipient"},
	"List":                        {"subject", "source"},
	"MeasureReport":               {"patient"},
	"Media":                       {"subject"},
	"MedicationAdministration":    {"patient", "performer", "subject"},
	"MedicationDispense":          {"subject", "patient", "receiver"},
	"MedicationRequest":           {"subject"},
	"MedicationStatement":         {"subject"},
	"MolecularSequence":           {"patient"},
	"NutritionOrder":              {"patient"},
	"Observation":                 {"subject", "performer"},
	// A patient is also in its own compartment, by id ("{def}").
	"Patient":               {"link"},
	"Person":                {"patient"},
	"Procedure":             {"patient", "performer"},
	"Provenance":            {"patient"},
	"QuestionnaireResponse": {"subject", "author"},
	"RelatedPerson":         {"patient"},
	"RequestGroup":          {"subject", "participant"},
	"ResearchSubject":       {"individual"},
	"RiskAssessment":        {"subject"},
	"Schedule":              {"actor"},
	"ServiceRequest":        {"subject", "performer"},
	"Specimen":              {"subject"},
	"SupplyDelivery":        {"patient"},
	"SupplyRequest":         {"subject"},
	"VisionPrescription":    {"patient"},
}

// PatientCompartment returns the reference search parameters that place a
// resource of this type in a patient's compartment (R4
// CompartmentDefinition "patient"): the resource is in the compartment of
// Patient/x when any of them refers to Patient/x. It returns nil for a type
// that is never in a patient compartment. A Patient is also in its own
// compartment, which no parameter says.
func PatientCompartment(resourceType string) []string {
	return slices.Clone(patientCompartment[resourceType])
}

// PatientCompartmentTypes returns the resource types that can be in a
// patient's compartment, sorted.
func PatientCompartmentTypes() []string {
	out := make([]string, 0, len(patientCompartment))
	for t := range patientCompartment {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
