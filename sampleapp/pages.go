package sampleapp

import (
	"net/http"
	"strconv"
)

// startView is the start page of the standalone launch.
type startView struct {
	// StartURL is where the "Sign in with smartd" form goes.
	StartURL string
	// FHIRBase is the FHIR server the app launches against.
	FHIRBase string
}

// resultView is the page the app shows after a launch.
type resultView struct {
	Patient patientInfo
	// Vitals are the latest vital signs; VitalsNote says why there are
	// none when they could not be read.
	Vitals     []vital
	VitalsNote string
	// Scope is the granted scope; Encounter the encounter in context.
	Scope, Encounter string
	// Banner shows the app's own patient banner (not when the EHR shows
	// one: need_patient_banner=false).
	Banner bool
	// Standalone is a standalone launch (else an EHR launch).
	Standalone bool
	// StartURL is the start page, to launch again.
	StartURL string
}

// title is the page title: the patient's name, else the id.
func (v resultView) title() string {
	name := v.Patient.Name
	if name == "" {
		name = "Patient " + v.Patient.ID
	}
	return name + " · Sample app"
}

// launchKind names the launch.
func (v resultView) launchKind() string {
	if v.Standalone {
		return "Standalone launch"
	}
	return "EHR launch"
}

// bannerNote says whether the banner is the app's or the EHR's.
func (v resultView) bannerNote() string {
	if v.Banner {
		return "true: the app shows the patient banner above"
	}
	return "false: the EHR shows the patient banner around the app"
}

// problemView is the error page.
type problemView struct {
	// Status is the HTTP status sent.
	Status int
	// Title is the heading; Message one plain sentence on what happened
	// and what to do.
	Title, Message string
	// Code is the OAuth error code (or the app's own), Detail a
	// description for developers; both optional.
	Code, Detail string
	// StartURL links back to the start page.
	StartURL string
}

// statusLine is "Error 400: Bad Request".
func (v problemView) statusLine() string {
	return "Error " + strconv.Itoa(v.Status) + ": " + http.StatusText(v.Status)
}
