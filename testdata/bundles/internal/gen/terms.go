package main

// Code systems, as named in FHIR R4 (terminologies-systems.html).
const (
	sysSNOMED     = "http://snomed.info/sct"
	sysLOINC      = "http://loinc.org"
	sysRxNorm     = "http://www.nlm.nih.gov/research/umls/rxnorm"
	sysCVX        = "http://hl7.org/fhir/sid/cvx"
	sysUCUM       = "http://unitsofmeasure.org"
	sysNPI        = "http://hl7.org/fhir/sid/us-npi"
	sysActCode    = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysObsCat     = "http://terminology.hl7.org/CodeSystem/observation-category"
	sysObsInterp  = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	sysCondClin   = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	sysCondVer    = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	sysCondCat    = "http://terminology.hl7.org/CodeSystem/condition-category"
	sysAllergyCl  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	sysAllergyVer = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	sysV2ID       = "http://terminology.hl7.org/CodeSystem/v2-0203"
	sysV2Degree   = "http://terminology.hl7.org/CodeSystem/v2-0360|2.7"
	sysV2Contact  = "http://terminology.hl7.org/CodeSystem/v2-0131"
	sysMarital    = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
	sysPartType   = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	sysRoute      = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"
	sysDischarge  = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
	sysOrgType    = "http://terminology.hl7.org/CodeSystem/organization-type"
	sysDocCat     = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
	sysLanguage   = "urn:ietf:bcp:47"
	sysHospital   = "http://hospital.smarthealthit.org"
	sysOIDMRN     = "urn:oid:2.16.840.1.113883.19.5.99999.1"
)

// concept is one coding: a code from a system, with its display.
type concept struct{ system, code, display string }

// Encounter classes (v3 ActCode, the R4 Encounter.class value set).
var (
	classAmbulatory = concept{sysActCode, "AMB", "ambulatory"}
	classEmergency  = concept{sysActCode, "EMER", "emergency"}
	classInpatient  = concept{sysActCode, "IMP", "inpatient encounter"}
	classVirtual    = concept{sysActCode, "VR", "virtual"}
)

// Encounter types (SNOMED CT procedures).
var (
	encCheckUp   = concept{sysSNOMED, "185349003", "Encounter for check up (procedure)"}
	encGeneral   = concept{sysSNOMED, "162673000", "General examination of patient (procedure)"}
	encFollowUp  = concept{sysSNOMED, "390906007", "Follow-up encounter (procedure)"}
	encSymptom   = concept{sysSNOMED, "185345009", "Encounter for symptom (procedure)"}
	encEmergency = concept{sysSNOMED, "50849002", "Emergency room admission (procedure)"}
	encAdmission = concept{sysSNOMED, "32485007", "Hospital admission (procedure)"}
	encWellChild = concept{sysSNOMED, "410620009", "Well child visit (procedure)"}
	encTelephone = concept{sysSNOMED, "185317003", "Telephone encounter (procedure)"}
)

// Conditions, findings and procedures (SNOMED CT).
var (
	snoDiabetes2      = concept{sysSNOMED, "44054006", "Diabetes mellitus type 2 (disorder)"}
	snoHypertension   = concept{sysSNOMED, "38341003", "Hypertensive disorder, systemic arterial (disorder)"}
	snoHyperlipidemia = concept{sysSNOMED, "55822004", "Hyperlipidemia (disorder)"}
	snoHyperglycemia  = concept{sysSNOMED, "80394007", "Hyperglycemia (disorder)"}
	snoAsthma         = concept{sysSNOMED, "195967001", "Asthma (disorder)"}
	snoOtitisMedia    = concept{sysSNOMED, "65363002", "Otitis media (disorder)"}
	snoCHF            = concept{sysSNOMED, "88805009", "Chronic congestive heart failure (disorder)"}
	snoAFib           = concept{sysSNOMED, "49436004", "Atrial fibrillation (disorder)"}
	snoKneeOA         = concept{sysSNOMED, "239873007", "Osteoarthritis of knee (disorder)"}
	snoCKD3           = concept{sysSNOMED, "433144002", "Chronic kidney disease stage 3 (disorder)"}
	snoCOPD           = concept{sysSNOMED, "185086009", "Chronic obstructive bronchitis (disorder)"}
	snoBronchitis     = concept{sysSNOMED, "10509002", "Acute bronchitis (disorder)"}
	snoNSCLC          = concept{sysSNOMED, "254637007", "Non-small cell lung cancer (disorder)"}
	snoHypothyroid    = concept{sysSNOMED, "40930008", "Hypothyroidism (disorder)"}
	snoIronAnemia     = concept{sysSNOMED, "87522002", "Iron deficiency anemia (disorder)"}
	snoRhinitis       = concept{sysSNOMED, "367498001", "Seasonal allergic rhinitis (disorder)"}
	snoAcne           = concept{sysSNOMED, "11381005", "Acne (disorder)"}
	snoAnkleSprain    = concept{sysSNOMED, "44465007", "Sprain of ankle (disorder)"}
	snoFatigue        = concept{sysSNOMED, "84229001", "Fatigue (finding)"}
	snoDyspnea        = concept{sysSNOMED, "267036007", "Dyspnea (finding)"}
	snoExSmoker       = concept{sysSNOMED, "8517006", "Ex-smoker (finding)"}
	snoEcho           = concept{sysSNOMED, "40701008", "Echocardiography (procedure)"}
	snoChestXray      = concept{sysSNOMED, "399208008", "Plain chest X-ray (procedure)"}
	snoImaging        = concept{sysSNOMED, "363679005", "Imaging (procedure)"}
	snoLabProcedure   = concept{sysSNOMED, "108252007", "Laboratory procedure (procedure)"}
)

