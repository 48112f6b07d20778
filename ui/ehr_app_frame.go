package ui

// EHRAppFramePage is the view model of an app launched inside the EHR
// page: the EHR keeps showing the patient banner, so the launch tells the
// app need_patient_banner=false (SMART App Launch 2.2, "Launch context
// arrives with your access_token").
type EHRAppFramePage struct {
	Nav    EHRNav
	Banner EHRBanner
	// AppName titles the page and the frame.
	AppName string
	// LaunchURL is the app's launch URL with iss and launch: the frame's
	// source.
	LaunchURL string
	// BackURL returns to the chart.
	BackURL string
}

func (p EHRAppFramePage) title() string { return joinNonEmpty(" · ", p.AppName, p.Banner.Name) }
