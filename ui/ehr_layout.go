package ui

import "net/http"

// EHRNav is the header of every EHR page: the signed-in clinician, a
// link to the patient list and the sign-out form.
type EHRNav struct {
	// User is the signed-in clinician's display name; empty hides the
	// user and the sign-out form (the sign-in page).
	User string
	// PatientsURL links to the patient list.
	PatientsURL string
	// LogoutAction is the URL the sign-out form posts to.
	LogoutAction string
	// CSRF is the session's token, posted by the sign-out form.
	CSRF string
}

// EHRBanner is the patient banner (SMART App Launch 2.2: the EHR shows
// it when the app is told need_patient_banner=false).
type EHRBanner struct {
	// Name is the patient's display name.
	Name string
	// Gender is the administrative gender, as shown.
	Gender string
	// Age is the age in years ("52 y"), months or days for infants.
	Age string
	// BirthDate is YYYY-MM-DD.
	BirthDate string
	// MRN is the identifier of type MR; empty hides it.
	MRN string
	// Deceased is the date of death, or "yes" when only the flag is
	// known; empty for a living patient.
	Deceased string
	// ChartURL links the name to the patient's chart; empty shows plain text.
	ChartURL string
}

// EHRErrorPage is the view model of an error inside the EHR view (an
// unknown patient, a launch that failed, a form that expired).
type EHRErrorPage struct {
	Nav EHRNav
	// Title is the heading and page title; empty uses the status text.
	Title string
	// Message is one plain sentence saying what went wrong.
	Message string
	// Status is the HTTP status the handler sends, shown on the page.
	Status int
	// BackURL is where "Back" goes; empty shows no link.
	BackURL string
}

func (p EHRErrorPage) title() string {
	if p.Title != "" {
		return p.Title
	}
	if t := http.StatusText(p.Status); t != "" {
		return t
	}
	return "Something went wrong"
}

// facts is the banner's line after the name: gender, age, birth date.
func (b EHRBanner) facts() []bannerFact {
	var out []bannerFact
	add := func(label, v string) {
		if v != "" {
			out = append(out, bannerFact{label, v})
		}
	}
	add("Gender", b.Gender)
	add("Age", b.Age)
	add("Born", b.BirthDate)
	add("MRN", b.MRN)
	add("Deceased", b.Deceased)
	return out
}

// bannerFact is one labelled value of the banner.
type bannerFact struct{ Label, Value string }