// Allergy codes and reactions.
var (
	algPeanut     = concept{sysSNOMED, "91935009", "Allergy to peanuts"}
	algDander     = concept{sysSNOMED, "232347008", "Dander (animal) allergy"}
	algDustMite   = concept{sysSNOMED, "232350006", "House dust mite allergy"}
	algLatex      = concept{sysSNOMED, "300916003", "Latex allergy"}
	algNoneKnown  = concept{sysSNOMED, "716186003", "No known allergy (situation)"}
	algPenicillin = concept{sysRxNorm, "7980", "Penicillin G"}
	algLisinopril = concept{sysRxNorm, "29046", "lisinopril"}
	rxnHives      = concept{sysSNOMED, "247472004", "Wheal (finding)"}
	rxnAnaphylaxi = concept{sysSNOMED, "39579001", "Anaphylaxis (disorder)"}
	rxnRash       = concept{sysSNOMED, "271807003", "Eruption of skin (disorder)"}
	rxnCough      = concept{sysSNOMED, "49727002", "Cough (finding)"}
	rxnSneezing   = concept{sysSNOMED, "76067001", "Sneezing (finding)"}
)

// Medications (RxNorm clinical drugs).
var (
	rxMetformin   = concept{sysRxNorm, "860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"}
	rxLisinopril  = concept{sysRxNorm, "314076", "lisinopril 10 MG Oral Tablet"}
	rxAmlodipine  = concept{sysRxNorm, "197361", "Amlodipine 5 MG Oral Tablet"}
	rxSimvastatin = concept{sysRxNorm, "312961", "Simvastatin 20 MG Oral Tablet"}
	rxFluticasone = concept{sysRxNorm, "895994", "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler"}
	rxAlbuterol   = concept{sysRxNorm, "745679", "200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"}
	rxAdvair      = concept{sysRxNorm, "896209", "60 ACTUAT Fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler"}
	rxAmoxicillin = concept{sysRxNorm, "308182", "Amoxicillin 250 MG Oral Capsule"}
	rxEpiPen      = concept{sysRxNorm, "1870230", "NDA020800 0.3 ML Epinephrine 1 MG/ML Auto-Injector"}
	rxWarfarin    = concept{sysRxNorm, "855332", "Warfarin Sodium 5 MG Oral Tablet"}
	rxHCTZ        = concept{sysRxNorm, "310798", "Hydrochlorothiazide 25 MG Oral Tablet"}
	rxFurosemide  = concept{sysRxNorm, "313988", "Furosemide 40 MG Oral Tablet"}
	rxDigoxin     = concept{sysRxNorm, "197604", "Digoxin 0.125 MG Oral Tablet"}
	rxPrednisone  = concept{sysRxNorm, "312617", "predniSONE 5 MG Oral Tablet"}
	rxAcetaminoph = concept{sysRxNorm, "313782", "Acetaminophen 325 MG Oral Tablet"}
	rxIbuprofen   = concept{sysRxNorm, "310965", "Ibuprofen 200 MG Oral Tablet"}
	rxFerrous     = concept{sysRxNorm, "310325", "ferrous sulfate 325 MG Oral Tablet"}
	rxLevothyrox  = concept{sysRxNorm, "966222", "Levothyroxine Sodium 0.075 MG Oral Tablet"}
	rxCetirizine  = concept{sysRxNorm, "1014676", "cetirizine hydrochloride 5 MG Oral Tablet"}
)

// vaccine is a CVX vaccine with the route it is given by.
type vaccine struct {
	code  concept
	route concept
}

var (
	routeIM = concept{sysRoute, "IM", "Injection, intramuscular"}
	routeSC = concept{sysRoute, "SQ", "Injection, subcutaneous"}
)

