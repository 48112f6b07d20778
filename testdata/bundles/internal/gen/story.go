package main

import "time"

// story is one synthetic patient: demographics and a list of visits, each of
// which becomes an Encounter followed by the resources recorded during it.
// Times are local to zone and written as "2006-01-02 15:04".
type story struct {
	file        string // bundle file name without ".json"
	id          string // stable Patient.id
	mrnSystem   string
	mrn         string
	names       []humanName // the first is the official name
	gender      string
	birthDate   string
	deceased    string // local time of death, empty while alive
	zone        *time.Location
	telecom     []contactPoint
	address     address
	marital     concept
	language    concept // preferred language, zero if only English is recorded
	contact     *contact
	gp          practitioner
	conditional bool // reference practitioners and the organization by identifier search
	visits      []visit
}

type humanName struct {
	use, family   string
	given, prefix []string
	periodEnd     string // date the name stopped being used, for old names
	periodStart   string
}

type contactPoint struct{ system, value, use string }

type address struct {
	lines               []string
	city, state, postal string
}

type contact struct {
	relationship concept
	name         humanName
	phone        string
}

// visit is one encounter and what was recorded during it.
type visit struct {
	start, end string // end empty: start plus 30 minutes
	class      concept
	kind       concept
	reason     concept
	by         practitioner
	discharge  concept // inpatient stays only
	vitals     vitals
	smoking    concept
	labs       []result
	conditions []condition
	allergies  []allergy
	meds       []med
	vaccines   []vaccine
	note       *note
	order      *order
}

// vitals holds the measurements of one visit; zero means not measured.
type vitals struct {
	weight, height, head float64 // kg, cm, cm
	systolic, diastolic  float64 // mm[Hg]
	heartRate, respRate  float64 // /min
	temperature, spo2    float64 // Cel, %
}

type result struct {
	test  lab
	value float64
}

// condition is diagnosed at its visit; onset and abated take local times or
// partial dates, and an abated condition is resolved.
type condition struct {
	key      string // name for reasonReference from later entries
	code     concept
	category string // problem-list-item or encounter-diagnosis
	onset    string // empty: the visit's start
	abated   string
}

type allergy struct {
	code        concept
	typ         string // allergy or intolerance; empty for "no known allergy"
	category    string
	criticality string
	reaction    concept
	severity    string
	onset       string
}

type med struct {
	code     concept
	status   string
	reason   string // condition key
	text     string
	dose     float64
	unit     string
	ucum     string
	perDay   int
	days     int // course length; zero for an ongoing prescription
	asNeeded bool
}

type note struct {
	kind concept
	text string
}

type order struct {
	code     concept
	category concept
	status   string
	reason   string // condition key
}
