package main

import "time"

// priya is a young woman with hypothyroidism (a TSH series), a resolved
// anemia, and "no known allergy" recorded.
func priya() story {
	return story{
		file: "14-priya-raman", id: "smart-patient-5",
		mrnSystem: sysHospital, mrn: "100005",
		names:  []humanName{{use: "official", family: "Raman", given: []string{"Priya", "Lakshmi"}}},
		gender: "female", birthDate: "1990-04-09",
		zone: time.FixedZone("", -6*60*60),
		telecom: []contactPoint{
			{"phone", "(303) 555-0119", "mobile"},
			{"email", "priya.raman@example.net", "home"},
		},
		address: address{[]string{"2150 Larimer Street", "Unit 7"}, "Denver", "CO", "80205"},
		marital: maritalNever,
		gp:      drMorgan,
		visits: []visit{
			{
				start: "2019-07-16 09:00", class: classAmbulatory, kind: encCheckUp, reason: snoFatigue, by: drMorgan,
				vitals:     vitals{height: 165.1, weight: 61.5, systolic: 112, diastolic: 70, heartRate: 72},
				labs:       []result{{labTSH, 8.9}},
				conditions: []condition{{key: "hypothyroid", code: snoHypothyroid, category: "problem-list-item"}},
				allergies:  []allergy{{code: algNoneKnown}},
				meds:       []med{tablets(rxLevothyrox, "active", "hypothyroid", "1 tablet by mouth once daily before breakfast", 1, 1)},
				vaccines:   []vaccine{cvxTdap},
			},
			{
				start: "2019-10-15 09:20", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals: vitals{weight: 62.0, systolic: 110, diastolic: 72, heartRate: 70},
				labs:   []result{{labTSH, 4.1}},
			},
			{
				start: "2021-04-20 08:50", class: classAmbulatory, kind: encCheckUp, by: drMorgan,
				vitals: vitals{weight: 63.2, systolic: 114, diastolic: 74, heartRate: 68},
				labs:   []result{{labTSH, 2.3}},
			},
			{
				start: "2022-09-13 15:30", class: classAmbulatory, kind: encSymptom, reason: snoFatigue, by: drMorgan,
				vitals:     vitals{weight: 60.8, systolic: 106, diastolic: 66, heartRate: 86},
				labs:       []result{{labHemoglobin, 10.2}},
				conditions: []condition{{key: "anemia", code: snoIronAnemia, category: "problem-list-item", abated: "2023-03-14 09:00"}},
				meds: []med{{code: rxFerrous, status: "completed", reason: "anemia", text: "1 tablet by mouth once daily for 90 days",
					dose: 1, unit: "tablet", ucum: "{tbl}", perDay: 1, days: 90}},
				vaccines: []vaccine{cvxFlu},
			},
			{
				start: "2023-03-14 09:00", class: classAmbulatory, kind: encFollowUp, by: drMorgan,
				vitals: vitals{weight: 62.4, systolic: 110, diastolic: 70, heartRate: 72},
				labs:   []result{{labHemoglobin, 12.8}},
			},
			{
				start: "2024-11-05 10:00", class: classAmbulatory, kind: encCheckUp, by: drMorgan,
				vitals:   vitals{height: 165.1, weight: 63.0, systolic: 116, diastolic: 74, heartRate: 70},
				labs:     []result{{labTSH, 2.0}},
				vaccines: []vaccine{cvxFlu},
				order:    &order{code: labTSH.code, category: snoLabProcedure, status: "active", reason: "hypothyroid"},
				note: &note{docProgress, "Annual check-up. Euthyroid on levothyroxine 75 mcg (TSH 2.0 mIU/L). " +
					"Anemia resolved after iron. Repeat TSH in one year."},
			},
		},
	}
}
