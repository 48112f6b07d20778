package search

// Target lists shared by several tables (never modified).
var (
	tPatient      = ts("Patient")
	tOrganization = ts("Organization")
	tLocation     = ts("Location")
	tEncounter    = ts("Encounter")
	tGroupPatient = ts("Group", "Patient")
	// tAuthor is the usual author/recorder/asserter list.
	tAuthor = ts("Practitioner", "Patient", "PractitionerRole", "RelatedPerson")
	// tPractitioners are the provider-side participants.
	tPractitioners = ts("Practitioner", "PractitionerRole")
	tProvider      = ts("Practitioner", "Organization", "PractitionerRole")
)

// addressParams are the address parameters of Patient, Practitioner,
// RelatedPerson and Person (R4 "individual-address*").
func addressParams(desc string) []param {
	return []param{
		str("address", "A server defined search that may match any of the string fields in the Address of "+desc, "address"),
		str("address-city", "A city specified in an address", "address.city"),
		str("address-country", "A country specified in an address", "address.country"),
		str("address-postalcode", "A postalCode specified in an address", "address.postalCode"),
		str("address-state", "A state specified in an address", "address.state"),
		tok("address-use", "A use code specified in an address", "address.use"),
	}
}

// telecomParams are the R4 "individual-telecom", "-phone" and "-email".
func telecomParams() []param {
	return []param{
		tok("telecom", "The value in any kind of telecom details", "telecom"),
		tok("phone", "A value in a phone contact", "telecom.where(system='phone')"),
		tok("email", "A value in an email contact", "telecom.where(system='email')"),
	}
}

// nameParams are the R4 "individual-family" and "-given" plus "name".
func nameParams(desc string) []param {
	return []param{
		str("name", "A server defined search that may match any of the string fields in the HumanName of "+desc, "name"),
		str("family", "A portion of the family name", "name.family"),
		str("given", "A portion of the given name", "name.given"),
	}
}

