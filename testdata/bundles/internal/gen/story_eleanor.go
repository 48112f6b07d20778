package main

import "time"

// eleanor is an elderly woman on warfarin (an INR series) with heart failure
// and a week in hospital, a maiden name, an urn:oid MRN system and times at
// +01:00.
func eleanor() story {
	return story{
		file: "12-eleanor-hargreaves", id: "smart-patient-3",
		mrnSystem: sysOIDMRN, mrn: "EH-39-0130",
		names: []humanName{
			{use: "official", family: "Hargreaves", given: []string{"Eleanor", "May"}, prefix: []string{"Mrs."}, periodStart: "1962-06-16"},
			{use: "maiden", family: "Pike", given: []string{"Eleanor", "May"}, periodEnd: "1962-06-16"},
		},
		gender: "female", birthDate: "1939-01-30",
		zone:    time.FixedZone("", 60*60),
		telecom: []contactPoint{{"phone", "(508) 555-0127", "home"}},
		address: address{[]string{"9 Orchard Lane"}, "Concord", "MA", "01742"},
		marital: maritalWidowed,
		contact: &contact{relationship: concept{sysV2Contact, "C", "Emergency Contact"},
			name: humanName{use: "official", family: "Hargreaves-Reyes", given: []string{"Claire"}}, phone: "(508) 555-0128"},
		gp: drMorgan,
		visits: []visit{
			{
				start: "2019-03-12 10:30", class: classAmbulatory, kind: encCheckUp, by: drMorgan,
				vitals: vitals{height: 158.0, weight: 68.2, systolic: 152, diastolic: 86, heartRate: 78},
				labs:   []result{{labINR, 2.4}, {labCreatinine, 1.1}, {labPotassium, 4.3}},
				conditions: []condition{
					{key: "htn", code: snoHypertension, category: "problem-list-item", onset: "1998"},
					{key: "afib", code: snoAFib, category: "problem-list-item", onset: "2016-09-14"},
					{key: "oa", code: snoKneeOA, category: "problem-list-item", onset: "2012"},
				},
				allergies: []allergy{
					{code: algPenicillin, typ: "allergy", category: "medication", criticality: "high", reaction: rxnRash, severity: "moderate", onset: "1975"},
					{code: algDustMite, typ: "allergy", category: "environment", criticality: "low", reaction: rxnSneezing, severity: "mild"},
				},
				meds: []med{
					tablets(rxWarfarin, "active", "afib", "1 tablet by mouth once daily in the evening; dose adjusted to INR", 1, 1),
					tablets(rxHCTZ, "stopped", "htn", "1 tablet by mouth once daily", 1, 1),
					{code: rxAcetaminoph, status: "active", reason: "oa", text: "2 tablets by mouth every 6 hours as needed for knee pain",
						dose: 2, unit: "tablet", ucum: "{tbl}", perDay: 4, asNeeded: true},
				},
				vaccines: []vaccine{cvxPPSV23},
			},
			{
				start: "2019-10-08 11:00", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals:   vitals{weight: 69.0, systolic: 146, diastolic: 84, heartRate: 74},
				labs:     []result{{labINR, 2.9}},
				vaccines: []vaccine{cvxFlu},
			},
			{
				start: "2020-12-03 19:20", end: "2020-12-09 11:00", class: classInpatient, kind: encAdmission,
				reason: snoDyspnea, by: drMorgan, discharge: concept{sysDischarge, "home", "Home"},
				vitals:     vitals{weight: 74.8, systolic: 160, diastolic: 92, heartRate: 112, respRate: 26, temperature: 36.8, spo2: 89},
				labs:       []result{{labNTproBNP, 4850}, {labCreatinine, 1.4}, {labPotassium, 3.6}, {labINR, 3.4}},
				conditions: []condition{{key: "chf", code: snoCHF, category: "problem-list-item", onset: "2020-12-03 19:20"}},
				meds: []med{
					tablets(rxFurosemide, "active", "chf", "1 tablet by mouth once daily in the morning", 1, 1),
					tablets(rxDigoxin, "active", "afib", "1 tablet by mouth once daily", 1, 1),
				},
				order: &order{code: snoEcho, category: snoImaging, status: "completed", reason: "chf"},
				note: &note{docDischarge, "Discharge summary. Admitted with breathlessness and leg swelling; new heart failure " +
					"with atrial fibrillation at 112/min. Echocardiogram: ejection fraction 35 %. Diuresed 5 kg. " +
					"Hydrochlorothiazide stopped; furosemide and digoxin started; warfarin continued (INR 3.4 on admission)."},
			},
			{
				start: "2021-01-14 10:00", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals:     vitals{weight: 70.1, systolic: 138, diastolic: 80, heartRate: 76},
				labs:       []result{{labNTproBNP, 1320}, {labCreatinine, 1.3}, {labPotassium, 4.1}, {labINR, 2.6}},
				conditions: []condition{{key: "ckd", code: snoCKD3, category: "problem-list-item"}},
			},
			{
				start: "2022-10-20 10:45", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals:   vitals{weight: 69.4, systolic: 136, diastolic: 78, heartRate: 72, spo2: 95},
				labs:     []result{{labINR, 2.5}, {labCreatinine, 1.35}},
				vaccines: []vaccine{cvxFlu, cvxTd},
			},
			{
				start: "2024-04-16 09:30", class: classAmbulatory, kind: encCheckUp, by: drMorgan,
				vitals: vitals{height: 156.5, weight: 67.5, systolic: 134, diastolic: 76, heartRate: 70},
				labs:   []result{{labINR, 2.2}, {labNTproBNP, 980}, {labCreatinine, 1.4}, {labPotassium, 4.4}},
				note: &note{docProgress, "Annual review at 85. Stable heart failure, no admissions since 2020. " +
					"INR in range on warfarin. Kidney function stable (creatinine 1.4 mg/dL). Continue current medicines."},
			},
			{
				start: "2025-03-11 14:00", end: "2025-03-11 14:20", class: classVirtual, kind: encTelephone, by: drMorgan,
				note: &note{docProgress, "Telephone check-in with Mrs. Hargreaves and her daughter. Weight steady at home, " +
					"no new swelling or breathlessness. Next INR check booked."},
			},
		},
	}
}
