package scope_test

import (
	"fmt"

	"smartd/authz/scope"
)

func Example_parse() {
	set, err := scope.Parse("launch/patient openid fhirUser patient/*.read patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory patient/Observation.dus")
	if err != nil {
		panic(err)
	}
	for _, s := range set {
		switch s.Kind {
		case scope.KindResource:
			fmt.Printf("%-8s %s on %s (%d params)\n", s.Context, s.Perms, s.ResourceType, len(s.Params))
		default:
			fmt.Printf("%-8s %s\n", s.Kind, s)
		}
	}
	fmt.Println("not understood:", set.Unknown())
	fmt.Println("printed back: ", set)
	// Output:
	// launch   launch/patient
	// openid   openid
	// fhirUser fhirUser
	// patient  rs on * (0 params)
	// patient  rs on Observation (1 params)
	// other    patient/Observation.dus
	// not understood: patient/Observation.dus
	// printed back:  launch/patient openid fhirUser patient/*.read patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory patient/Observation.dus
}

func ExampleGrant() {
	requested, _ := scope.Parse("launch/patient openid fhirUser offline_access patient/*.rs __custom")
	allowed, _ := scope.Parse("launch/patient openid fhirUser patient/Observation.read patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item")
	granted := scope.Grant(requested, allowed, scope.GrantOptions{})
	fmt.Println(granted)

	// The user then unticks conditions on the consent page.
	consented, _ := scope.Parse("launch/patient openid fhirUser patient/Observation.rs")
	fmt.Println(scope.Grant(granted, consented, scope.GrantOptions{}))
	// Output:
	// launch/patient openid fhirUser patient/Observation.rs patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item
	// launch/patient openid fhirUser patient/Observation.rs
}

func ExampleSet_Decide() {
	granted, _ := scope.Parse("patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory patient/Patient.r")

	d := granted.Decide(scope.Search, "Observation")
	fmt.Println(d.Allowed)
	for _, c := range d.Constraints {
		for _, f := range c.Filters {
			fmt.Println(c.Context, f.ResourceType, f.Params[0].Name, f.Params[0].Value)
		}
	}

	d = granted.Decide(scope.Search, "Patient")
	fmt.Println(d.Allowed, d.Reason)
	// Output:
	// true
	// patient Observation category http://terminology.hl7.org/CodeSystem/observation-category|laboratory
	// false no granted scope allows search on Patient
}

func ExampleDescribe() {
	set, _ := scope.Parse("patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory patient/*.read fhirUser offline_access")
	for _, s := range set {
		fmt.Println(scope.Describe(s))
	}
	// Output:
	// Read and search your laboratory observations.
	// Read and search all types of your data, including types added later.
	// Know who you are (your FHIR user).
	// Keep access when you are not using the app (offline access).
}

func ExampleInteractionOf() {
	for _, code := range []string{"vread", "history-type", "patch", "transaction"} {
		if i, ok := scope.InteractionOf(code); ok {
			fmt.Printf("%s: %c (%s)\n", code, i.Letter(), i)
		} else {
			fmt.Printf("%s: decide each entry\n", code)
		}
	}
	// Output:
	// vread: r (read)
	// history-type: s (search)
	// patch: u (update)
	// transaction: decide each entry
}