func individualParams() map[string][]param {
	return map[string][]param{
		"Patient": concat(nameParams("the patient"), addressParams("the patient"), telecomParams(), []param{
			tok("identifier", "A patient identifier", "identifier"),
			tok("active", "Whether the patient record is active", "active"),
			dat("birthdate", "The patient's date of birth", "birthDate"),
			tok("gender", "Gender of the patient", "gender"),
			{def: Definition{Name: "deceased", Type: Token, Paths: []string{"deceased[x]"},
				Description: "This patient has been marked as deceased, or as a death date entered"}, custom: patientDeceased},
			dat("death-date", "The date of death has been provided and satisfies this search value", "deceasedDateTime"),
			ref("general-practitioner", ts("Practitioner", "Organization", "PractitionerRole"), "Patient's nominated general practitioner", "generalPractitioner"),
			ref("organization", tOrganization, "The organization that is the custodian of the patient record", "managingOrganization"),
			ref("link", ts("Patient", "RelatedPerson"), "All patients linked to the given patient", "link.other"),
			tok("language", "Language code (irrespective of use value)", "communication.language"),
		}),
		"Practitioner": concat(nameParams("the practitioner"), addressParams("the practitioner"), telecomParams(), []param{
			tok("identifier", "A practitioner's Identifier", "identifier"),
			tok("active", "Whether the practitioner record is active", "active"),
			tok("gender", "Gender of the practitioner", "gender"),
			tok("communication", "One of the languages that the practitioner can communicate with", "communication"),
		}),
		"PractitionerRole": concat(telecomParams(), []param{
			tok("identifier", "A practitioner's Identifier", "identifier"),
			tok("active", "Whether this practitioner role record is in active use", "active"),
			dat("date", "The period during which the practitioner is authorized to perform in these role(s)", "period"),
			ref("practitioner", ts("Practitioner"), "Practitioner that is able to provide the defined services for the organization", "practitioner"),
			ref("organization", tOrganization, "The identity of the organization the practitioner represents / acts on behalf of", "organization"),
			ref("location", tLocation, "One of the locations at which this practitioner provides care", "location"),
			ref("service", ts("HealthcareService"), "The list of healthcare services that this worker provides for this role's Organization/Location(s)", "healthcareService"),
			ref("endpoint", ts("Endpoint"), "Technical endpoints providing access to services operated for the practitioner with this role", "endpoint"),
			tok("role", "The practitioner can perform this role at for the organization", "code"),
			tok("specialty", "The practitioner has this specialty at an organization", "specialty"),
		}),
		"Organization": concat(addressParams("the organization"), []param{
			tok("identifier", "Any identifier for the organization (not the accreditation issuer's identifier)", "identifier"),
			tok("active", "Is the Organization record active", "active"),
			str("name", "A portion of the organization's name or alias", "name", "alias"),
			tok("type", "A code for the type of organization", "type"),
			ref("partof", tOrganization, "An organization of which this organization forms a part", "partOf"),
			ref("endpoint", ts("Endpoint"), "Technical endpoints providing access to services operated for the organization", "endpoint"),
		}),
		"Location": concat(addressParams("the location"), []param{
			tok("identifier", "An identifier for the location", "identifier"),
			str("name", "A portion of the location's name or alias", "name", "alias"),
			tok("type", "A code for the type of location", "type"),
			tok("status", "Searches for locations with a specific kind of status", "status"),
			tok("operational-status", "Searches for locations (typically bed/room) that have an operational status", "operationalStatus"),
			ref("organization", tOrganization, "Searches for locations that are managed by the provided organization", "managingOrganization"),
			ref("partof", tLocation, "A location of which this location is a part", "partOf"),
			ref("endpoint", ts("Endpoint"), "Technical endpoints providing access to services operated for the location", "endpoint"),
		}),
		"RelatedPerson": concat(addressParams("the related person"), telecomParams(), []param{
			str("name", "A server defined search that may match any of the string fields in the HumanName of the related person", "name"),
			tok("identifier", "An Identifier of the RelatedPerson", "identifier"),
			tok("active", "Indicates if the related person record is active", "active"),
			dat("birthdate", "The Related Person's date of birth", "birthDate"),
			tok("gender", "Gender of the related person", "gender"),
			ref("patient", tPatient, "The patient this related person is related to", "patient"),
			tok("relationship", "The relationship between the patient and the relatedperson", "relationship"),
		}),
		"Person": concat(addressParams("the person"), telecomParams(), []param{
			str("name", "A server defined search that may match any of the string fields in the HumanName of the person", "name"),
			tok("identifier", "A person Identifier", "identifier"),
			dat("birthdate", "The person's date of birth", "birthDate"),
			tok("gender", "The gender of the person", "gender"),
			ref("link", ts("Practitioner", "Patient", "RelatedPerson", "Person"), "Any link has this Patient, Person, RelatedPerson or Practitioner reference", "link.target"),
			refOnly("patient", "Patient", "The Person links to this Patient", "link.target"),
			refOnly("practitioner", "Practitioner", "The Person links to this Practitioner", "link.target"),
			refOnly("relatedperson", "RelatedPerson", "The Person links to this RelatedPerson", "link.target"),
			ref("organization", tOrganization, "The organization at which this person record is being managed", "managingOrganization"),
		}),
		"Group": {
			tok("identifier", "Unique id", "identifier"),
			tok("actual", "Descriptive or actual", "actual"),
			tok("code", "The kind of resources contained", "code"),
			tok("type", "The type of resources the group contains", "type"),
			tok("characteristic", "Kind of characteristic", "characteristic.code"),
			ref("managing-entity", ts("Practitioner", "Organization", "RelatedPerson", "PractitionerRole"), "Entity that is the custodian of the Group's definition", "managingEntity"),
			ref("member", ts("Practitioner", "Device", "Medication", "Patient", "Substance", "Group", "PractitionerRole"), "Reference to the group member", "member.entity"),
		},
		"Device": {
			tok("identifier", "Instance id from manufacturer, owner, and others", "identifier"),
			str("device-name", "A server defined search that may match any of the string fields in Device.deviceName or Device.type", "deviceName.name", "type.coding.display", "type.text"),
			ref("patient", tPatient, "Patient information, if the resource is affixed to a person", "patient"),
			ref("organization", tOrganization, "The organization responsible for the device", "owner"),
			ref("location", tLocation, "A location, where the resource is found", "location"),
			tok("type", "The type of the device", "type"),
			tok("status", "active | inactive | entered-in-error | unknown", "status"),
			str("manufacturer", "The manufacturer of the device", "manufacturer"),
			str("model", "The model of the device", "modelNumber"),
			tok("udi-di", "The udi Device Identifier (DI)", "udiCarrier.deviceIdentifier"),
			str("udi-carrier", "UDI Barcode (RFID or other technology) string in *HRF* format", "udiCarrier.carrierHRF"),
		},
	}
}

// patientDeceased implements R4 Patient "deceased":
// "Patient.deceased.exists() and Patient.deceased != false". A patient
// with no deceased[x] indexes "false", as the expression evaluates.
func patientDeceased(x *extractor, doc map[string]any) {
	dead := false
	if b, ok := doc["deceasedBoolean"].(bool); ok {
		dead = b
	} else if _, ok := doc["deceasedDateTime"]; ok {
		dead = true
	}
	x.add(IndexValue{Code: boolCode(dead)})
}

func concat(lists ...[]param) []param {
	var out []param
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
