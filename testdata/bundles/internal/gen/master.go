package main

// practitioner is one of the two sample clinicians, loaded with a stable id
// by the first bundle.
type practitioner struct {
	id, npiBase          string
	prefix, given        string
	family, gender       string
	phone, email         string
	degree, degreeDetail string
}

// Practitioners and the organization. NPIs start with 9, which CMS has not
// issued, and carry a valid check digit.
var (
	drMorgan = practitioner{
		id: "smart-practitioner-1", npiBase: "999900017", prefix: "Dr.", given: "Adaeze", family: "Morgan",
		gender: "female", phone: "(617) 555-0140", email: "adaeze.morgan@smartd.example.org",
		degree: "MD", degreeDetail: "Doctor of Medicine",
	}
	drSalo = practitioner{
		id: "smart-practitioner-2", npiBase: "999900025", prefix: "Dr.", given: "Henrik", family: "Salo",
		gender: "male", phone: "(617) 555-0141", email: "henrik.salo@smartd.example.org",
		degree: "MD", degreeDetail: "Doctor of Medicine",
	}
	hospital = organization{
		id: "smart-organization-1", npiBase: "999900033", name: "SMARTd Demonstration Hospital",
		phone: "(617) 555-0100", lines: []string{"100 Sample Way"}, city: "Boston", state: "MA", postal: "02115",
	}
)

// organization is the one sample hospital.
type organization struct {
	id, npiBase, name, phone string
	lines                    []string
	city, state, postal      string
}

// name is how a reference displays the practitioner.
func (p practitioner) name() string { return p.prefix + " " + p.given + " " + p.family }

// reference names the practitioner by id, or, when conditional, by a search
// on its NPI that the server resolves inside the transaction (R4 http.html#trules).
func (p practitioner) reference(conditional bool) string {
	if conditional {
		return "Practitioner?identifier=" + sysNPI + "|" + npi(p.npiBase)
	}
	return "Practitioner/" + p.id
}

// reference names the organization like practitioner.reference.
func (o organization) reference(conditional bool) string {
	if conditional {
		return "Organization?identifier=" + sysNPI + "|" + npi(o.npiBase)
	}
	return "Organization/" + o.id
}

func (p practitioner) resource() object {
	return obj(
		"resourceType", "Practitioner",
		"id", p.id,
		"identifier", list(obj("use", "official", "system", sysNPI, "value", npi(p.npiBase))),
		"active", true,
		"name", list(obj("use", "official", "family", p.family, "given", list(p.given), "prefix", list(p.prefix))),
		"telecom", list(
			obj("system", "phone", "value", p.phone, "use", "work"),
			obj("system", "email", "value", p.email, "use", "work"),
		),
		"address", list(hospital.address()),
		"gender", p.gender,
		"qualification", list(obj("code", cc(concept{sysV2Degree, p.degree, p.degreeDetail}))),
	)
}

func (o organization) address() object {
	return obj("use", "work", "line", list(anyStrings(o.lines)...), "city", o.city, "state", o.state,
		"postalCode", o.postal, "country", "US")
}

func (o organization) resource() object {
	return obj(
		"resourceType", "Organization",
		"id", o.id,
		"identifier", list(obj("use", "official", "system", sysNPI, "value", npi(o.npiBase))),
		"active", true,
		"type", list(cc(concept{sysOrgType, "prov", "Healthcare Provider"})),
		"name", o.name,
		"telecom", list(obj("system", "phone", "value", o.phone, "use", "work")),
		"address", list(o.address()),
	)
}

// masterBundle is the first bundle: the organization and practitioners, PUT
// with stable ids so that patient bundles can name them.
func masterBundle() object {
	b := newBundle("00-organization-practitioners")
	b.put(hospital.resource(), hospital.id)
	b.put(drMorgan.resource(), drMorgan.id)
	b.put(drSalo.resource(), drSalo.id)
	return b.bundle()
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
