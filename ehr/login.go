package ehr

// The EHR's sign-in is package signin, mounted at LoginPath and
// LogoutPath, admitting clinicians only.
const (
	// ehrName is what the sign-in page says the clinician is signing in to.
	ehrName = "the smartd EHR"
	// notClinician is what another account is told, before it gets a session.
	notClinician = "Only clinician accounts can use the EHR. Sign in as a clinician."
)
