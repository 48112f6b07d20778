package main

import "time"

// patientResource is the story's Patient (R4 patient.html).
func patientResource(s story) object {
	var names []any
	for _, n := range s.names {
		names = append(names, obj("use", n.use, "family", n.family, "given", list(anyStrings(n.given)...),
			"prefix", list(anyStrings(n.prefix)...), "period", period(n.periodStart, n.periodEnd)))
	}
	var telecom []any
	for _, t := range s.telecom {
		telecom = append(telecom, obj("system", t.system, "value", t.value, "use", t.use))
	}
	var contacts []any
	if c := s.contact; c != nil {
		contacts = list(obj(
			"relationship", list(cc(c.relationship)),
			"name", obj("use", c.name.use, "family", c.name.family, "given", list(anyStrings(c.name.given)...)),
			"telecom", list(obj("system", "phone", "value", c.phone, "use", "mobile")),
		))
	}
	var communication []any
	if s.language != (concept{}) {
		communication = list(obj("language", cc(s.language), "preferred", true))
	}
	deceased := ""
	if s.deceased != "" {
		deceased = dateTime(clock{s.zone}.at(s.deceased))
	}
	return obj(
		"resourceType", "Patient",
		"id", s.id,
		"identifier", list(obj(
			"use", "usual",
			"type", cc(concept{sysV2ID, "MR", "Medical Record Number"}),
			"system", s.mrnSystem,
			"value", s.mrn,
		)),
		"active", true,
		"name", list(names...),
		"telecom", list(telecom...),
		"gender", s.gender,
		"birthDate", s.birthDate,
		"deceasedDateTime", deceased,
		"address", list(obj("use", "home", "type", "physical", "line", list(anyStrings(s.address.lines)...),
			"city", s.address.city, "state", s.address.state, "postalCode", s.address.postal, "country", "US")),
		"maritalStatus", cc(s.marital),
		"contact", list(contacts...),
		"communication", list(communication...),
		"generalPractitioner", list(ref(s.gp.reference(s.conditional), s.gp.name())),
		"managingOrganization", ref(hospital.reference(s.conditional), hospital.name),
	)
}

// patientBundle is the story's transaction: the Patient first, then each visit
// in date order, so that every urn:uuid reference points to an earlier entry.
func patientBundle(s story) object {
	b := newBundle(s.file)
	p := &chart{
		b:          b,
		s:          s,
		clock:      clock{s.zone},
		conditions: map[string]string{},
	}
	p.patient = b.put(patientResource(s), s.id)
	var last time.Time
	for _, v := range s.visits {
		start := p.at(v.start)
		if start.Before(last) {
			panic(s.file + ": visits out of order at " + v.start)
		}
		last = start
		p.visit(v)
	}
	return b.bundle()
}
