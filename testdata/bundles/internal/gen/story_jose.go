package main

import "time"

// jose is a middle-aged man with type 2 diabetes, a non-ASCII name and Spanish
// as his preferred language. His bundle names the practitioner and the
// organization only by conditional references.
func jose() story {
	return story{
		file: "10-jose-nunez", id: "smart-patient-1",
		mrnSystem: sysHospital, mrn: "100001",
		names:  []humanName{{use: "official", family: "Ñúñez", given: []string{"José", "Antonio"}, prefix: []string{"Sr."}}},
		gender: "male", birthDate: "1971-03-14",
		zone: time.FixedZone("", -5*60*60),
		telecom: []contactPoint{
			{"phone", "(630) 555-0172", "mobile"},
			{"email", "jose.nunez@example.com", "home"},
		},
		address:  address{[]string{"88 Maple Ridge Road", "Apt 4B"}, "Aurora", "IL", "60505"},
		marital:  maritalMarried,
		language: langSpanish,
		gp:       drMorgan, conditional: true,
		visits: []visit{
			{
				start: "2021-02-09 08:40", class: classAmbulatory, kind: encGeneral, by: drMorgan,
				vitals: vitals{height: 172, weight: 102.4, systolic: 148, diastolic: 94, heartRate: 84},
				labs:   []result{{labA1c, 8.9}, {labGlucose, 212}, {labLDL, 156}, {labCreatinine, 0.98}},
				conditions: []condition{
					{key: "dm2", code: snoDiabetes2, category: "problem-list-item"},
					{key: "htn", code: snoHypertension, category: "problem-list-item", onset: "2017"},
					{key: "lipids", code: snoHyperlipidemia, category: "problem-list-item"},
				},
				meds: []med{
					tablets(rxMetformin, "active", "dm2", "1 tablet by mouth twice daily with meals", 1, 2),
					tablets(rxLisinopril, "stopped", "htn", "1 tablet by mouth once daily", 1, 1),
					tablets(rxSimvastatin, "active", "lipids", "1 tablet by mouth at bedtime", 1, 1),
				},
				order: &order{code: labA1c.code, category: snoLabProcedure, status: "completed", reason: "dm2"},
				note: &note{docHandP, "History and physical. Sr. José Ñúñez, 49, seen with a Spanish interpreter (prefers español). " +
					"Polyuria and thirst for two months. HbA1c 8.9 %. Assessment: type 2 diabetes, hypertension, hyperlipidemia. " +
					"Plan: metformin, lisinopril, simvastatin; diet counselling; repeat HbA1c in three months."},
			},
			{
				start: "2021-03-27 22:15", end: "2021-03-28 03:40", class: classEmergency, kind: encEmergency,
				reason: snoHyperglycemia, by: drMorgan,
				vitals:     vitals{systolic: 152, diastolic: 96, heartRate: 102, respRate: 20, temperature: 37.1},
				labs:       []result{{labGlucose, 387}},
				conditions: []condition{{key: "hyperglycemia", code: snoHyperglycemia, category: "encounter-diagnosis", onset: "2021-03-27 20:00", abated: "2021-03-28 03:00"}},
				note: &note{docProgress, "Emergency department note. Glucose 387 mg/dL after missed metformin doses during a family visit. " +
					"No ketosis. IV fluids, glucose 190 mg/dL at discharge. Resume metformin; follow up with Dr. Morgan."},
			},
			{
				start: "2021-05-11 09:00", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals: vitals{weight: 99.8, systolic: 138, diastolic: 88, heartRate: 80},
				labs:   []result{{labA1c, 7.8}, {labGlucose, 168}},
			},
			{
				start: "2021-11-16 10:20", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals:   vitals{weight: 97.1, systolic: 134, diastolic: 86, heartRate: 76},
				labs:     []result{{labA1c, 7.1}, {labGlucose, 141}},
				vaccines: []vaccine{cvxFlu},
			},
			{
				start: "2022-06-14 16:00", end: "2022-06-14 16:15", class: classVirtual, kind: encTelephone,
				reason: rxnCough, by: drMorgan,
				allergies: []allergy{{code: algLisinopril, typ: "intolerance", category: "medication", criticality: "low",
					reaction: rxnCough, severity: "mild", onset: "2022-05"}},
				meds: []med{tablets(rxAmlodipine, "active", "htn", "1 tablet by mouth once daily", 1, 1)},
				note: &note{docProgress, "Telephone visit. Dry cough for six weeks, no fever. Likely ACE inhibitor cough: " +
					"lisinopril stopped and recorded as an intolerance; amlodipine 5 mg daily started."},
			},
			{
				start: "2023-10-24 08:30", class: classAmbulatory, kind: encCheckUp, by: drMorgan,
				vitals:   vitals{height: 172, weight: 95.0, systolic: 128, diastolic: 80, heartRate: 72},
				labs:     []result{{labA1c, 6.8}, {labGlucose, 128}, {labLDL, 92}, {labCreatinine, 1.02}},
				vaccines: []vaccine{cvxFlu},
			},
			{
				start: "2025-01-21 08:45", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals: vitals{weight: 93.6, systolic: 126, diastolic: 78, heartRate: 70},
				labs:   []result{{labA1c, 6.6}, {labGlucose, 119}},
				note: &note{docProgress, "Diabetes follow-up. Weight down 9 kg since 2021. HbA1c 6.6 %. " +
					"Blood pressure at goal on amlodipine. Continue current plan."},
			},
		},
	}
}