// Vaccines (CVX).
var (
	cvxHepBPed   = vaccine{concept{sysCVX, "08", "Hep B, adolescent or pediatric"}, routeIM}
	cvxDTaP      = vaccine{concept{sysCVX, "20", "DTaP"}, routeIM}
	cvxIPV       = vaccine{concept{sysCVX, "10", "IPV"}, routeIM}
	cvxPCV13     = vaccine{concept{sysCVX, "133", "Pneumococcal conjugate PCV 13"}, routeIM}
	cvxMMR       = vaccine{concept{sysCVX, "03", "MMR"}, routeSC}
	cvxVaricella = vaccine{concept{sysCVX, "21", "varicella"}, routeSC}
	cvxHepAPed   = vaccine{concept{sysCVX, "83", "Hep A, ped/adol, 2 dose"}, routeIM}
	cvxFlu       = vaccine{concept{sysCVX, "140", "Influenza, seasonal, injectable, preservative free"}, routeIM}
	cvxTdap      = vaccine{concept{sysCVX, "115", "Tdap"}, routeIM}
	cvxTd        = vaccine{concept{sysCVX, "113", "Td (adult) preservative free"}, routeIM}
	cvxPPSV23    = vaccine{concept{sysCVX, "33", "pneumococcal polysaccharide vaccine, 23 valent"}, routeIM}
	cvxHPV       = vaccine{concept{sysCVX, "62", "HPV, quadrivalent"}, routeIM}
	cvxMenACWY   = vaccine{concept{sysCVX, "114", "meningococcal MCV4P"}, routeIM}
	cvxZoster    = vaccine{concept{sysCVX, "121", "zoster"}, routeSC}
)

// lab is a laboratory test with its UCUM unit and adult reference range
// (zero bounds are left out).
type lab struct {
	code      concept
	unit      string
	ucum      string
	low, high float64
}

// Laboratory tests (LOINC).
var (
	labA1c        = lab{concept{sysLOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"}, "%", "%", 4.0, 5.6}
	labGlucose    = lab{concept{sysLOINC, "2339-0", "Glucose [Mass/volume] in Blood"}, "mg/dL", "mg/dL", 70, 99}
	labLDL        = lab{concept{sysLOINC, "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay"}, "mg/dL", "mg/dL", 0, 99}
	labCreatinine = lab{concept{sysLOINC, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma"}, "mg/dL", "mg/dL", 0.6, 1.2}
	labPotassium  = lab{concept{sysLOINC, "2823-3", "Potassium [Moles/volume] in Serum or Plasma"}, "mmol/L", "mmol/L", 3.5, 5.1}
	labTSH        = lab{concept{sysLOINC, "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma"}, "mIU/L", "m[IU]/L", 0.4, 4.5}
	labHemoglobin = lab{concept{sysLOINC, "718-7", "Hemoglobin [Mass/volume] in Blood"}, "g/dL", "g/dL", 12.0, 17.5}
	labINR        = lab{concept{sysLOINC, "6301-6", "INR in Platelet poor plasma by Coagulation assay"}, "INR", "{INR}", 2.0, 3.0}
	labNTproBNP   = lab{concept{sysLOINC, "33762-6", "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma"}, "pg/mL", "pg/mL", 0, 450}
	labPeanutIgE  = lab{concept{sysLOINC, "6206-7", "Peanut IgE Ab [Units/volume] in Serum"}, "kU/L", "k[IU]/L", 0, 0.35}
)

// Vital signs (LOINC, as in the R4 vital signs profile, observation-vitalsigns.html).
var (
	vsWeight      = concept{sysLOINC, "29463-7", "Body weight"}
	vsHeight      = concept{sysLOINC, "8302-2", "Body height"}
	vsBMI         = concept{sysLOINC, "39156-5", "Body mass index (BMI) [Ratio]"}
	vsHead        = concept{sysLOINC, "9843-4", "Head Occipital-frontal circumference"}
	vsBP          = concept{sysLOINC, "85354-9", "Blood pressure panel with all children optional"}
	vsSystolic    = concept{sysLOINC, "8480-6", "Systolic blood pressure"}
	vsDiastolic   = concept{sysLOINC, "8462-4", "Diastolic blood pressure"}
	vsHeartRate   = concept{sysLOINC, "8867-4", "Heart rate"}
	vsRespRate    = concept{sysLOINC, "9279-1", "Respiratory rate"}
	vsTemperature = concept{sysLOINC, "8310-5", "Body temperature"}
	vsSpO2        = concept{sysLOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"}
	loincSmoking  = concept{sysLOINC, "72166-2", "Tobacco smoking status"}
)

// Document types (LOINC).
var (
	docProgress  = concept{sysLOINC, "11506-3", "Progress note"}
	docDischarge = concept{sysLOINC, "18842-5", "Discharge summary"}
	docHandP     = concept{sysLOINC, "34117-2", "History and physical note"}
)

// Marital status (v3 MaritalStatus) and languages (BCP 47).
var (
	maritalMarried = concept{sysMarital, "M", "Married"}
	maritalNever   = concept{sysMarital, "S", "Never Married"}
	maritalWidowed = concept{sysMarital, "W", "Widowed"}
	langSpanish    = concept{sysLanguage, "es", "Spanish"}
	langEnglish    = concept{sysLanguage, "en-US", "English (United States)"}
)
