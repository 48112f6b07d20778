package main

import "time"

// kai is a teenager whose administrative gender is "other", with adolescent
// vaccines, allergic rhinitis and a resolved ankle sprain. Like jose's, this
// bundle names the practitioner and organization by conditional references.
func kai() story {
	return story{
		file: "15-kai-nakamura", id: "smart-patient-6",
		mrnSystem: sysHospital, mrn: "100006",
		names:  []humanName{{use: "official", family: "Nakamura", given: []string{"Kai"}}},
		gender: "other", birthDate: "2009-10-05",
		zone:    time.FixedZone("", -7*60*60),
		telecom: []contactPoint{{"phone", "(602) 555-0188", "home"}, {"email", "kai.nakamura@example.org", "home"}},
		address: address{[]string{"4410 East Camelback Road"}, "Phoenix", "AZ", "85018"},
		contact: &contact{relationship: concept{sysV2Contact, "N", "Next-of-Kin"},
			name: humanName{use: "official", family: "Nakamura", given: []string{"Yumi"}}, phone: "(602) 555-0189"},
		gp: drSalo, conditional: true,
		visits: []visit{
			{
				start: "2020-10-06 15:30", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals:     vitals{height: 143.5, weight: 36.8, systolic: 104, diastolic: 64, heartRate: 82},
				conditions: []condition{{key: "rhinitis", code: snoRhinitis, category: "problem-list-item", onset: "2018-04"}},
				allergies: []allergy{{code: algDander, typ: "allergy", category: "environment", criticality: "low",
					reaction: rxnSneezing, severity: "mild", onset: "2017"}},
				meds:     []med{{code: rxCetirizine, status: "active", reason: "rhinitis", text: "1 tablet by mouth once daily as needed in spring", dose: 1, unit: "tablet", ucum: "{tbl}", perDay: 1, asNeeded: true}},
				vaccines: []vaccine{cvxTdap, cvxHPV, cvxMenACWY},
			},
			{
				start: "2021-05-04 16:00", class: classAmbulatory, kind: encFollowUp, by: drSalo,
				vitals:   vitals{weight: 39.5, heartRate: 80},
				vaccines: []vaccine{cvxHPV},
			},
			{
				start: "2022-10-11 15:45", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals:     vitals{height: 158.0, weight: 47.2, systolic: 108, diastolic: 68, heartRate: 78},
				conditions: []condition{{key: "acne", code: snoAcne, category: "problem-list-item"}},
				vaccines:   []vaccine{cvxFlu},
			},
			{
				start: "2023-07-22 13:10", end: "2023-07-22 16:00", class: classEmergency, kind: encEmergency,
				reason: snoAnkleSprain, by: drSalo,
				vitals:     vitals{systolic: 118, diastolic: 72, heartRate: 92},
				conditions: []condition{{key: "sprain", code: snoAnkleSprain, category: "encounter-diagnosis", onset: "2023-07-22 11:45", abated: "2023-08-15"}},
				meds: []med{{code: rxIbuprofen, status: "completed", reason: "sprain", text: "2 tablets (400 mg) by mouth every 6 hours as needed for pain, up to 7 days",
					dose: 2, unit: "tablet", ucum: "{tbl}", perDay: 4, days: 7, asNeeded: true}},
				note: &note{docProgress, "Emergency department note. Inversion injury of the right ankle at soccer practice. " +
					"Able to bear weight; Ottawa ankle rules negative, no X-ray. Rest, ice, compression, ibuprofen."},
			},
			{
				start: "2024-10-08 15:30", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals:   vitals{height: 168.2, weight: 55.8, systolic: 112, diastolic: 70, heartRate: 72},
				labs:     []result{{labHemoglobin, 13.9}},
				vaccines: []vaccine{cvxFlu},
			},
			{
				start: "2025-05-13 16:30", end: "2025-05-13 16:50", class: classVirtual, kind: encTelephone,
				reason: snoAcne, by: drSalo,
				note: &note{docProgress, "Telephone follow-up for acne. Improving with topical treatment and skin care; " +
					"no scarring. Spring allergy symptoms controlled with cetirizine as needed."},
			},
		},
	}
}
