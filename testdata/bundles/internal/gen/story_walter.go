package main

import "time"

// walter is an elderly former smoker with COPD and lung cancer who died in
// hospital: deceasedDateTime, a discharge disposition of "expired", and
// prescriptions stopped at death.
func walter() story {
	return story{
		file: "13-walter-kowalczyk", id: "smart-patient-4",
		mrnSystem: sysHospital, mrn: "100004",
		names:  []humanName{{use: "official", family: "Kowalczyk", given: []string{"Walter", "Jan"}, prefix: []string{"Mr."}}},
		gender: "male", birthDate: "1944-08-12", deceased: "2024-10-31 23:40",
		zone:    time.FixedZone("", -4*60*60),
		telecom: []contactPoint{{"phone", "(413) 555-0155", "home"}},
		address: address{[]string{"310 Chestnut Street"}, "Springfield", "MA", "01103"},
		marital: maritalMarried,
		contact: &contact{relationship: concept{sysV2Contact, "N", "Next-of-Kin"},
			name: humanName{use: "official", family: "Kowalczyk", given: []string{"Irena"}}, phone: "(413) 555-0156"},
		gp: drMorgan,
		visits: []visit{
			{
				start: "2020-01-15 09:10", class: classAmbulatory, kind: encCheckUp, by: drMorgan,
				vitals:     vitals{height: 178.0, weight: 81.0, systolic: 134, diastolic: 82, heartRate: 82, respRate: 18, spo2: 93},
				smoking:    snoExSmoker,
				labs:       []result{{labHemoglobin, 14.6}, {labCreatinine, 0.95}},
				conditions: []condition{{key: "copd", code: snoCOPD, category: "problem-list-item", onset: "2012-04"}},
				allergies: []allergy{{code: algLatex, typ: "allergy", category: "environment", criticality: "low",
					reaction: rxnRash, severity: "moderate", onset: "1990"}},
				meds: []med{
					puffs(rxAlbuterol, "stopped", "copd", "2 puffs inhaled every 4 hours as needed for breathlessness", 2, 6, true),
					puffs(rxAdvair, "stopped", "copd", "1 inhalation twice daily", 1, 2, false),
				},
				vaccines: []vaccine{cvxFlu},
			},
			{
				start: "2021-02-03 02:30", end: "2021-02-03 08:15", class: classEmergency, kind: encEmergency,
				reason: snoDyspnea, by: drMorgan,
				vitals:     vitals{systolic: 148, diastolic: 90, heartRate: 108, respRate: 26, temperature: 37.9, spo2: 88},
				conditions: []condition{{key: "bronchitis", code: snoBronchitis, category: "encounter-diagnosis", onset: "2021-01-30", abated: "2021-02-17"}},
				meds: []med{{code: rxPrednisone, status: "completed", reason: "bronchitis", text: "8 tablets (40 mg) by mouth once daily for 5 days",
					dose: 8, unit: "tablet", ucum: "{tbl}", perDay: 1, days: 5}},
				note: &note{docProgress, "Emergency department note. Four days of cough and worsening breathlessness; " +
					"SpO2 88 % on air, 93 % on 2 L oxygen. COPD flare with acute bronchitis. Nebulised salbutamol, " +
					"prednisone 40 mg for five days. Discharged home."},
			},
			{
				start: "2022-09-14 10:00", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals:   vitals{weight: 78.5, systolic: 130, diastolic: 80, heartRate: 80, spo2: 92},
				vaccines: []vaccine{cvxFlu, cvxPPSV23},
			},
			{
				start: "2023-05-09 13:30", class: classAmbulatory, kind: encSymptom, reason: snoDyspnea, by: drMorgan,
				vitals: vitals{weight: 74.2, systolic: 128, diastolic: 78, heartRate: 84, spo2: 91},
				labs:   []result{{labHemoglobin, 12.4}, {labCreatinine, 1.0}},
				order:  &order{code: snoChestXray, category: snoImaging, status: "completed", reason: "copd"},
			},
			{
				start: "2023-05-30 10:00", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals:     vitals{weight: 73.5, heartRate: 82},
				conditions: []condition{{key: "nsclc", code: snoNSCLC, category: "problem-list-item", onset: "2023-05-22"}},
				note: &note{docProgress, "Results visit. Chest X-ray showed a right upper lobe mass; CT-guided biopsy on 22 May: " +
					"non-small cell lung cancer, stage IIIA. Discussed with Mr. and Mrs. Kowalczyk; oncology referral made."},
			},
			{
				start: "2024-03-19 11:15", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals: vitals{weight: 68.9, systolic: 118, diastolic: 72, heartRate: 90, spo2: 90},
				labs:   []result{{labHemoglobin, 10.8}},
				meds: []med{{code: rxAcetaminoph, status: "stopped", reason: "nsclc", text: "2 tablets by mouth every 6 hours as needed for pain",
					dose: 2, unit: "tablet", ucum: "{tbl}", perDay: 4, asNeeded: true}},
			},
			{
				start: "2024-10-24 21:40", end: "2024-10-31 23:40", class: classInpatient, kind: encAdmission,
				reason: snoDyspnea, by: drMorgan, discharge: concept{sysDischarge, "exp", "Expired"},
				vitals: vitals{weight: 63.5, systolic: 102, diastolic: 64, heartRate: 112, respRate: 28, temperature: 38.2, spo2: 85},
				labs:   []result{{labHemoglobin, 9.6}, {labCreatinine, 1.3}},
				note: &note{docDischarge, "Death summary. Admitted with pneumonia complicating progressive lung cancer and COPD. " +
					"Comfort care chosen with the family after three days. Died peacefully on 31 October 2024 at 23:40, " +
					"his wife present."},
			},
		},
	}
}
