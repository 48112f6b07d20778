package main

import "time"

// aoife is a child followed from birth: a growth chart (weight, height, head
// circumference), the childhood vaccine series, asthma and a peanut allergy.
// Her times are in UTC and her name has an apostrophe.
func aoife() story {
	mother := humanName{use: "official", family: "O'Connor", given: []string{"Niamh"}}
	return story{
		file: "11-aoife-oconnor", id: "smart-patient-2",
		mrnSystem: sysHospital, mrn: "100002",
		names:  []humanName{{use: "official", family: "O'Connor", given: []string{"Aoife", "Grace"}}},
		gender: "female", birthDate: "2018-06-21",
		zone:    time.UTC,
		telecom: []contactPoint{{"phone", "(617) 555-0163", "home"}},
		address: address{[]string{"17 Harbor View Terrace"}, "Quincy", "MA", "02169"},
		contact: &contact{relationship: concept{sysV2Contact, "N", "Next-of-Kin"}, name: mother, phone: "(617) 555-0164"},
		gp:      drSalo,
		visits: []visit{
			{
				start: "2018-06-24 10:00", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals:   vitals{height: 50.5, weight: 3.4, head: 34.5, heartRate: 142},
				vaccines: []vaccine{cvxHepBPed},
			},
			{
				start: "2018-08-23 09:30", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals:   vitals{height: 57.8, weight: 5.3, head: 38.9, heartRate: 136},
				vaccines: []vaccine{cvxDTaP, cvxIPV, cvxPCV13, cvxHepBPed},
			},
			{
				start: "2019-06-25 14:00", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals:   vitals{height: 74.9, weight: 9.1, head: 45.6, heartRate: 120},
				labs:     []result{{labHemoglobin, 12.1}},
				vaccines: []vaccine{cvxMMR, cvxVaricella, cvxHepAPed},
			},
			{
				start: "2019-09-14 18:05", end: "2019-09-14 22:30", class: classEmergency, kind: encEmergency,
				reason: rxnAnaphylaxi, by: drSalo,
				vitals: vitals{weight: 9.8, heartRate: 150, respRate: 36, temperature: 36.9, spo2: 96},
				allergies: []allergy{{code: algPeanut, typ: "allergy", category: "food", criticality: "high",
					reaction: rxnAnaphylaxi, severity: "severe", onset: "2019-09-14 17:40"}},
				note: &note{docProgress, "Emergency department note. Hives, lip swelling and wheeze twenty minutes after a first taste " +
					"of peanut butter. Intramuscular epinephrine given; observed four hours without recurrence. " +
					"Strict peanut avoidance; allergy referral."},
			},
			{
				start: "2021-06-22 09:15", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals:     vitals{height: 95.5, weight: 14.2, systolic: 96, diastolic: 58, heartRate: 104},
				labs:       []result{{labPeanutIgE, 18.4}},
				conditions: []condition{{key: "asthma", code: snoAsthma, category: "problem-list-item", onset: "2021-03"}},
				meds: []med{
					puffs(rxFluticasone, "active", "asthma", "2 puffs inhaled twice daily with a spacer", 2, 2, false),
					puffs(rxAlbuterol, "active", "asthma", "2 puffs inhaled every 4 hours as needed for wheeze", 2, 6, true),
				},
				order: &order{code: labPeanutIgE.code, category: snoLabProcedure, status: "completed"},
			},
			{
				start: "2022-11-08 15:40", class: classAmbulatory, kind: encSymptom, by: drSalo,
				vitals:     vitals{weight: 17.0, heartRate: 118, temperature: 38.4},
				conditions: []condition{{key: "otitis", code: snoOtitisMedia, category: "encounter-diagnosis", onset: "2022-11-06", abated: "2022-11-20"}},
				meds: []med{{code: rxAmoxicillin, status: "completed", reason: "otitis", text: "1 capsule by mouth three times daily for 10 days",
					dose: 1, unit: "capsule", ucum: "{capsule}", perDay: 3, days: 10}},
			},
			{
				start: "2023-06-27 10:00", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals:   vitals{height: 110.2, weight: 18.6, systolic: 98, diastolic: 60, heartRate: 98},
				vaccines: []vaccine{cvxDTaP, cvxIPV, cvxMMR, cvxVaricella},
			},
			{
				start: "2024-10-15 16:20", class: classAmbulatory, kind: encFollowUp, reason: snoAsthma, by: drSalo,
				vitals:   vitals{weight: 21.0, heartRate: 96, respRate: 22, spo2: 98},
				vaccines: []vaccine{cvxFlu},
				note: &note{docProgress, "Asthma follow-up. Two night-time symptoms a month, albuterol about once a week. " +
					"Inhaler technique reviewed; continue fluticasone. Influenza vaccine given."},
			},
			{
				start: "2025-06-24 09:00", class: classAmbulatory, kind: encWellChild, by: drSalo,
				vitals: vitals{height: 123.0, weight: 23.4, systolic: 100, diastolic: 62, heartRate: 90},
			},
		},
	}
}
